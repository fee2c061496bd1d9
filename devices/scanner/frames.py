"""Bytes from a serial scanner -> scan reads and reported discards (pure).

Frame layout, as sent by a scanner in serial mode::

    [stray CR/LF] [prefix] []Xn AIM id] code [suffix] terminator

* ``terminator`` is one of CR, LF, CRLF or TAB (per model profile). Stray CR and LF
  around a frame are stripped, so a CRLF scanner read with a CR profile does not give
  an empty frame; a frame made only of stray CR/LF yields no event, its bytes are
  carried into the next event's ``frame`` (or reported ``empty`` by :meth:`close`).
* ``prefix``/``suffix`` are optional fixed byte strings the scanner adds; a frame
  without them is ``garbage``.
* An AIM symbology identifier (``]`` + letter + digit or letter, e.g. ``]C0``) is
  stripped from the code and kept in ``ScanRead.aim``.
* A scanner's own timestamp (stored reads of some models, see
  :class:`TimestampPrefix`) is split off the code here, once, into
  ``ScanRead.scanned_at``; the validator sees the code without it.
* An over-long frame gives one ``too_long`` discard per chunk the decoder had to drop
  while waiting for its terminator; all but the first are ``continued`` (one
  unreadable frame, one report).

Accounting invariant: every byte fed ends up in exactly one event's ``frame``
(``ScanRead.frame``, ``InvalidRead.read.frame`` or ``Discard.data``), in order, once
:meth:`FrameDecoder.close` has been called. The decoder never raises on input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal

DiscardReason = Literal["garbage", "too_long", "non_ascii", "empty", "partial_on_close"]
Validator = Callable[[str], str | None]
"""Returns an error reason (e.g. ``"bad_check_character"``) or None when valid."""

TERMINATORS = (b"\r", b"\n", b"\r\n", b"\t")
_STRAY = b"\r\n"
_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")


@dataclass(frozen=True)
class ScanRead:
    """One decoded read.

    Attributes:
        code: the code without prefix, suffix, AIM id and terminator.
        aim: the AIM identifier (``"]C0"``) or None.
        raw: the frame text without terminator, stray CR/LF, prefix and suffix.
        frame: the exact bytes this read consumed (accounting; not compared).
        scanned_at: see below.
    """

    code: str
    aim: str | None
    raw: str
    frame: bytes = field(default=b"", compare=False, repr=False)
    scanned_at: datetime | None = None
    """The scanner's own time for this read (a stored read's prefix), if it sent one."""


@dataclass(frozen=True)
class InvalidRead:
    """A well-formed frame whose code the injected validator refused."""

    read: ScanRead
    reason: str


@dataclass(frozen=True)
class Discard:
    """Bytes that did not make a read, with the reason."""

    reason: DiscardReason
    data: bytes
    continued: bool = False
    """More bytes of a frame already reported (an over-long line's later chunks)."""


Event = ScanRead | InvalidRead | Discard


def event_bytes(event: Event) -> bytes:
    """Return the input bytes an event accounts for."""
    if isinstance(event, Discard):
        return event.data
    if isinstance(event, InvalidRead):
        return event.read.frame
    return event.frame


class FrameDecoder:
    """Incremental decoder: feed it chunks as they arrive, get events back.

    Not thread-safe: one decoder per reader thread. ``close()`` resets it, so it can be
    reused for the next connection.
    """

    def __init__(
        self,
        terminator: bytes = b"\r",
        prefix: bytes = b"",
        suffix: bytes = b"",
        max_len: int = 128,
        validator: Validator | None = None,
        timestamp_prefix: TimestampPrefix | None = None,
    ) -> None:
        if terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {TERMINATORS!r}")
        if max_len < 1:
            raise ValueError("max_len must be positive")
        self._term = terminator
        self._prefix = prefix
        self._suffix = suffix
        self._max_len = max_len
        self._validator = validator
        self._ts = timestamp_prefix
        self._buf = bytearray()
        self._carry = b""  # stray CR/LF waiting to be attached to the next event
        self._skipping = False  # inside an over-long frame, until the next terminator

    @property
    def pending(self) -> bytes:
        """Bytes received but not yet accounted for by an event."""
        return self._carry + bytes(self._buf)

    def feed(self, data: bytes) -> list[Event]:
        """Add received bytes; return the events they complete, in order."""
        self._buf += data
        events: list[Event] = []
        while (idx := self._buf.find(self._term)) != -1:
            end = idx + len(self._term)
            chunk = bytes(self._buf[:end])
            del self._buf[:end]
            self._add(events, self._frame(chunk, chunk[:idx]))
        self._check_overflow(events)
        return events

    def close(self) -> list[Event]:
        """Flush what is left (a partial frame) as a discard and reset the decoder."""
        rest = self.pending
        self._buf.clear()
        self._carry = b""
        self._skipping = False
        if not rest:
            return []
        if not rest.strip(_STRAY):
            return [Discard("empty", rest)]
        return [Discard("partial_on_close", rest)]

    def _add(self, events: list[Event], event: Event | None) -> None:
        if event is not None:
            events.append(event)

    def _check_overflow(self, events: list[Event]) -> None:
        # Keep a possible partial CRLF terminator so a split "\r" | "\n" still matches.
        keep = len(self._term) - 1
        if len(self._buf) - keep <= self._max_len + len(_STRAY):
            return
        cut = len(self._buf) - keep
        data = self._carry + bytes(self._buf[:cut])
        del self._buf[:cut]
        self._carry = b""
        events.append(Discard("too_long", data, continued=self._skipping))
        self._skipping = True

    def _frame(self, chunk: bytes, body: bytes) -> Event | None:
        """Turn one terminated chunk (``body`` + terminator) into an event."""
        data = self._carry + chunk
        self._carry = b""
        if self._skipping:
            self._skipping = False
            return Discard("too_long", data, continued=True)
        core = body.strip(_STRAY)
        if not core:
            self._carry = data  # stray CR/LF only: not a frame
            return None
        reason = self._check(core)
        if reason is not None:
            return Discard(reason, data)
        return self._decode(core.decode("ascii"), data)

    def _check(self, core: bytes) -> DiscardReason | None:
        if len(core) > self._max_len:
            return "too_long"
        if any(b >= 0x80 for b in core):
            return "non_ascii"
        if any(b < 0x20 or b == 0x7F for b in core):
            return "garbage"
        if not (core.startswith(self._prefix) and core.endswith(self._suffix)):
            return "garbage"
        if len(core) < len(self._prefix) + len(self._suffix):
            return "garbage"
        return None

    def _decode(self, text: str, data: bytes) -> Event:
        raw = text[len(self._prefix) : len(text) - len(self._suffix)]
        aim, code = (raw[:3], raw[3:]) if _AIM.match(raw) else (None, raw)
        stamp, code = (None, code) if self._ts is None else self._ts.split(code)
        if not code:
            return Discard("empty", data)
        read = ScanRead(code, aim, raw, frame=data, scanned_at=stamp)
        error = self._validate(code)
        return read if error is None else InvalidRead(read, error)

    def _validate(self, code: str) -> str | None:
        if self._validator is None:
            return None
        try:
            return self._validator(code)
        except Exception:  # a buggy validator must not kill the reader
            return "validator_error"


@dataclass(frozen=True)
class TimestampPrefix:
    """A timestamp some scanners put before each stored (batch) read.

    Attributes:
        pattern: regex matched at the start of the code, with a group named ``ts``;
            the whole match is removed from the code.
        fmt: ``datetime.strptime`` format of the ``ts`` group.
        tz: zone of naive timestamps (the scanner's clock), default UTC.
    """

    pattern: str = r"(?P<ts>\d{14})[,; ]"
    fmt: str = "%Y%m%d%H%M%S"
    tz: tzinfo = UTC

    def split(self, code: str) -> tuple[datetime | None, str]:
        """Return ``(timestamp, code without it)``, or ``(None, code)`` if absent."""
        m = re.match(self.pattern, code)
        if m is None:
            return None, code
        try:
            ts = datetime.strptime(m.group("ts"), self.fmt)
        except ValueError:
            return None, code
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=self.tz)
        return ts, code[m.end() :]
