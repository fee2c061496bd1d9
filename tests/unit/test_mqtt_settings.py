"""Where the service's scan ingest connects, from ARCHIVE_MQTT_* settings."""

import pytest

from archive_svc.config import SettingsError, load_settings


def url(**env: str) -> str | None:
    return load_settings(
        env={f"ARCHIVE_MQTT_{k.upper()}": v for k, v in env.items()}
    ).mqtt.broker_url


def test_the_embedded_broker_listens_on_loopback_11883_by_default():
    assert url() == "mqtt://127.0.0.1:11883"
    assert url(embedded_port="12000") == "mqtt://127.0.0.1:12000"


def test_an_external_broker_uses_the_configured_url():
    assert (
        url(broker="external", url="mqtt://mq.example:1884") == "mqtt://mq.example:1884"
    )
    assert url(broker="external") == "mqtt://127.0.0.1:1883"


def test_ingest_can_be_switched_off_and_unknown_brokers_are_refused():
    assert url(broker="off") is None
    with pytest.raises(SettingsError, match="broker"):
        url(broker="rabbit")


def test_several_instances_share_the_scans_through_a_configured_group():
    assert load_settings(env={}).mqtt.share_group == ""
    settings = load_settings(env={"ARCHIVE_MQTT_SHARE_GROUP": "archive-svc"})
    assert settings.mqtt.share_group == "archive-svc"
