"""Live station console (rich): connection states, last reads, outbox depth.

:func:`render` is pure (stats -> renderable) so it can be tested without a terminal.
:class:`LiveConsole` is driven from the gateway's run thread only.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

_STYLES = {
    "accepted": "green",
    "duplicate": "green",
    "rejected": "red",
    "conflict": "yellow",
    "pending": "cyan",
    "refused": "red",
    "discarded": "magenta",
}


@dataclass(frozen=True)
class RecentRead:
    """One line of the console: a read (or discard) and where it stands."""

    at: str  # HH:MM:SS local time of the read
    code: str
    device_seq: int | None
    status: str  # pending | accepted | duplicate | rejected | conflict | refused ...
    detail: str  # reason code or message, may be empty
    scan_id: str | None = None


@dataclass(frozen=True)
class GatewayStats:
    """Snapshot of a gateway, for the console and for tests."""

    site: str
    device_id: str
    serial: str
    mqtt: str
    depth: int
    reads: int
    published: int
    resent: int
    confirmed: int
    rejected_local: int
    discards: int
    bad_feedback: int
    recent: tuple[RecentRead, ...]


COUNTERS = (
    "reads", "published", "resent", "confirmed", "rejected_local", "discards",
    "bad_feedback",
)  # fmt: skip


class StationLog:
    """Counters and the last reads of a gateway; any thread (one lock)."""

    def __init__(self, size: int = 10) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._recent: deque[RecentRead] = deque(maxlen=size)

    def count(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def remember(
        self,
        code: str,
        seq: int | None,
        status: str,
        detail: str,
        sid: str | None = None,
    ) -> None:
        at = datetime.now().strftime("%H:%M:%S")
        with self._lock:
            self._recent.append(RecentRead(at, code, seq, status, detail, sid))

    def settle(self, scan_id: str, status: str, detail: str) -> None:
        """Show the service's outcome on the line of that read, if still listed."""
        with self._lock:
            for i, r in enumerate(self._recent):
                if r.scan_id == scan_id:
                    self._recent[i] = dataclasses.replace(
                        r, status=status, detail=detail
                    )

    def snapshot(self) -> tuple[dict[str, int], tuple[RecentRead, ...]]:
        with self._lock:
            return dict(self._counts), tuple(self._recent)


def render(stats: GatewayStats) -> Group:
    """Build the console view of one gateway."""
    head = Text.assemble(
        ("Station ", "bold"), f"{stats.site}/{stats.device_id}   ",
        ("scanner ", "bold"), _state(stats.serial), "   ",
        ("MQTT ", "bold"), _state(stats.mqtt), "   ",
        ("outbox ", "bold"), (str(stats.depth), "cyan" if stats.depth else "green"),
    )  # fmt: skip
    table = Table(expand=True)
    for col in ("heure", "code", "seq", "résultat", "détail"):
        table.add_column(col)
    for r in reversed(stats.recent):
        seq = "" if r.device_seq is None else str(r.device_seq)
        table.add_row(r.at, r.code, seq, Text(r.status, _STYLES.get(r.status, "")),
                      r.detail)  # fmt: skip
    return Group(head, table)


def _state(value: str) -> Text:
    return Text(value, "green" if value == "connected" else "red")


class LiveConsole:
    """A rich ``Live`` display; start/update/stop from one thread."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console
        self._live: Live | None = None

    def start(self, stats: GatewayStats) -> None:
        kwargs: dict[str, Any] = {"refresh_per_second": 4, "transient": False}
        if self._console is not None:
            kwargs["console"] = self._console
        self._live = Live(render(stats), **kwargs)
        self._live.start()

    def update(self, stats: GatewayStats) -> None:
        if self._live is not None:
            self._live.update(render(stats))

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
