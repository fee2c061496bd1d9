"""Scanner gateway: serial reader -> outbox -> MQTT; feedback -> outbox -> beep/LED.

No-loss recipe (architecture.md section 5): a read is committed to the outbox before
it is published; it is published at QoS 1 with the fixed client id
``gw-{site}-{device_id}`` and a persistent session; it stays pending until the
service's feedback arrives, and is republished (in ``device_seq`` order) on every
restart and resent after ``resend_after`` seconds without feedback, backing off
exponentially per row (up to ``resend_max``). At most ``window`` reads are in flight
(published, unanswered, not yet due again): after a long outage the backlog drains
as feedback comes back instead of being republished all at once (paho itself
retransmits its un-PUBACKed messages on reconnect). The outbox survives restarts, so
a new gateway on the same file republishes what is still pending.

Every read is stamped with the time it is read (the scanner's own timestamp when a
stored read carries one); ``source`` only says how it travelled: ``batch`` for a
burst or stored reads, ``scan`` for one live read. Every unreadable frame (garbage,
too long, not ASCII, cut short) is journaled as refused with its reason, and the
scanner gets a bad-read signal so the agent scans again.

After a sequence gap the service asks for reads again on ``.../resend``
(a ``device_seq`` range): the rows still pending are made due at once (they leave
first, in seq order), confirmed ones are published once more (the service answers a
read it has as ``duplicate``), and the seqs the outbox does not have (pruned, or
never given out) are named on ``.../missing`` so the service journals them and stops
waiting.

Threads (who calls what):

* reader thread (:class:`~.port.PortReader`): :meth:`Gateway._on_events` -> validate,
  journal, publish; bad reads signalled to the scanner at once.
* paho thread: :meth:`Gateway._on_message` (feedback -> confirm -> good/bad-read host
  command), :meth:`Gateway._on_connect` / :meth:`Gateway._on_disconnect`.
* the thread calling :meth:`Gateway.run`: periodic resends, pruning, the console.

Publishing goes through :meth:`Gateway._pump` under one lock, so first publications
leave in ``device_seq`` order whichever thread triggers them.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from ..mqtt import payloads, topics
from ..mqtt.client import Message, MqttClient, MqttParams
from .console import GatewayStats, LiveConsole, StationLog
from .frames import Discard, Event, InvalidRead, ScanRead, TimestampPrefix, Validator
from .models import GENERIC_CR, ScannerProfile, require_signals
from .outbox import Outbox, OutboxRow, rfc3339, utc_now
from .port import Opener, PortReader, PortStatus, ScannerDisconnected, open_port

log = logging.getLogger(__name__)
_GOOD = frozenset({"accepted", "duplicate"})
_RESEND_MOST = 10_000
"""Most reads looked up for one resend request."""


class Gateway:
    """One scanner station.

    Args:
        port_url: scanner port URL (see :func:`~.port.open_port`).
        device_id: station id, ``[a-z0-9-]+``.
        site: site id, ``[a-z0-9-]+``.
        outbox_path: SQLite file of the durable outbox (created if missing).
        mqtt: broker parameters; the client id, persistent session and status topic
            are forced to the gateway's (``gw-{site}-{device_id}``).
        validator: code check injected by the caller (e.g. the MOD 37-2 check);
            returns a reason for refused codes.
        profile: scanner model profile (framing, baud rate, host commands); one
            that cannot signal good and bad reads is refused unless ``allow_silent``.
        allow_silent: accept a profile without host beep commands (a scanner set up
            to signal by itself, or a test line nobody listens to).
        console: show the rich live console while running.
        resend_after: seconds without feedback before a row is published again
            (doubling at each further resend, up to ``resend_max``).
        resend_max: longest wait between two publications of one row.
        window: most reads in flight (published, unanswered, not due again).
        burst_gap: reads closer than this (seconds) travel as a batch.
        timestamp_prefix: how stored reads carry their scan time, if they do.
        prune_after: confirmed rows older than this are deleted.
        opener: port factory (tests); defaults to :func:`~.port.open_port`.
    """

    def __init__(
        self,
        port_url: str,
        device_id: str,
        site: str,
        outbox_path: str | Path,
        mqtt: MqttParams,
        validator: Validator | None = None,
        profile: ScannerProfile = GENERIC_CR,
        *,
        allow_silent: bool = False,
        console: bool = False,
        resend_after: float = 5.0,
        resend_max: float = 60.0,
        window: int = 32,
        burst_gap: float = 0.03,
        timestamp_prefix: TimestampPrefix | None = None,
        prune_after: timedelta = timedelta(days=7),
        opener: Opener = open_port,
    ) -> None:
        if not allow_silent:
            require_signals(profile)
        self.device_id, self.site, self.profile = device_id, site, profile
        self._scans_topic = topics.scan(site, device_id)
        self._feedback_topic = topics.feedback(site, device_id)
        self._resend_topic = topics.resend(site, device_id)
        self._missing_topic = topics.missing(site, device_id)
        self._validator = validator
        self._resend = (resend_after, resend_max)
        self._window = max(1, window)
        self._burst_gap = burst_gap
        self._prune_after = prune_after
        self._outbox = Outbox(outbox_path)
        self._reader = PortReader(
            port_url, profile.baudrate, profile.decoder(validator, timestamp_prefix),
            self._on_events, self._on_status, opener=opener,
        )  # fmt: skip
        self._mqtt = MqttClient(
            dataclasses.replace(
                mqtt, client_id=f"gw-{site}-{device_id}", persistent=True,
                status_topic=topics.scanner_status(site, device_id),
            ),
            on_message=self._on_message, on_connect=self._on_connect,
            on_disconnect=self._on_disconnect,
        )  # fmt: skip
        self._mqtt.subscribe(self._feedback_topic, 1)
        self._mqtt.subscribe(self._resend_topic, 1)
        self._console = LiveConsole() if console else None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._pump_lock = threading.Lock()
        self._online = False
        self._last_frame = float("-inf")
        self._log = StationLog()
        self._depth: int | None = None  # frozen value once closed
        self._answered: dict[int, float] = {}  # seq -> when republished on request

    # -- lifecycle (caller's thread) ---------------------------------------------

    def run(self, tick: float = 0.2) -> None:
        """Start reader and MQTT client, then loop until :meth:`stop`; closes all."""
        self._outbox.make_due()  # nothing of an earlier run is in flight any more
        self._reader.start()
        self._mqtt.start()
        if self._console is not None:
            self._console.start(self.stats())
        try:
            self._loop(tick)
        finally:
            self._shutdown()

    def stop(self) -> None:
        """Ask :meth:`run` to return (any thread)."""
        self._stopping.set()
        self._wake.set()

    def stats(self) -> GatewayStats:
        """A consistent-enough snapshot (any thread)."""
        depth = self._depth if self._depth is not None else self._outbox.depth()
        c, recent = self._log.snapshot()
        return GatewayStats(
            site=self.site, device_id=self.device_id, serial=self._reader.status,
            mqtt="connected" if self._online else "disconnected", depth=depth,
            reads=c["reads"], published=c["published"], resent=c["resent"],
            confirmed=c["confirmed"], rejected_local=c["rejected_local"],
            discards=c["discards"], bad_feedback=c["bad_feedback"], recent=recent,
        )  # fmt: skip

    def _loop(self, tick: float) -> None:
        last_prune = float("-inf")
        while not self._stopping.is_set():
            self._wake.wait(tick)
            self._wake.clear()
            try:
                self._pump()
                if time.monotonic() - last_prune > 3600:
                    last_prune = time.monotonic()
                    self._outbox.prune(self._prune_after)
            except Exception:
                log.exception("gateway loop step failed")
            if self._console is not None:
                self._console.update(self.stats())

    def _shutdown(self) -> None:
        self._reader.stop()
        self._mqtt.stop()
        if self._console is not None:
            self._console.stop()
        self._depth = self._outbox.depth()
        self._outbox.close()

    # -- reader thread -----------------------------------------------------------

    def _on_events(self, events: list[Event]) -> None:
        now, at = time.monotonic(), utc_now()  # the moment these bytes were read
        frames = sum(not isinstance(e, Discard) for e in events)
        burst = frames > 1 or now - self._last_frame < self._burst_gap
        for event in events:
            if isinstance(event, ScanRead):
                self._journal(event, at, burst)
            elif isinstance(event, InvalidRead):
                self._refuse(event.read, event.reason)
            else:
                self._discarded(event)
        if frames:
            self._last_frame = now
            self._pump()

    def _journal(self, read: ScanRead, at: datetime, burst: bool) -> None:
        stored = read.scanned_at is not None
        try:
            row = self._outbox.append(
                read, self.device_id, source="batch" if burst or stored else "scan",
                scanned_at=read.scanned_at or at,
            )  # fmt: skip
        except Exception:  # e.g. disk full: the agent must scan again
            log.exception("could not journal read %r", read.code)
            self._signal(False)
            self._log.remember(read.code, None, "refused", "outbox_error")
            return
        self._log.count("reads")
        self._log.remember(
            read.code, row.device_seq, "pending", row.source, row.scan_id
        )

    def _refuse(self, read: ScanRead, reason: str) -> None:
        self._signal(False)
        try:
            self._outbox.reject_local(read, self.device_id, reason)
        except Exception:
            log.exception("could not journal refused read %r (%s)", read.code, reason)
        self._log.count("rejected_local")
        self._log.remember(read.code, None, "refused", reason)

    def _discarded(self, event: Discard) -> None:
        if event.reason == "empty" or event.continued:
            log.debug("scanner discard %s: %r", event.reason, event.data[:64])
            return
        log.warning("unreadable frame (%s): %r", event.reason, event.data[:64])
        self._log.count("discards")
        text = _printable(event.data)
        self._refuse(ScanRead(text, None, text, frame=event.data), event.reason)

    def _on_status(self, status: PortStatus, detail: str | None) -> None:
        self._wake.set()

    # -- publishing (any thread, serialised) -------------------------------------

    def _pump(self) -> None:
        """Publish due rows (never sent, or unanswered past their backoff) in
        device_seq order, as long as fewer than ``window`` are in flight."""
        with self._pump_lock:
            if not self._online:
                return
            rows = self._outbox.due(utc_now(), self._window)
            sent = [r.scan_id for r in rows if self._publish(r)]
            self._outbox.mark_sent(sent, self._backoff)

    def _backoff(self, publication: int) -> float:
        base, most = self._resend
        return float(min(base * 2 ** min(publication - 1, 30), most))

    def _publish(self, row: OutboxRow) -> bool:
        assert row.device_seq is not None
        msg = payloads.ScanMessage(
            scan_id=row.scan_id, device_id=row.device_id, device_seq=row.device_seq,
            code=row.code, aim=row.aim, raw=row.raw, scanned_at=row.scanned_at,
            sent_at=rfc3339(utc_now()), source=row.source,
        )  # fmt: skip
        if self._mqtt.publish(self._scans_topic, payloads.encode_scan(msg), 1) is None:
            return False
        self._log.count("resent" if row.sent_count else "published")
        return True

    # -- paho thread -------------------------------------------------------------

    def _on_connect(self, session_present: bool) -> None:
        self._online = True
        self._wake.set()

    def _on_disconnect(self, reason: str) -> None:
        self._online = False
        self._wake.set()

    def _on_message(self, msg: Message) -> None:
        if msg.topic == self._resend_topic:
            self._on_resend(msg)
            return
        if msg.topic != self._feedback_topic:
            return
        try:
            fb = payloads.decode_feedback(msg.payload)
        except payloads.PayloadError as exc:
            log.warning("bad feedback on %s: %s", msg.topic, exc)
            self._log.count("bad_feedback")
            return
        row = self._outbox.get(fb.scan_id)
        if row is None or row.state != "pending":
            return  # a resend answered again: the agent already had the signal
        self._signal(fb.outcome in _GOOD)  # first the beep, then the fsync
        self._outbox.confirm(
            fb.scan_id, fb.outcome, fb.code, fb.message, fb.movement_id
        )
        self._log.count("confirmed")
        self._wake.set()  # room in the window: publish what waits
        self._log.settle(fb.scan_id, fb.outcome, fb.code or fb.message or "")

    def _on_resend(self, msg: Message) -> None:
        """The service asks for reads again (after a gap): see the module docstring."""
        try:
            asked = payloads.decode_seq_range(msg.payload)
        except payloads.PayloadError as exc:
            log.warning("bad resend request on %s: %s", msg.topic, exc)
            return
        if asked.device_id != self.device_id:
            log.warning("resend request for %s on %s", asked.device_id, msg.topic)
            return
        first, last = (
            asked.first_seq,
            min(asked.last_seq, asked.first_seq + _RESEND_MOST - 1),
        )
        rows = self._outbox.by_seq(self.device_id, first, last)
        log.info("service asks reads %d..%d again (%d kept)", first, last, len(rows))
        self._outbox.make_due(r.scan_id for r in rows if r.state == "pending")
        now, quiet = time.monotonic(), self._resend[0]
        if len(self._answered) > _RESEND_MOST:
            self._answered.clear()
        with self._pump_lock:
            for row in rows:
                assert row.device_seq is not None
                if row.state != "pending" and (
                    now - self._answered.get(row.device_seq, -quiet) >= quiet
                ):  # a confirmed read asked again: once per resend interval
                    self._answered[row.device_seq] = now
                    self._publish(row)
        kept, newest = (
            {r.device_seq for r in rows},
            self._outbox.newest_seq(self.device_id),
        )
        for lo, hi in _runs(s for s in range(first, last + 1) if s not in kept):
            log.warning("asked for reads %d..%d, which this outbox does not have",
                        lo, hi)  # fmt: skip
            answer = payloads.SeqRange(self.device_id, lo, hi, newest)
            self._mqtt.publish(
                self._missing_topic, payloads.encode_seq_range(answer), 1
            )
        self._wake.set()

    # -- helpers -----------------------------------------------------------------

    def _signal(self, good: bool) -> None:
        command = self.profile.good_read if good else self.profile.bad_read
        if not command:
            return
        try:
            self._reader.write(command)
        except ScannerDisconnected as exc:
            log.info("could not signal the scanner: %s", exc)


def _runs(seqs: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of increasing ``seqs`` as (first, last)."""
    run: list[int] = []
    for seq in seqs:
        if run and seq != run[-1] + 1:
            yield run[0], run[-1]
            run = []
        run.append(seq)
    if run:
        yield run[0], run[-1]


def _printable(data: bytes, most: int = 64) -> str:
    """A short printable rendering of unreadable bytes, for the journal and console."""
    text = data[:most].decode("ascii", "replace").strip()
    return "".join(c if " " <= c <= "~" else "?" for c in text) or "?"
