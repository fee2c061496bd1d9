"""Thin paho-mqtt 2.x wrapper: the only module importing paho (stack-notes section 7).

* ``CallbackAPIVersion.VERSION2``; ``connect_async`` + ``loop_start`` so a broker that
  is down at start is retried (``reconnect_delay_set(1, 60)``), never raised.
* Persistent session with a fixed client id: MQTT 3.1.1 ``clean_session=False``;
  MQTT 5 ``clean_start=False`` plus a ``SessionExpiryInterval``.
* Last will ``offline`` (retained, QoS 1) on the status topic; ``online`` is published
  retained on every connect; a clean :meth:`MqttClient.stop` publishes ``offline``.
* Subscriptions are (re)made in ``on_connect`` on every connect.
* Every callback body is wrapped: an exception would otherwise kill paho's thread.

Threading: ``on_message``, ``on_connect`` and ``on_disconnect`` handed to the
constructor run **on paho's network thread**; the owner bridges to its own thread or
event loop (``devices`` never touches another component's loop). A slow callback
blocks the network loop. :meth:`publish`, :meth:`ack` and :meth:`subscribe` may be
called from any thread.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

log = logging.getLogger(__name__)

ONLINE = "online"
OFFLINE = "offline"


@dataclass(frozen=True)
class MqttParams:
    """Connection parameters (plain values; the CLI builds them from settings).

    Attributes:
        url: ``mqtt://host:port`` (default port 1883) or ``mqtts://host:port``
            (TLS, default port 8883; the server certificate and host name are
            always verified).
        client_id: fixed id; required for a persistent session.
        protocol: 311 (amqtt, default) or 5.
        persistent: keep the session across disconnects and restarts.
        session_expiry: seconds the broker keeps the session (MQTT 5 only).
        keepalive: seconds between pings.
        status_topic: where ``online``/``offline`` (and the will) go; None for none.
        manual_ack: incoming QoS 1 messages are acked by :meth:`MqttClient.ack`.
        username: MQTT username (None: connect without credentials).
        password: its password (never shown in ``repr``).
        ca_file: CA bundle (PEM) checking the broker's certificate over TLS; None
            for the system's trusted CAs.
        cert_file: client certificate (PEM) for brokers that require one.
        key_file: the client certificate's private key (PEM).
    """

    url: str = "mqtt://127.0.0.1:1883"
    client_id: str = ""
    protocol: Literal[311, 5] = 311
    persistent: bool = True
    session_expiry: int = 7 * 24 * 3600
    keepalive: int = 30
    status_topic: str | None = None
    manual_ack: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None

    @property
    def host(self) -> str:
        return self._split()[0]

    @property
    def port(self) -> int:
        return self._split()[1]

    @property
    def tls(self) -> bool:
        """Whether the URL asks for TLS (``mqtts://``)."""
        return self._split()[2]

    def _split(self) -> tuple[str, int, bool]:
        parts = urlsplit(self.url)
        if parts.scheme not in ("mqtt", "tcp", "mqtts", "ssl") or not parts.hostname:
            raise ValueError(f"expected mqtt://host:port or mqtts://, got {self.url!r}")
        tls = parts.scheme in ("mqtts", "ssl")
        return parts.hostname, parts.port or (8883 if tls else 1883), tls

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context: the broker's certificate and host name verified."""
        context = ssl.create_default_context(cafile=self.ca_file)
        if self.cert_file:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context


@dataclass(frozen=True)
class Message:
    """An incoming message, detached from paho. ``mid`` is for :meth:`ack`."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    mid: int
    dup: bool


MessageCallback = Callable[[Message], None]
ConnectCallback = Callable[[bool], None]  # argument: session_present
DisconnectCallback = Callable[[str], None]  # argument: reason


def _noop(*_: object) -> None:
    return None


def _no_delay(client: mqtt.Client) -> None:
    """Disable Nagle: small QoS 1 packets otherwise wait for the peer's delayed ACK
    (measured: a 28 ms round trip on loopback instead of 1.3 ms)."""
    sock = client.socket()
    if isinstance(sock, socket.socket):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            log.debug("TCP_NODELAY not available on %r", sock)


class MqttClient:
    """One MQTT connection. Call :meth:`start` once, :meth:`stop` once."""

    def __init__(
        self,
        params: MqttParams,
        *,
        on_message: MessageCallback = _noop,
        on_connect: ConnectCallback = _noop,
        on_disconnect: DisconnectCallback = _noop,
    ) -> None:
        if params.persistent and not params.client_id:
            raise ValueError("a persistent session needs a fixed client_id")
        params.host  # noqa: B018  (validate the URL now, not on paho's thread)
        self.params = params
        self._on_message = on_message
        self._on_connect = on_connect
        self._on_disconnect = on_disconnect
        self._subs: dict[str, int] = {}
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        p = self.params
        v5 = p.protocol == 5
        extra: dict[str, Any] = {} if v5 else {"clean_session": not p.persistent}
        c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=p.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            manual_ack=p.manual_ack,
            **extra,
        )
        c.reconnect_delay_set(min_delay=1, max_delay=60)
        if p.username is not None:
            c.username_pw_set(p.username, p.password)
        if p.tls:
            c.tls_set_context(p.ssl_context())
        if p.status_topic:
            c.will_set(p.status_topic, OFFLINE, qos=1, retain=True)
        c.on_connect = self._handle_connect
        c.on_disconnect = self._handle_disconnect
        c.on_message = self._handle_message
        return c

    @property
    def connected(self) -> bool:
        """True while the network connection is up (as far as paho knows)."""
        return self._client.is_connected()

    def start(self) -> None:
        """Connect in the background (retrying forever) and start paho's thread."""
        p = self.params
        if p.protocol == 5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = p.session_expiry if p.persistent else 0
            self._client.connect_async(
                p.host, p.port, p.keepalive, clean_start=not p.persistent,
                properties=props,
            )  # fmt: skip
        else:
            self._client.connect_async(p.host, p.port, p.keepalive)
        self._client.loop_start()

    def stop(self, timeout: float = 2.0) -> None:
        """Publish ``offline`` (if connected), disconnect cleanly, stop the thread."""
        if self.params.status_topic and self.connected:
            info = self._client.publish(self.params.status_topic, OFFLINE, 1, True)
            info.wait_for_publish(timeout)
        self._client.disconnect()
        self._client.loop_stop()

    def subscribe(self, topic: str, qos: int = 1) -> None:
        """Subscribe now if connected, and again on every reconnect."""
        self._subs[topic] = qos
        if self.connected:
            self._client.subscribe(topic, qos)

    def publish(
        self, topic: str, payload: bytes | str, qos: int = 1, retain: bool = False
    ) -> int | None:
        """Queue a message; returns its mid, or None when not connected (nothing is
        queued then: durable retries are the caller's outbox's job)."""
        if not self.connected:
            return None
        info = self._client.publish(topic, payload, qos, retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            log.warning(
                "publish to %s not sent now: %s", topic, mqtt.error_string(info.rc)
            )
        return info.mid

    def ack(self, mid: int, qos: int) -> None:
        """Acknowledge an incoming message (``manual_ack=True``), in arrival order."""
        self._client.ack(mid, qos)

    def _handle_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        try:
            if reason.is_failure:
                log.warning("MQTT connect refused by %s: %s", self.params.url, reason)
                return
            log.info("MQTT connected to %s (session present: %s)",
                     self.params.url, flags.session_present)  # fmt: skip
            _no_delay(client)
            for topic, qos in self._subs.items():
                client.subscribe(topic, qos)
            if self.params.status_topic:
                client.publish(self.params.status_topic, ONLINE, 1, True)
            self._on_connect(flags.session_present)
        except Exception:
            log.exception("MQTT on_connect handler failed")

    def _handle_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        try:
            log.info("MQTT disconnected from %s: %s", self.params.url, reason)
            self._on_disconnect(str(reason))
        except Exception:
            log.exception("MQTT on_disconnect handler failed")

    def _handle_message(
        self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage
    ) -> None:
        try:
            self._on_message(
                Message(msg.topic, bytes(msg.payload), msg.qos, bool(msg.retain),
                        msg.mid, bool(msg.dup))
            )  # fmt: skip
        except Exception:
            log.exception("MQTT on_message handler failed for %s", msg.topic)
