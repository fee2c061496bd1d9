"""The ingest consumer: MQTT (paho thread) -> asyncio queue -> one sequential worker
that routes each message by topic filter to its :class:`MessageHandler`.

For each message, in arrival order:

1. A retained message (or an empty payload, which is how a retained one is cleared)
   is not a live message: it is ignored and acked, and a retained one is cleared by
   publishing an empty retained message on its topic (so it is not replayed at every
   start).
2. ``decode``, then ``admit`` (e.g. the station is registered and active): a
   message the handler does not admit is quarantined with the reason, then acked.
   ``decode``: a message the handler refuses (``ValueError``: bad JSON, a field out of
   bounds, a wrong topic; or any other error of the decoder) is quarantined in the
   rejection journal with its reason, then acked. A journal write that keeps
   failing for a reason retrying cannot cure is logged with the payload, and acked.
3. ``handle`` runs one committed transaction, **then** the message is acked, then
   the handler's replies (e.g. a scanner's feedback) are published. Group commit:
   when several messages wait (a backlog after an outage), consecutive messages of
   a handler with ``group`` > 1 are carried out by ``handle_many`` in one
   transaction, each with its own result; after the commit each is acked, in
   order, and answered. A group that fails is handled again message by message. While the
   database is down the handler is retried with capped backoff and nothing is acked,
   so the broker keeps the message and the persistent session the following ones.
   An error that retrying cannot cure (:func:`is_permanent`: a value out of range, a
   string too long, a domain refusal raised instead of returned) is retried only
   ``attempts`` times, then the message is quarantined with the error and acked:
   one bad message never holds up the others.

Ordering and shared subscriptions. With ``share_group`` the subscriptions are
``$share/{group}/{filter}`` (MQTT 5; Mosquitto also honours them on 3.1.1): each
message goes to one instance of the group, so two ``serve`` instances split the
stream, and a station's reads may be handled by either. Each instance keeps a single
sequential worker (acks in arrival order, a message acked only after its commit), so
within one instance a station's reads are handled in the order the broker delivered
them; across instances there is no order, and none is assumed here: the scan service
orders each station's reads by its ``device_seq`` (gap and sequence checks on the
station's session row, updated in the same transaction as the read). Matching a
message to its handler uses the plain filter, since messages arrive on their own
topic name, never on the ``$share/...`` filter.

Threading: paho's callbacks only call ``loop.call_soon_threadsafe``; everything else
runs on the event loop that called :meth:`Consumer.start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from archive_svc.domain import errors
from devices.mqtt import Message, MqttClient, MqttParams, topics

log = logging.getLogger(__name__)

C = TypeVar("C")
R = TypeVar("R")
Reply = tuple[str, bytes]
"""A message published (QoS 1, not retained) after the ack: (topic, payload)."""
Quarantine = Callable[[str, bytes, str], Awaitable[None]]
"""Journals a refused message (topic, payload, reason) in one committed transaction."""


class MessageHandler(ABC, Generic[C, R]):
    """One kind of message (the messages of one topic filter): decode, record, answer."""

    @abstractmethod
    def decode(self, msg: Message, received_at: datetime) -> C:
        """The command for a message (pure).

        Raises:
            ValueError: the message is refused; the reason is journaled (quarantine).
        """

    @abstractmethod
    async def handle(self, command: C) -> R:
        """Carry out the command in one committed transaction.

        May be called again with the same command after a failure (idempotent).
        """

    group: int = 1
    """Most commands :meth:`handle_many` carries out in one transaction."""

    async def handle_many(self, commands: Sequence[C]) -> Sequence[R]:
        """Carry out commands in their order, each with the result it would have
        alone (a handler with ``group`` > 1 does it in one committed transaction:
        group commit). May be called again with the same commands after a failure.
        """
        return [await self.handle(c) for c in commands]

    def replies(self, command: C, result: R) -> Sequence[Reply]:
        """Messages to publish once the command is committed and acked (none)."""
        return ()

    async def admit(self, command: C) -> str | None:
        """Why the sender may not have this command handled (the message is then
        quarantined with this reason), or None (the default: admitted)."""
        return None


class Consumer:
    """Subscribe to each filter of ``handlers`` and feed its messages to its handler.

    Args:
        url: broker URL (``mqtt://host:port``).
        site: site id (the service's status topic).
        instance: service instance; the client id is ``svc-{site}-{instance}``.
        handlers: ``{topic filter: handler}``; a message goes to the first filter
            matching its topic.
        quarantine: journals a refused message (topic, payload, reason).
        protocol: 311 or 5.
        share_group: subscribe as ``$share/{share_group}/{filter}`` (several
            instances split the messages); None for a plain subscription.
        retry_max: longest pause (s) between retries while the handler fails.
        attempts: tries before an error that retrying cannot cure is quarantined.
        permanent: tells such errors from an outage (default :func:`is_permanent`).
        connection: credentials (the service's account) and TLS files; its
            url, client id, ack mode and status topic are set here.
    """

    def __init__(
        self,
        url: str,
        site: str,
        instance: str,
        handlers: Mapping[str, MessageHandler[Any, Any]],
        quarantine: Quarantine,
        *,
        protocol: int = 311,
        share_group: str | None = None,
        retry_max: float = 5.0,
        attempts: int = 3,
        permanent: Callable[[BaseException], bool] | None = None,
        connection: MqttParams | None = None,
    ) -> None:
        self.site = site
        self._handlers = dict(handlers)
        self._quarantine = quarantine
        self._share = share_group
        self._retry_max = retry_max
        self._attempts = max(1, attempts)
        self._permanent = permanent or is_permanent
        self._params = dataclasses.replace(
            connection or MqttParams(), url=url, client_id=f"svc-{site}-{instance}",
            protocol=5 if protocol == 5 else 311, manual_ack=True,
            status_topic=topics.service_status(site, instance),
        )  # fmt: skip
        self._queue: asyncio.Queue[Message] = asyncio.Queue()
        self._client: MqttClient | None = None
        self._task: asyncio.Task[None] | None = None
        self.processed = 0

    @property
    def subscriptions(self) -> list[str]:
        """The filters subscribed to (with the ``$share`` prefix when shared)."""
        if self._share is None:
            return list(self._handlers)
        return [topics.shared(self._share, f) for f in self._handlers]

    async def start(self) -> None:
        """Connect (in the background) and start the worker on the running loop."""
        loop = asyncio.get_running_loop()

        def on_message(msg: Message) -> None:  # paho thread
            loop.call_soon_threadsafe(self._queue.put_nowait, msg)

        self._client = MqttClient(self._params, on_message=on_message)
        for topic_filter in self.subscriptions:
            self._client.subscribe(topic_filter, 1)
        self._task = asyncio.create_task(self._run(), name="ingest-consumer")
        self._client.start()

    async def stop(self) -> None:
        """Stop the worker (an un-acked message is redelivered later) and disconnect."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await asyncio.to_thread(self._client.stop)
            self._client = None

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < _TAKE:
                batch.append(self._queue.get_nowait())
            try:
                await self._many(batch)
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one message stop the consumer
                log.exception("ingest consumer failed on %s", batch[0].topic)

    async def _many(self, batch: list[Message]) -> None:
        """Messages waiting together, in order: runs of admitted messages of one
        grouping handler go through :meth:`MessageHandler.handle_many` (group
        commit); a run is handled (and acked) before the next message is ignored or
        quarantined, so acks keep the arrival order."""
        run: list[tuple[Message, Any]] = []
        run_handler: MessageHandler[Any, Any] | None = None
        for msg in batch:
            decoded = await self._decode(msg)
            if not isinstance(decoded, tuple):  # ignored or refused: in its turn
                await self._flush(run_handler, run)
                run, run_handler = [], None
                if decoded is None:
                    self._ignore_retained(msg)
                else:
                    await self._refuse(msg, decoded)
                continue
            handler, command = decoded
            if handler is not run_handler or len(run) >= handler.group:
                await self._flush(run_handler, run)
                run, run_handler = [], handler
            run.append((msg, command))
        await self._flush(run_handler, run)

    async def _decode(
        self, msg: Message
    ) -> tuple[MessageHandler[Any, Any], Any] | str | None:
        """(handler, command); or the reason to quarantine it; None: retained."""
        if msg.retain or not msg.payload:
            return None
        handler = self._route(msg.topic)
        try:
            if handler is None:
                raise ValueError(f"no handler for topic {msg.topic}")
            command = handler.decode(msg, datetime.now(UTC))
        except Exception as exc:  # ValueError: refused; anything else: a decoder bug
            return _reason(exc)
        try:
            refused = await self._retrying(lambda: handler.admit(command))
        except _Incurable as exc:
            return _reason(ValueError(f"handler_error: {exc}"))
        return refused if refused is not None else (handler, command)

    async def _flush(
        self, handler: MessageHandler[Any, Any] | None, run: list[tuple[Message, Any]]
    ) -> None:
        """Handle a run; each message is acked after its commit, in order, then its
        replies are published. A group that fails is handled again one by one (an
        outage is then retried, an incurable message quarantined on its own)."""
        if handler is None or not run:
            return
        if len(run) > 1:
            try:
                results = await handler.handle_many([c for _, c in run])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("group of %d failed; handled one by one", len(run),
                            exc_info=True)  # fmt: skip
            else:
                for (msg, command), result in zip(run, results, strict=True):
                    self._done(handler, msg, command, result)
                return
        for msg, command in run:
            await self._one(handler, msg, command)

    async def _one(
        self, handler: MessageHandler[Any, Any], msg: Message, command: Any
    ) -> None:
        try:
            result = await self._retrying(lambda: handler.handle(command))
        except _Incurable as exc:
            await self._refuse(msg, _reason(ValueError(f"handler_error: {exc}")))
            return
        self._done(handler, msg, command, result)

    def _done(
        self, handler: MessageHandler[Any, Any], msg: Message, command: Any, result: Any
    ) -> None:
        assert self._client is not None
        self._client.ack(msg.mid, msg.qos)
        self.processed += 1
        for topic, payload in handler.replies(command, result):
            self._client.publish(topic, payload, 1)

    def _route(self, topic: str) -> MessageHandler[Any, Any] | None:
        for topic_filter, handler in self._handlers.items():
            if topics.matches(topic_filter, topic):
                return handler
        return None

    def _ignore_retained(self, msg: Message) -> None:
        assert self._client is not None
        if msg.retain and msg.payload:
            log.warning("ignored (and cleared) a retained message on %s", msg.topic)
            self._client.publish(msg.topic, b"", 1, retain=True)
        self._client.ack(msg.mid, msg.qos)

    async def _refuse(self, msg: Message, reason: str) -> None:
        assert self._client is not None
        log.warning("quarantined message on %s: %s", msg.topic, reason)
        try:
            await self._retrying(
                lambda: self._quarantine(msg.topic, msg.payload, reason)
            )
        except _Incurable as exc:  # last resort: the log keeps it, ingest goes on
            log.error("could not journal the message on %s (%s); dropped: %r",
                      msg.topic, exc, msg.payload[:500])  # fmt: skip
        self._client.ack(msg.mid, msg.qos)

    async def _retrying(self, call: Callable[[], Awaitable[R]]) -> R:
        delay, failures = 0.2, 0
        while True:
            try:
                return await call()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._permanent(exc):
                    failures += 1
                    if failures >= self._attempts:
                        raise _Incurable(f"{type(exc).__name__}: {exc}") from exc
                log.exception("ingest handler failed; retrying in %.1f s (not acked)",
                              delay)  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)


_TAKE = 256
"""Most messages taken off the queue at once (then split by handler and group)."""


def _reason(exc: Exception) -> str:
    text = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
    return text.replace("\x00", "\\x00")[:500]


class _Incurable(Exception):
    """A handler error that retrying cannot cure, after the allowed attempts."""


_PERMANENT = (ValueError, TypeError, ArithmeticError, errors.InvalidInput,
              sqlite3.DataError)  # fmt: skip


def is_permanent(exc: BaseException) -> bool:
    """Whether retrying ``exc`` cannot help: a value the database or the domain refuses
    (too long, out of range, bad characters), not an outage.

    Looks through the cause chain; a PostgreSQL error counts by its SQLSTATE class
    ``22`` (data exception), whatever the driver. Connection errors, lock timeouts and
    serialisation failures are not permanent: they are retried without limit.
    """
    chain = list(_chain(exc))
    if any(isinstance(e, (OSError, asyncio.TimeoutError)) for e in chain):
        return False  # an outage, even if it happened while handling a bad value
    for e in chain:
        if isinstance(e, _PERMANENT):
            return True
        if str(getattr(e, "sqlstate", "") or "").startswith("22"):
            return True
    return False


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__
