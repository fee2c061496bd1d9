"""Embedded MQTT 3.1.1 broker on loopback: the only module importing amqtt.

Configuration keys checked against amqtt 0.12.1 (``amqtt.contexts.BrokerConfig``):
``listeners.default.{type,bind}``, ``session_expiry_interval`` and ``plugins`` as a
mapping of dotted class path -> options (each plugin's ``Config`` dataclass, checked
strictly). Passing ``plugins`` replaces amqtt's defaults, which is how the packet
logger, the ``$SYS`` publisher and anonymous access are dropped.

Credentials and topic rules are the ones Mosquitto gets (:mod:`devices.mqtt.access`),
checked by two plugins of this module: :class:`PasswordAuth` (username and ``$7$``
hash; amqtt's own ``FileAuthPlugin`` reads only argon2 and sha512-crypt) and
:class:`TopicAcl` (publish and subscribe filters per user; amqtt's
``TopicAccessControlListPlugin`` has no subscribe list that is not deprecated). A
client without credentials, or with a wrong password, is refused at CONNECT; a
publish outside the user's rules is dropped; a subscription outside them is refused.
They are read when the broker starts: restart it after registering a station.

amqtt does not queue QoS 1 messages for offline persistent sessions (stack-notes
section 10): no-loss for scans comes from the gateway outbox, not from this broker.
Nor has it a queue limit to configure (0.12.1: no key like Mosquitto's
``max_queued_messages``; a connected session's queues are unbounded in memory), so the
demo's backlog is bounded by the gateway's in-flight window instead. For Mosquitto,
see ``deploy/mosquitto.conf``.

Threading: :meth:`EmbeddedBroker.start` and :meth:`EmbeddedBroker.shutdown` are
coroutines run on the owner's event loop; the broker lives on that loop.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from . import access, topics


class PasswordAuth(BaseAuthPlugin):  # type: ignore[misc]
    """amqtt plugin: a known username whose password matches its ``$7$`` hash."""

    @dataclass
    class Config:
        users: dict[str, str] = field(default_factory=dict)
        """username -> ``$7$`` hash (:func:`devices.mqtt.access.hash_password`)."""

    async def authenticate(self, *, session: Session) -> bool | None:
        users: dict[str, str] = self._get_config_option("users", {})
        hashed = users.get(session.username or "")
        return hashed is not None and access.verify_password(
            session.password or "", hashed
        )


class TopicAcl(BaseTopicPlugin):  # type: ignore[misc]
    """amqtt plugin: per-user publish and subscribe filters; nothing else allowed."""

    @dataclass
    class Config:
        publish: dict[str, list[str]] = field(default_factory=dict)
        subscribe: dict[str, list[str]] = field(default_factory=dict)

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool | None:
        if session is None or not session.username or not topic:
            return False
        if action == Action.PUBLISH:
            allowed = self._get_config_option("publish", {}).get(session.username, [])
            return any(topics.matches(f, topic) for f in allowed)
        allowed = self._get_config_option("subscribe", {}).get(session.username, [])
        if action == Action.SUBSCRIBE:
            return any(access.covers(f, topic) for f in allowed)
        return any(topics.matches(f, topic) for f in allowed)  # RECEIVE


def _plugins(
    users: Mapping[str, str], rules: Iterable[access.AccessRule]
) -> dict[str, dict[str, Any]]:
    rules = list(rules)
    return {
        "amqtt.plugins.logging_amqtt.EventLoggerPlugin": {},
        f"{__name__}.PasswordAuth": {"users": dict(users)},
        f"{__name__}.TopicAcl": {
            "publish": {r.username: list(r.publish) for r in rules},
            "subscribe": {r.username: list(r.subscribe) for r in rules},
        },
    }


class EmbeddedBroker:
    """amqtt broker bound to a loopback address, refusing clients without credentials.

    Args:
        host: loopback address to bind (``127.0.0.1`` or ``::1``).
        port: TCP port (11883 by default so it never clashes with Mosquitto on 1883).
        users: username -> ``$7$`` password hash; nobody else may connect.
        rules: what each user may publish and subscribe to.
        session_expiry: seconds an inactive session is kept.

    Raises:
        ValueError: ``host`` is not a loopback address.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 11883,
        *,
        users: Mapping[str, str],
        rules: Iterable[access.AccessRule],
        session_expiry: int = 7 * 24 * 3600,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the embedded broker binds loopback only, not {host!r}")
        self.host = host
        self.port = port
        self._session_expiry = session_expiry
        self._plugins = _plugins(users, rules)
        self._broker: Broker | None = None

    @property
    def url(self) -> str:
        """``mqtt://host:port`` for :class:`devices.mqtt.MqttParams`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"mqtt://{host}:{self.port}"

    def config(self) -> dict[str, Any]:
        """The amqtt configuration dictionary this broker starts with."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return {
            "listeners": {"default": {"type": "tcp", "bind": f"{host}:{self.port}"}},
            "session_expiry_interval": self._session_expiry,
            "plugins": {name: dict(opts) for name, opts in self._plugins.items()},
        }

    async def start(self) -> None:
        """Bind and start serving on the running loop.

        Raises:
            RuntimeError: already started.
        """
        if self._broker is not None:
            raise RuntimeError("embedded broker already started")
        broker = Broker(self.config())
        await broker.start()
        self._broker = broker

    async def shutdown(self) -> None:
        """Stop serving and close client connections; idempotent."""
        broker, self._broker = self._broker, None
        if broker is not None:
            await broker.shutdown()
