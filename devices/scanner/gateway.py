"""Scanner gateway: serial reader -> outbox -> MQTT; feedback -> outbox -> beep/LED.

No-loss recipe (architecture.md section 5): a read is committed to the outbox before
it is published; it is published at QoS 1 with the fixed client id
``gw-{site}-{device_id}`` and a persistent session; it stays pending until the
service's feedback arrives, and is republished (in ``device_seq`` order) on every
reconnect and after ``resend_after`` seconds without feedback. The outbox survives
restarts, so a new gateway on the same file republishes what is still pending.

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
from datetime import datetime, timedelta
from pathlib import Path

from ..mqtt import payloads, topics
from ..mqtt.client import Message, MqttClient, MqttParams
from .console import GatewayStats, LiveConsole, StationLog
from .frames import Discard, Event, InvalidRead, ScanRead, TimestampPrefix, Validator
from .models import GENERIC_CR, ScannerProfile
from .outbox import Outbox, OutboxRow, rfc3339, utc_now
from .port import Opener, PortReader, PortStatus, ScannerDisconnected, open_port

log = logging.getLogger(__name__)
_GOOD = frozenset({"accepted", "duplicate"})


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
        profile: scanner model profile (framing, baud rate, host commands).
        console: show the rich live console while running.
        resend_after: seconds without feedback before a row is published again.
        burst_gap: reads closer than this (seconds) are a batch upload.
        timestamp_prefix: how batch reads carry their scan time, if they do.
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
        console: bool = False,
        resend_after: float = 5.0,
        burst_gap: float = 0.03,
        timestamp_prefix: TimestampPrefix | None = None,
        prune_after: timedelta = timedelta(days=7),
        opener: Opener = open_port,
    ) -> None:
        self.device_id, self.site, self.profile = device_id, site, profile
        self._scans_topic = topics.scan(site, device_id)
        self._feedback_topic = topics.feedback(site, device_id)
        self._validator = validator
        self._ts = timestamp_prefix
        self._resend_after = resend_after
        self._burst_gap = burst_gap
        self._prune_after = prune_after
        self._outbox = Outbox(outbox_path)
        self._reader = PortReader(
            port_url, profile.baudrate, profile.decoder(self._validate),
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
        self._console = LiveConsole() if console else None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._pump_lock = threading.Lock()
        self._online = False
        self._resend_all = True
        self._last_frame = float("-inf")
        self._log = StationLog()
        self._depth: int | None = None  # frozen value once closed

    # -- lifecycle (caller's thread) ---------------------------------------------

    def run(self, tick: float = 0.2) -> None:
        """Start reader and MQTT client, then loop until :meth:`stop`; closes all."""
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

    def _validate(self, code: str) -> str | None:
        if self._validator is None:
            return None
        return self._validator(self._split_ts(code)[1])

    def _split_ts(self, code: str) -> tuple[datetime | None, str]:
        return (None, code) if self._ts is None else self._ts.split(code)

    def _on_events(self, events: list[Event]) -> None:
        now = time.monotonic()
        frames = sum(not isinstance(e, Discard) for e in events)
        burst = frames > 1 or now - self._last_frame < self._burst_gap
        for event in events:
            if isinstance(event, ScanRead):
                self._journal(event, burst)
            elif isinstance(event, InvalidRead):
                self._refuse(event)
            else:
                self._discarded(event)
        if frames:
            self._last_frame = now
            self._pump()

    def _journal(self, read: ScanRead, burst: bool) -> None:
        ts, code = self._split_ts(read.code)
        batch = burst or ts is not None
        scanned_at = ts if batch else utc_now()
        read = ScanRead(code, read.aim, read.raw, read.frame)
        try:
            row = self._outbox.append(
                read, self.device_id, source="batch" if batch else "scan",
                scanned_at=scanned_at,
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

    def _refuse(self, event: InvalidRead) -> None:
        self._signal(False)
        _, code = self._split_ts(event.read.code)
        read = ScanRead(code, event.read.aim, event.read.raw, event.read.frame)
        self._outbox.reject_local(read, self.device_id, event.reason)
        self._log.count("rejected_local")
        self._log.remember(code, None, "refused", event.reason)

    def _discarded(self, event: Discard) -> None:
        level = logging.DEBUG if event.reason == "empty" else logging.WARNING
        log.log(level, "scanner discard %s: %r", event.reason, event.data[:64])
        if event.reason != "empty":
            self._log.count("discards")
            text = event.data[:24].decode("ascii", "replace").strip()
            self._log.remember(text, None, "discarded", event.reason)

    def _on_status(self, status: PortStatus, detail: str | None) -> None:
        self._wake.set()

    # -- publishing (any thread, serialised) -------------------------------------

    def _pump(self) -> None:
        """Publish due rows in device_seq order: never sent, sent too long ago, or
        everything pending right after a (re)connect."""
        with self._pump_lock:
            if not self._online:
                return
            resend_all, self._resend_all = self._resend_all, False
            now = utc_now()
            cutoff = now if resend_all else now - timedelta(seconds=self._resend_after)
            while rows := self._outbox.pending(200, sent_before=cutoff):
                sent = [r for r in rows if self._publish(r)]
                self._outbox.mark_sent(r.scan_id for r in sent)
                if len(sent) < len(rows):  # went offline meanwhile
                    self._resend_all = True
                    return

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
        with self._pump_lock:
            self._resend_all = True
            self._online = True
        self._wake.set()

    def _on_disconnect(self, reason: str) -> None:
        self._online = False
        self._wake.set()

    def _on_message(self, msg: Message) -> None:
        if msg.topic != self._feedback_topic:
            return
        try:
            fb = payloads.decode_feedback(msg.payload)
        except payloads.PayloadError as exc:
            log.warning("bad feedback on %s: %s", msg.topic, exc)
            self._log.count("bad_feedback")
            return
        first = self._outbox.confirm(
            fb.scan_id, fb.outcome, fb.code, fb.message, fb.movement_id
        )
        if not first:
            return  # a resend answered again: the agent already had the signal
        self._log.count("confirmed")
        self._signal(fb.outcome in _GOOD)
        self._log.settle(fb.scan_id, fb.outcome, fb.code or fb.message or "")

    # -- helpers -----------------------------------------------------------------

    def _signal(self, good: bool) -> None:
        command = self.profile.good_read if good else self.profile.bad_read
        if not command:
            return
        try:
            self._reader.write(command)
        except ScannerDisconnected as exc:
            log.info("could not signal the scanner: %s", exc)
