"""Issue 10, finding 5: scans from nobody.

A client with no credentials published on the scan topic under an invented station
id and its reads were recorded. Now each station is registered with its own MQTT
password; Mosquitto runs with the password file and ACL the service generates (no
anonymous client, a station publishes only its own topics and reads only its own
feedback); the embedded broker checks the same; and the consumer refuses reads of
unregistered or disabled stations, journaled, even when a broker lets them through.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive_svc import bootstrap, cli, station
from archive_svc.config import load_settings
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import stations
from devices.mqtt import MqttClient, MqttParams, access, payloads, topics
from tests.conftest import require_service
from tests.integration.devices.conftest import free_port, wait_until
from tests.security.brokers import SecuredMosquitto, connect_answer, self_signed

pytestmark = pytest.mark.mqtt
REFUSED = "Not authorized"


@pytest.fixture
def site() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def mosquitto_binary() -> None:
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        pytest.fail("mosquitto binary not installed (CI must provide it)")


def scan(device: str, seq: int, code: str = "CMD-SHELVE") -> bytes:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return payloads.encode_scan(
        payloads.ScanMessage(str(uuid.uuid4()), device, seq, code, None, code, now,
                             now, "scan")
    )  # fmt: skip


def client(url: str, name: str, password: str | None, on_message=None, **kw):
    return MqttClient(
        MqttParams(url=url, client_id=f"{name}-{uuid.uuid4().hex[:6]}", persistent=False,
                   username=name if password else None, password=password, **kw),
        on_message=on_message or (lambda m: None),
    )  # fmt: skip


def listener(url: str, name: str, password: str | None, filters, **kw):
    """A client recording every (topic, payload) it receives on ``filters``."""
    got: list[tuple[str, bytes]] = []
    c = MqttClient(
        MqttParams(url=url, client_id=f"{name}-{uuid.uuid4().hex[:6]}", persistent=False,
                   username=name, password=password, **kw),
        on_message=lambda m: got.append((m.topic, m.payload)),
    )  # fmt: skip
    for f in filters:
        c.subscribe(f, 1)
    return c, got


def cli_out(capsys, *argv: str) -> str:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out.strip()


@pytest.fixture
def station_env(database_url, site, tmp_path, monkeypatch):
    """Settings for the CLI: this test's database and site, the service's password
    file (created by ``station mosquitto-config``)."""
    env = {
        "ARCHIVE_DATABASE_URL": database_url,
        "ARCHIVE_SITE": site,
        "ARCHIVE_MQTT_PASSWORD_FILE": str(tmp_path / "svc.pw"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def generated_files(capsys, out: Path) -> None:
    cli_out(capsys, "station", "mosquitto-config", "-o", str(out))


async def journal_rows() -> list[dict]:
    return await fetch(
        current(),
        "SELECT code, message, body FROM rejection_journal WHERE source = 'mqtt'"
        " ORDER BY id",
    )


async def inbox_devices() -> list[str]:
    rows = await fetch(current(), "SELECT device_id FROM scan_inbox ORDER BY device_id")
    return [r["device_id"] for r in rows]


def test_register_prints_the_password_once_and_keeps_only_its_mosquitto_hash(
    station_env, capsys
):
    password = cli_out(capsys, "station", "register", "st-01")
    runtime = bootstrap.build_runtime(load_settings(env=station_env))
    [record] = asyncio.run(runtime.stations().all())
    assert (
        record.password_hash.startswith("$7$") and password not in record.password_hash
    )
    assert access.verify_password(password, record.password_hash)
    assert cli.main(["station", "register", "archive-svc"]) == 1  # the service's name
    assert cli.main(["station", "register", "ST 01"]) == 1
    listed = cli_out(capsys, "station", "list")
    assert listed.startswith("st-01\t") and "active" in listed
    assert cli.main(["station", "disable", "st-01"]) == 0
    assert "disabled" in cli_out(capsys, "station", "list")
    assert cli.main(["station", "disable", "st-99"]) == 1


def test_gateway_takes_no_password_on_its_command_line():
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(
            ["gateway", "--port", "loop://", "--device-id", "st-01", "--password", "x"]
        )


def test_connection_parameters_never_show_the_password():
    params = MqttParams(username="st-01", password="s3cret-value")
    assert "s3cret-value" not in repr(params)


def test_our_hashes_and_mosquitto_passwd_hashes_are_the_same_format(tmp_path):
    exe = shutil.which("mosquitto_passwd")
    assert exe, "mosquitto_passwd not installed (CI must provide it)"
    pw_file = tmp_path / "p"
    subprocess.run([exe, "-c", "-b", str(pw_file), "st-01", "s3cret"], check=True)
    theirs = pw_file.read_text().strip().split(":", 1)[1]
    assert access.verify_password("s3cret", theirs)
    assert not access.verify_password("s3cret!", theirs)
    assert not access.verify_password("s3cret", "$6$salt$notpbkdf2")


def test_mosquitto_with_the_generated_files_refuses_anonymous_and_foreign_topics(
    station_env, capsys, tmp_path, site, mosquitto_binary
):
    pw1 = cli_out(capsys, "station", "register", "st-01")
    pw2 = cli_out(capsys, "station", "register", "st-02")
    cli_out(capsys, "station", "register", "st-03")
    assert cli.main(["station", "disable", "st-03"]) == 0
    generated_files(capsys, tmp_path / "broker")
    svc_pw = (tmp_path / "svc.pw").read_text().strip()
    assert stat.S_IMODE(os.stat(tmp_path / "svc.pw").st_mode) == 0o600
    acl = (tmp_path / "broker" / "acl").read_text()
    assert "st-03" not in acl and "pattern" not in acl
    broker = SecuredMosquitto(tmp_path, tmp_path / "broker").start()
    try:
        url = broker.url
        assert connect_answer(MqttParams(url=url, client_id="anon")) == REFUSED
        assert connect_answer(MqttParams(url=url, client_id="x", username="st-01",
                                         password=pw2)) == REFUSED  # fmt: skip
        assert connect_answer(MqttParams(url=url, client_id="y", username="st-03",
                                         password="x")) == REFUSED  # fmt: skip
        assert connect_answer(MqttParams(url=url, client_id="z", username="st-01",
                                         password=pw1)) == "Success"  # fmt: skip
        svc, seen = listener(url, "archive-svc", svc_pw, [topics.all_scans(site)])
        spy, spied = listener(url, "st-01", pw1,
                              [f"archive/{site}/#", topics.feedback(site, "st-02")])  # fmt: skip
        st2, st2_got = listener(url, "st-02", pw2, [topics.feedback(site, "st-02")])
        st1 = client(url, "st-01", pw1)
        for c in (svc, spy, st2, st1):
            c.start()
        try:
            wait_until(lambda: all(c.connected for c in (svc, spy, st2, st1)))
            time.sleep(0.3)  # subscriptions made in on_connect
            st1.publish(topics.scan(site, "st-02"), scan("st-02", 1), 1)  # not its own
            st1.publish(topics.feedback(site, "st-02"), b"forged", 1)
            st1.publish(topics.scan(site, "st-01"), scan("st-01", 1), 1)
            wait_until(lambda: seen)
            svc.publish(topics.feedback(site, "st-02"), b"for st-02", 1)
            wait_until(lambda: st2_got)
            time.sleep(0.5)
        finally:
            for c in (svc, spy, st2, st1):
                c.stop()
        assert [t for t, _ in seen] == [topics.scan(site, "st-01")]
        assert st2_got == [(topics.feedback(site, "st-02"), b"for st-02")]
        assert spied == []  # st-01 reads nothing of the site, not even st-02's feedback
    finally:
        broker.kill()


def test_a_registered_station_works_end_to_end_through_mosquitto_with_acls(
    station_env, capsys, tmp_path, site, mosquitto_binary
):
    pw1 = cli_out(capsys, "station", "register", "st-01")
    generated_files(capsys, tmp_path / "broker")
    broker = SecuredMosquitto(tmp_path, tmp_path / "broker").start()
    env = {**station_env, "ARCHIVE_MQTT_BROKER": "external",
           "ARCHIVE_MQTT_URL": broker.url}  # fmt: skip

    async def run() -> list[payloads.Feedback]:
        runtime = bootstrap.build_runtime(load_settings(env=env))
        answers: list[payloads.Feedback] = []
        st1 = MqttClient(
            MqttParams(url=broker.url, client_id="gw-st-01", persistent=False,
                       username="st-01", password=pw1),
            on_message=lambda m: answers.append(payloads.decode_feedback(m.payload)),
        )  # fmt: skip
        st1.subscribe(topics.feedback(site, "st-01"), 1)
        await runtime.start_ingest()
        st1.start()
        try:
            assert runtime.consumer is not None
            await asyncio.to_thread(
                wait_until, lambda: runtime.consumer.connected and st1.connected
            )
            await asyncio.sleep(0.3)
            st1.publish(topics.scan(site, "st-01"), scan("st-01", 1), 1)
            await asyncio.to_thread(wait_until, lambda: answers)
        finally:
            st1.stop()
            await runtime.stop_ingest()
        return answers

    try:
        answers = asyncio.run(run())
    finally:
        broker.kill()
    assert [(a.outcome, a.code) for a in answers] == [("accepted", "mode_set")]


async def test_the_consumer_refuses_unregistered_and_disabled_stations_when_the_broker_lets_them_in(
    database_url, site
):
    """Defence in depth, on the machine's anonymous Mosquitto: the reproduction of the
    finding (an invented station id, no credentials) is refused and journaled."""
    require_service("Mosquitto", "127.0.0.1", 1883)
    runtime = bootstrap.build_runtime(
        load_settings(env={"ARCHIVE_DATABASE_URL": database_url, "ARCHIVE_SITE": site,
                           "ARCHIVE_MQTT_BROKER": "external",
                           "ARCHIVE_MQTT_URL": "mqtt://127.0.0.1:1883"})
    )  # fmt: skip
    for device in ("st-01", "st-02"):
        await station.register_station(
            device, site, runtime.stations(), runtime.clock, "archive-svc"
        )
    await station.register_station(
        "st-04", "elsewhere", runtime.stations(), runtime.clock, "archive-svc"
    )
    await stations.disable("st-02", runtime.stations(), runtime.clock)
    answers: list[tuple[str, bytes]] = []
    anonymous = MqttClient(
        MqttParams(url="mqtt://127.0.0.1:1883", client_id=f"anon-{site}", persistent=False),
        on_message=lambda m: answers.append((m.topic, m.payload)),
    )  # fmt: skip
    anonymous.subscribe(f"archive/{site}/scanners/+/feedback", 1)
    await runtime.start_ingest()
    anonymous.start()
    try:
        await asyncio.to_thread(
            wait_until, lambda: runtime.consumer.connected and anonymous.connected
        )
        await asyncio.sleep(0.3)
        for device in ("st-99", "st-02", "st-04", "st-01"):
            anonymous.publish(topics.scan(site, device), scan(device, 1), 1)
        await asyncio.to_thread(wait_until, lambda: answers)
        journal = []
        for _ in range(100):
            journal = await journal_rows()
            if len(journal) == 3:
                break
            await asyncio.sleep(0.05)
    finally:
        anonymous.stop()
        await runtime.stop_ingest()
    assert [t for t, _ in answers] == [topics.feedback(site, "st-01")]
    assert await inbox_devices() == ["st-01"]
    assert [r["code"] for r in journal] == [
        "unregistered_station", "disabled_station", "station_of_another_site",
    ]  # fmt: skip
    assert "'st-99' is not registered" in journal[0]["message"]
    assert json.loads(journal[0]["body"])["topic"] == topics.scan(site, "st-99")


async def test_the_embedded_broker_requires_credentials_and_keeps_stations_to_their_topics(
    database_url, site
):
    port = free_port()
    runtime = bootstrap.build_runtime(
        load_settings(env={"ARCHIVE_DATABASE_URL": database_url, "ARCHIVE_SITE": site,
                           "ARCHIVE_MQTT_BROKER": "embedded",
                           "ARCHIVE_MQTT_EMBEDDED_PORT": str(port)})
    )  # fmt: skip
    pw1 = await station.register_station(
        "st-01", site, runtime.stations(), runtime.clock, "archive-svc"
    )
    pw2 = await station.register_station(
        "st-02", site, runtime.stations(), runtime.clock, "archive-svc"
    )
    url = f"mqtt://127.0.0.1:{port}"
    await runtime.start_ingest()
    try:

        def answer(**kw) -> str:
            return connect_answer(MqttParams(url=url, client_id=uuid.uuid4().hex, **kw))

        assert await asyncio.to_thread(answer) == REFUSED
        assert (
            await asyncio.to_thread(answer, username="st-01", password=pw2) == REFUSED
        )
        assert await asyncio.to_thread(answer, username="archive-svc",
                                       password="guess") == REFUSED  # fmt: skip
        answers: list[payloads.Feedback] = []
        st1 = client(url, "st-01", pw1,
                     lambda m: answers.append(payloads.decode_feedback(m.payload)))  # fmt: skip
        st1.subscribe(topics.feedback(site, "st-01"), 1)
        spy, spied = listener(url, "st-01", pw1, [f"archive/{site}/#"])
        st1.start()
        spy.start()
        try:
            await asyncio.to_thread(
                wait_until,
                lambda: runtime.consumer.connected and st1.connected and spy.connected,
            )
            await asyncio.sleep(0.3)
            st1.publish(topics.scan(site, "st-02"), scan("st-02", 1), 1)
            st1.publish(topics.scan(site, "st-01"), scan("st-01", 1), 1)
            await asyncio.to_thread(wait_until, lambda: answers)
            await asyncio.sleep(0.5)
        finally:
            st1.stop()
            spy.stop()
    finally:
        await runtime.stop_ingest()
    assert [(a.outcome, a.code) for a in answers] == [("accepted", "mode_set")]
    assert await inbox_devices() == ["st-01"]  # st-02's topic was not st-01's to use
    assert await journal_rows() == []  # dropped by the broker, never delivered
    assert spied == []  # no subscription beyond its own feedback


def test_mqtt_over_tls_with_a_self_signed_certificate(
    station_env, capsys, tmp_path, site, mosquitto_binary
):
    pw1 = cli_out(capsys, "station", "register", "st-01")
    generated_files(capsys, tmp_path / "broker")
    svc_pw = (tmp_path / "svc.pw").read_text().strip()
    ca, cert, key = self_signed(tmp_path)
    broker = SecuredMosquitto(tmp_path, tmp_path / "broker", tls=(cert, key)).start()
    try:
        url = broker.url
        assert url.startswith("mqtts://")
        trusted = {"ca_file": str(ca)}
        assert connect_answer(MqttParams(url=url, client_id="a", username="st-01",
                                         password=pw1, **trusted)) == "Success"  # fmt: skip
        assert connect_answer(MqttParams(url=url, client_id="b", username="st-01",
                                         password=pw1)).startswith("no answer")  # fmt: skip
        assert connect_answer(MqttParams(url=url, client_id="c", **trusted)) == REFUSED
        plain = url.replace("mqtts://", "mqtt://")
        assert connect_answer(MqttParams(url=plain, client_id="d", username="st-01",
                                         password=pw1)) != "Success"  # fmt: skip
        svc, seen = listener(url, "archive-svc", svc_pw, [topics.all_scans(site)],
                             **trusted)  # fmt: skip
        st1 = client(url, "st-01", pw1, **trusted)
        svc.start()
        st1.start()
        try:
            wait_until(lambda: svc.connected and st1.connected)
            time.sleep(0.3)
            st1.publish(topics.scan(site, "st-01"), scan("st-01", 1), 1)
            wait_until(lambda: seen)
        finally:
            svc.stop()
            st1.stop()
        assert [t for t, _ in seen] == [topics.scan(site, "st-01")]
    finally:
        broker.kill()


def test_the_documented_deploy_configuration_runs_with_the_generated_files(
    station_env, capsys, tmp_path, site, mosquitto_binary
):
    """deploy/mosquitto.conf as shipped, paths and ports moved into the test's dir."""
    pw1 = cli_out(capsys, "station", "register", "st-01")
    generated_files(capsys, tmp_path / "archive-svc")
    ca, cert, key = self_signed(tmp_path)
    tls_port, plain_port = free_port(), free_port()
    conf = (Path(__file__).parents[2] / "deploy" / "mosquitto.conf").read_text()
    for old, new in (
        ("/etc/mosquitto/archive-svc", str(tmp_path / "archive-svc")),
        ("/etc/mosquitto/certs/broker.pem", str(cert)),
        ("/etc/mosquitto/certs/broker.key", str(key)),
        ("/var/lib/mosquitto/", f"{tmp_path}/"),
        ("listener 8883", f"listener {tls_port} 127.0.0.1"),
        ("listener 1883 127.0.0.1", f"listener {plain_port} 127.0.0.1"),
    ):
        assert old in conf
        conf = conf.replace(old, new)
    broker = SecuredMosquitto(tmp_path, tmp_path / "archive-svc")
    broker.port = plain_port
    broker.conf.write_text(conf + ("user root\n" if os.geteuid() == 0 else ""))
    broker.start()
    try:
        plain = f"mqtt://127.0.0.1:{plain_port}"
        tls = f"mqtts://127.0.0.1:{tls_port}"
        assert connect_answer(MqttParams(url=plain, client_id="anon")) == REFUSED
        assert (
            connect_answer(MqttParams(url=tls, client_id="anon", ca_file=str(ca)))
            == REFUSED
        )
        assert connect_answer(MqttParams(url=tls, client_id="st", username="st-01",
                                         password=pw1, ca_file=str(ca))) == "Success"  # fmt: skip
    finally:
        broker.kill()
