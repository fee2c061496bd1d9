"""Embedded MQTT 3.1.1 broker on loopback: the only module importing amqtt.

Configuration keys checked against amqtt 0.12.1 (``amqtt.contexts.BrokerConfig``):
``listeners.default.{type,bind}``, ``session_expiry_interval`` and ``plugins`` as a
mapping of dotted class path -> options. Passing ``plugins`` replaces amqtt's defaults,
which is how the packet logger (and the ``$SYS`` publisher) are dropped; anonymous
access stays allowed, which is acceptable only because the listener is loopback-only.

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
from typing import Any

from amqtt.broker import Broker

_PLUGINS: dict[str, dict[str, Any]] = {
    "amqtt.plugins.logging_amqtt.EventLoggerPlugin": {},
    "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
}


class EmbeddedBroker:
    """amqtt broker bound to a loopback address.

    Args:
        host: loopback address to bind (``127.0.0.1`` or ``::1``).
        port: TCP port (11883 by default so it never clashes with Mosquitto on 1883).
        session_expiry: seconds an inactive session is kept.

    Raises:
        ValueError: ``host`` is not a loopback address.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 11883,
        *,
        session_expiry: int = 7 * 24 * 3600,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the embedded broker binds loopback only, not {host!r}")
        self.host = host
        self.port = port
        self._session_expiry = session_expiry
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
            "plugins": {name: dict(opts) for name, opts in _PLUGINS.items()},
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
