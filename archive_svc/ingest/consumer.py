"""The scan consumer: MQTT (paho thread) -> asyncio queue -> one sequential worker.

For each message, in arrival order: decode (an unreadable payload is quarantined in
the rejection journal and acked), run the handler (one transaction, committed),
**then** ack, then publish the feedback. While the database is down the handler is
retried with backoff and nothing is acked, so the broker keeps the message (and the
persistent session keeps the following ones). Acks follow arrival order because there
is a single worker. See architecture.md section 5.

Threading: paho's callbacks only call ``loop.call_soon_threadsafe``; everything else
runs on the event loop that called :meth:`ScanConsumer.start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from archive_svc.domain import commands
from archive_svc.ingest.feedback import to_feedback
from archive_svc.services.scanning import ScanOutcome
from devices.mqtt import Message, MqttClient, MqttParams, payloads, topics

log = logging.getLogger(__name__)

_T = TypeVar("_T")
ScanHandler = Callable[[commands.RecordScan], Awaitable[ScanOutcome]]
Quarantine = Callable[[str, bytes, str], Awaitable[None]]


class ScanConsumer:
    """Subscribe to every station's scans on a site and feed them to ``handle``.

    Args:
        url: broker URL (``mqtt://host:port``).
        site: site id; the subscription is ``archive/{site}/scanners/+/scans``.
        instance: service instance; the client id is ``svc-{site}-{instance}``.
        handle: records one scan in one committed transaction.
        quarantine: journals an unreadable message (topic, payload, reason).
        protocol: 311 or 5.
        retry_max: longest pause (s) between retries while the handler fails.
    """

    def __init__(
        self,
        url: str,
        site: str,
        instance: str,
        handle: ScanHandler,
        quarantine: Quarantine,
        *,
        protocol: int = 311,
        retry_max: float = 5.0,
    ) -> None:
        self.site = site
        self._handle = handle
        self._quarantine = quarantine
        self._retry_max = retry_max
        self._params = MqttParams(
            url=url, client_id=f"svc-{site}-{instance}", protocol=5 if protocol == 5 else 311,
            manual_ack=True, status_topic=topics.service_status(site, instance),
        )  # fmt: skip
        self._queue: asyncio.Queue[Message] = asyncio.Queue()
        self._client: MqttClient | None = None
        self._task: asyncio.Task[None] | None = None
        self.processed = 0

    async def start(self) -> None:
        """Connect (in the background) and start the worker on the running loop."""
        loop = asyncio.get_running_loop()

        def on_message(msg: Message) -> None:  # paho thread
            loop.call_soon_threadsafe(self._queue.put_nowait, msg)

        self._client = MqttClient(self._params, on_message=on_message)
        self._client.subscribe(topics.all_scans(self.site), 1)
        self._task = asyncio.create_task(self._run(), name="scan-consumer")
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
            msg = await self._queue.get()
            try:
                await self._one(msg)
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one message stop the consumer
                log.exception("scan consumer failed on %s", msg.topic)

    async def _one(self, msg: Message) -> None:
        assert self._client is not None
        try:
            cmd = decode(msg)
        except (payloads.PayloadError, topics.TopicError, ValueError) as exc:
            reason = str(exc)
            log.warning("quarantined message on %s: %s", msg.topic, reason)
            await self._retrying(
                lambda: self._quarantine(msg.topic, msg.payload, reason)
            )
            self._client.ack(msg.mid, msg.qos)
            return
        outcome: ScanOutcome = await self._retrying(lambda: self._handle(cmd))
        self._client.ack(msg.mid, msg.qos)
        self.processed += 1
        if outcome.gap and outcome.outcome != "deferred":
            log.warning("device %s: %d read(s) missing before seq %d",
                        cmd.device_id, outcome.gap, cmd.device_seq)  # fmt: skip
        fb = to_feedback(outcome)
        if fb is not None:
            topic = topics.feedback(self.site, cmd.device_id)
            self._client.publish(topic, payloads.encode_feedback(fb), 1)

    async def _retrying(self, call: Callable[[], Awaitable[_T]]) -> _T:
        delay = 0.2
        while True:
            try:
                return await call()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "scan handler failed; retrying in %.1f s (not acked)", delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)


def decode(msg: Message) -> commands.RecordScan:
    """The command for one scan message.

    Raises:
        payloads.PayloadError, topics.TopicError: not a scan of this scheme.
        ValueError: the payload's device id does not match the topic's.
    """
    where = topics.parse(msg.topic)
    if not isinstance(where, topics.ScannerTopic) or where.kind != "scans":
        raise ValueError(f"not a scans topic: {msg.topic}")
    scan = payloads.decode_scan(msg.payload)
    if scan.device_id != where.device_id:
        raise ValueError(f"device {scan.device_id!r} published on {msg.topic}")
    return commands.RecordScan(
        scan_id=scan.scan_id, device_id=scan.device_id, device_seq=scan.device_seq,
        code=scan.code, aim=scan.aim, source=scan.source,
        scanned_at=datetime.fromisoformat(scan.scanned_at) if scan.scanned_at else None,
        received_at=datetime.now(UTC),
    )  # fmt: skip
