"""The paho wrapper against Mosquitto: persistent sessions on MQTT 3.1.1 and 5,
manual ack, and a broker that is down at start."""

import threading
import time

import pytest

from devices.mqtt import MqttClient, MqttParams

pytestmark = pytest.mark.mqtt


@pytest.mark.parametrize("protocol", [311, 5])
def test_persistent_session_receives_what_was_published_while_away(
    shared_mqtt_url, site, protocol, wait
):
    got: list[bytes] = []
    params = MqttParams(
        url=shared_mqtt_url,
        client_id=f"sub-{site}",
        protocol=protocol,
        session_expiry=60,
        manual_ack=True,
    )
    topic = f"archive/{site}/sensors/t1/reading"

    def on_message(m):
        got.append(m.payload)
        sub.ack(m.mid, m.qos)

    sub = MqttClient(params, on_message=on_message)
    sub.subscribe(topic, 1)
    sub.start()
    wait(lambda: sub.connected)
    time.sleep(0.2)  # SUBACK
    sub.stop()
    pub = MqttClient(
        MqttParams(url=shared_mqtt_url, persistent=False, protocol=protocol)
    )
    pub.start()
    try:
        wait(lambda: pub.connected)
        for i in range(5):
            pub.publish(topic, f"r{i}".encode(), 1)
        time.sleep(0.3)
    finally:
        pub.stop()
    sub = MqttClient(params, on_message=on_message)
    sub.subscribe(topic, 1)
    sub.start()
    try:
        wait(lambda: len(got) == 5)
    finally:
        sub.stop()
    assert got == [b"r0", b"r1", b"r2", b"r3", b"r4"]


def test_client_started_while_the_broker_is_down_connects_when_it_comes_up(
    own_mosquitto, site, wait
):
    own_mosquitto.kill()
    connected = threading.Event()
    c = MqttClient(
        MqttParams(url=own_mosquitto.url, client_id=f"late-{site}"),
        on_connect=lambda present: connected.set(),
    )
    c.start()
    try:
        time.sleep(0.5)
        assert not c.connected
        own_mosquitto.start()
        assert connected.wait(15)
    finally:
        c.stop()


def test_exceptions_in_owner_callbacks_do_not_kill_the_network_thread(
    shared_mqtt_url, site, wait
):
    calls: list[bytes] = []

    def on_message(m):
        calls.append(m.payload)
        raise RuntimeError("owner bug")

    topic = f"archive/{site}/sensors/t1/reading"
    c = MqttClient(
        MqttParams(url=shared_mqtt_url, persistent=False), on_message=on_message
    )
    c.subscribe(topic, 1)
    c.start()
    try:
        wait(lambda: c.connected)
        time.sleep(0.2)
        c.publish(topic, b"a", 1)
        wait(lambda: calls == [b"a"])
        c.publish(topic, b"b", 1)
        wait(lambda: calls == [b"a", b"b"])
        assert c.connected
    finally:
        c.stop()


def test_persistent_session_without_client_id_is_refused():
    with pytest.raises(ValueError, match="client_id"):
        MqttClient(MqttParams(client_id=""))


def test_bad_broker_url_is_refused_at_construction():
    with pytest.raises(ValueError, match="mqtt://"):
        MqttClient(MqttParams(url="http://x", persistent=False))
