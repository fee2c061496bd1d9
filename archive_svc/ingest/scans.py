"""Scans: the ingest handler of ``archive/{site}/scanners/+/scans``.

Decode (every field bounded by :func:`devices.mqtt.payloads.decode_scan`, the topic's
station equal to the payload's, ``scanned_at`` parsed once into an aware UTC datetime
and refused when far in the future), record the read through the scan service, then
answer the station on its feedback topic
(:func:`archive_svc.ingest.feedback.to_feedback` is the one mapping), or ask it again
for the reads missing before a held-back one (its ``resend`` topic). How old a read
may be is the scan policy's to judge (``ScanPolicy.max_age``, a setting): a too-old
read is refused with its reason and the station told, not quarantined here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive_svc.domain import commands
from archive_svc.domain.outcomes import Outcome
from archive_svc.ingest.consumer import MessageHandler, Reply
from archive_svc.ingest.feedback import to_feedback
from archive_svc.services.scanning import ScanOutcome
from devices.mqtt import Message, payloads, topics

log = logging.getLogger(__name__)

RecordScan = Callable[[commands.RecordScan], Awaitable[ScanOutcome]]
AdmitStation = Callable[[str], Awaitable[str | None]]
"""Why reads of a station (by id) are refused (unregistered, disabled), or None."""
RecordScans = Callable[
    [Sequence[commands.RecordScan]], Awaitable[Sequence[ScanOutcome]]
]


@dataclass(frozen=True)
class TimeWindow:
    """How far after its reception a read's ``scanned_at`` may lie.

    Attributes:
        future: latest accepted scan time after reception (a station clock ahead);
            the ledger's own, tighter tolerance then decides how the time is used.
            An old time is judged by the scan policy (``ScanPolicy.max_age``).
    """

    future: timedelta = timedelta(days=1)


def parse_scanned_at(
    value: str | None, received_at: datetime, window: TimeWindow = TimeWindow()
) -> datetime | None:
    """``scanned_at`` as an aware UTC datetime (None when the gateway sent none).

    Raises:
        ValueError: not an RFC 3339 time with an offset, or outside ``window``.
    """
    if value is None:
        return None
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"scanned_at {value!r} is not an RFC 3339 time") from None
    if ts.tzinfo is None:
        raise ValueError(f"scanned_at {value!r} has no UTC offset")
    ts = ts.astimezone(UTC)
    if ts > received_at + window.future:
        raise ValueError(f"scanned_at {value!r} is after {received_at:%Y-%m-%d}")
    return ts


def decode(
    msg: Message, received_at: datetime, window: TimeWindow = TimeWindow()
) -> commands.RecordScan:
    """The command for one scan message.

    Raises:
        payloads.PayloadError: not a scan payload, or a field out of bounds.
        topics.TopicError: not a topic of the scheme.
        ValueError: not a scans topic, another station's topic, a bad scan time.
    """
    where = topics.parse(msg.topic)
    if not isinstance(where, topics.ScannerTopic) or where.kind != "scans":
        raise ValueError(f"not a scans topic: {msg.topic}")
    scan = payloads.decode_scan(msg.payload)
    if scan.device_id != where.device_id:
        raise ValueError(f"device {scan.device_id!r} published on {msg.topic}")
    scanned_at = parse_scanned_at(scan.scanned_at, received_at, window)
    return commands.RecordScan(
        scan_id=scan.scan_id, device_id=scan.device_id, device_seq=scan.device_seq,
        code=scan.code, aim=scan.aim, scanned_at=scanned_at, source=scan.source,
        received_at=received_at,
    )  # fmt: skip


class ScanIngest(MessageHandler[commands.RecordScan, ScanOutcome]):
    """Scans of every station of ``site``.

    Args:
        site: site id (subscription and feedback topics).
        record: records one read in one committed transaction.
        window: accepted distance between scan time and reception.
        admit: the station check (:func:`archive_svc.services.stations.refusal`);
            every read of a station it refuses is quarantined with the reason. The
            service always passes it; None admits every station.
        record_many: records reads in order in one committed transaction (group
            commit of a backlog), each with the outcome it would have alone.
        group: most reads per transaction with ``record_many``.
    """

    def __init__(
        self,
        site: str,
        record: RecordScan,
        window: TimeWindow = TimeWindow(),
        *,
        admit: AdmitStation | None = None,
        record_many: RecordScans | None = None,
        group: int = 64,
    ) -> None:
        self.site = site
        self.topic_filter = topics.all_scans(site)
        self._record = record
        self._record_many = record_many
        self._window = window
        self._admit = admit
        self.group = group if record_many is not None else 1

    async def admit(self, command: commands.RecordScan) -> str | None:
        return None if self._admit is None else await self._admit(command.device_id)

    def decode(self, msg: Message, received_at: datetime) -> commands.RecordScan:
        return decode(msg, received_at, self._window)

    async def handle(self, command: commands.RecordScan) -> ScanOutcome:
        return await self._record(command)

    async def handle_many(
        self, commands: Sequence[commands.RecordScan]
    ) -> Sequence[ScanOutcome]:
        if self._record_many is None:
            return await super().handle_many(commands)
        return await self._record_many(commands)

    def replies(
        self, command: commands.RecordScan, result: ScanOutcome
    ) -> Sequence[Reply]:
        if result.gap and result.outcome is not Outcome.DEFERRED:
            log.warning("device %s: %d read(s) missing before seq %d",
                        command.device_id, result.gap, command.device_seq)  # fmt: skip
        if result.missing is not None:  # held back: ask the station again
            first, last = result.missing
            request = payloads.SeqRange(command.device_id, first, last)
            return [
                (
                    topics.resend(self.site, command.device_id),
                    payloads.encode_seq_range(request),
                )
            ]
        fb = to_feedback(result)
        if fb is None:
            return ()
        return [
            (
                topics.feedback(self.site, command.device_id),
                payloads.encode_feedback(fb),
            )
        ]


RecordMissing = Callable[[commands.RecordMissingReads], Awaitable[None]]


class MissingReadsIngest(MessageHandler[commands.RecordMissingReads, None]):
    """Stations' answers to a resend request: the reads they do not have
    (``archive/{site}/scanners/+/missing``), journaled by ``record``."""

    def __init__(
        self, site: str, record: RecordMissing, *, admit: AdmitStation | None = None
    ) -> None:
        self.site = site
        self.topic_filter = topics.all_missing(site)
        self._record = record
        self._admit = admit

    async def admit(self, command: commands.RecordMissingReads) -> str | None:
        return None if self._admit is None else await self._admit(command.device_id)

    def decode(
        self, msg: Message, received_at: datetime
    ) -> commands.RecordMissingReads:
        where = topics.parse(msg.topic)
        if not isinstance(where, topics.ScannerTopic) or where.kind != "missing":
            raise ValueError(f"not a missing-reads topic: {msg.topic}")
        answer = payloads.decode_seq_range(msg.payload)
        if answer.device_id != where.device_id:
            raise ValueError(f"device {answer.device_id!r} published on {msg.topic}")
        return commands.RecordMissingReads(
            answer.device_id, answer.first_seq, answer.last_seq, answer.newest,
            received_at=received_at,
        )  # fmt: skip

    async def handle(self, command: commands.RecordMissingReads) -> None:
        await self._record(command)
