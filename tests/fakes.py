"""Fakes of our own ports, for fast unit tests of the services."""

from __future__ import annotations

from datetime import datetime, timedelta

from archive_svc.services.ports import Clock


class FakeClock(Clock):
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self._now = now
