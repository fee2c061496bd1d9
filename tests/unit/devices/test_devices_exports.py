"""The public surface of the devices packages is pinned (style rule 11)."""

import devices
import devices.mqtt
import devices.scanner
import devices.sim


def test_devices_all():
    assert devices.__all__ == ["mqtt", "scanner", "sim"]


def test_devices_scanner_all():
    assert devices.scanner.__all__ == [
        "PROFILES", "AbstractPort", "Discard", "Event", "FrameDecoder", "Gateway",
        "GatewayStats", "InvalidRead", "Outbox", "OutboxRow", "PortBusy", "PortReader",
        "RecentRead", "ScanRead", "ScannerDisconnected", "ScannerError",
        "ScannerNotFound", "ScannerProfile", "SilentProfile", "TimestampPrefix",
        "Validator",
        "get_profile", "open_port",
    ]  # fmt: skip


def test_devices_mqtt_all():
    assert devices.mqtt.__all__ == [
        "EmbeddedBroker", "Feedback", "Message", "MqttClient", "MqttParams",
        "PayloadError", "ScanMessage", "TopicError", "access", "payloads",
        "topics",
    ]  # fmt: skip


def test_devices_sim_all():
    assert devices.sim.__all__ == ["SimulatedScanner"]


def test_every_exported_name_exists_and_says_where_it_lives():
    for pkg in (devices.mqtt, devices.scanner, devices.sim):
        for name in pkg.__all__:
            obj = getattr(pkg, name)
            module = getattr(obj, "__module__", pkg.__name__) or pkg.__name__
            assert module.startswith(pkg.__name__) or name in ("Event", "Validator")
