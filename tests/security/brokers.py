"""Brokers and clients for the station credential tests: a private Mosquitto run with
the password file and ACL the service generates (optionally over TLS with a
self-signed certificate made here), and a CONNECT probe that reports the broker's
answer."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import subprocess
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from paho.mqtt.enums import CallbackAPIVersion

from devices.mqtt import MqttParams
from tests.integration.devices.conftest import free_port, reachable, wait_until


class SecuredMosquitto:
    """Mosquitto on a free loopback port: no anonymous access, ``passwd`` and ``acl``
    from ``files_dir``; with ``tls`` (cert, key) the listener speaks TLS only."""

    def __init__(
        self, workdir: Path, files_dir: Path, tls: tuple[Path, Path] | None = None
    ) -> None:
        self.port = free_port()
        scheme = "mqtts" if tls else "mqtt"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.conf = workdir / "mosquitto-secured.conf"
        self.log = workdir / "mosquitto-secured.log"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false",
            f"password_file {files_dir / 'passwd'}",
            f"acl_file {files_dir / 'acl'}",
        ]
        if tls:
            lines += [f"certfile {tls[0]}", f"keyfile {tls[1]}"]
        if os.geteuid() == 0:
            lines.append("user root")
        self.conf.write_text("\n".join(lines) + "\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SecuredMosquitto:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [exe, "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: reachable("127.0.0.1", self.port), timeout=10)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


def connect_answer(params: MqttParams, timeout: float = 5.0) -> str:
    """Connect once (no retry) and return the broker's CONNACK reason, e.g.
    ``Success`` or ``Not authorized``; ``no answer`` when none came (TLS refused)."""
    answer: list[str] = []
    done = threading.Event()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=params.client_id, protocol=mqtt.MQTTv311
    )
    if params.username is not None:
        client.username_pw_set(params.username, params.password)
    if params.tls:
        client.tls_set_context(params.ssl_context())

    def on_connect(c, userdata, flags, reason, properties):
        answer.append(str(reason))
        done.set()

    client.on_connect = on_connect
    try:
        client.connect(params.host, params.port, 30)
    except OSError as exc:  # TLS handshake failures surface here
        return f"no answer: {type(exc).__name__}"
    client.loop_start()
    try:
        done.wait(timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    return answer[0] if answer else "no answer"


def self_signed(workdir: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "archive-svc test CA")]
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = workdir / "ca.pem", workdir / "server.pem", workdir / "server.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths
