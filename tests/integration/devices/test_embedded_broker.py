"""The embedded amqtt broker: loopback only, plain publish/subscribe, and the gateway's
outbox covering for what amqtt does not queue (stack-notes §10)."""

import asyncio
import time

import pytest

from devices.mqtt import EmbeddedBroker, MqttClient, MqttParams, access
from devices.scanner import Gateway

pytestmark = pytest.mark.mqtt


async def until(predicate, timeout: float = 10.0) -> None:
    """Poll without blocking the loop the broker runs on."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


SERVICE = ("svc", access.new_password())
STATION = ("st-01", access.new_password())


@pytest.fixture
async def broker(free_tcp_port, site):
    b = EmbeddedBroker(
        port=free_tcp_port,
        users={name: access.hash_password(pw) for name, pw in (SERVICE, STATION)},
        rules=[
            access.service_rules(site, SERVICE[0]),
            access.station_rules(site, "st-01"),
        ],
    )
    await b.start()
    yield b
    await b.shutdown()


def credentials(user: tuple[str, str]) -> dict[str, str]:
    return {"username": user[0], "password": user[1]}


def test_non_loopback_bind_is_refused():
    with pytest.raises(ValueError, match="loopback"):
        EmbeddedBroker(host="0.0.0.0", users={}, rules=[])


def test_config_drops_the_packet_logger_and_anonymous_access_and_binds_loopback():
    cfg = EmbeddedBroker(port=11999, users={}, rules=[]).config()
    assert cfg["listeners"]["default"]["bind"] == "127.0.0.1:11999"
    assert "amqtt.plugins.logging_amqtt.PacketLoggerPlugin" not in cfg["plugins"]
    assert "amqtt.plugins.authentication.AnonymousAuthPlugin" not in cfg["plugins"]
    assert set(cfg["plugins"]) >= {
        "devices.mqtt.broker.PasswordAuth",
        "devices.mqtt.broker.TopicAcl",
    }


async def test_publish_and_subscribe_through_the_embedded_broker(broker, site):
    got: list[tuple[str, bytes]] = []
    sub = MqttClient(
        MqttParams(url=broker.url, client_id=f"sub-{site}", **credentials(SERVICE)),
        on_message=lambda m: got.append((m.topic, m.payload)),
    )
    sub.subscribe(f"archive/{site}/#", 1)
    pub = MqttClient(
        MqttParams(url=broker.url, client_id=f"pub-{site}", **credentials(STATION))
    )
    sub.start()
    pub.start()
    try:
        await until(lambda: sub.connected and pub.connected)
        await asyncio.sleep(0.2)  # subscription made in on_connect
        pub.publish(f"archive/{site}/scanners/st-01/scans", b'{"v":1}', 1)
        await until(lambda: got)
        assert got == [(f"archive/{site}/scanners/st-01/scans", b'{"v":1}')]
    finally:
        sub.stop()
        pub.stop()


async def test_gateway_outbox_recovers_scans_the_broker_dropped_for_an_offline_service(
    broker, sim, site, tmp_path, fake_service, run_gateway
):
    gw = Gateway(
        sim.path,
        "st-01",
        site,
        tmp_path / "o.db",
        MqttParams(url=broker.url, **credentials(STATION)),
        resend_after=0.5,
        allow_silent=True,
    )
    run_gateway(gw)
    await until(
        lambda: gw.stats().serial == "connected" and gw.stats().mqtt == "connected"
    )
    svc = await asyncio.to_thread(fake_service, broker.url, site, "svc1", SERVICE)
    await asyncio.to_thread(svc.stop)  # its persistent session stays on the broker
    codes = [f"BX{i:08d}W" for i in range(20)]
    for code in codes[:10]:  # published while the service is away
        sim.type(code)
    await until(lambda: gw.stats().published == 10)
    await asyncio.sleep(0.5)  # let them reach amqtt, which keeps none of them
    svc = await asyncio.to_thread(fake_service, broker.url, site, "svc1", SERVICE)
    for code in codes[10:]:
        sim.type(code)
        await asyncio.sleep(0.01)
    await until(
        lambda: gw.stats().confirmed == 20 and gw.stats().depth == 0, timeout=20
    )
    # Each read accepted exactly once; the first ten only thanks to the outbox
    # republishing them (their arrival order relative to later reads is not kept).
    assert sorted(svc.accepted_codes()) == codes
    assert gw.stats().resent >= 10
