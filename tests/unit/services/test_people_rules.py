"""Passwords and the per-address sign-in throttle (no database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive_svc.domain import errors
from archive_svc.services import people
from tests import builders as b


def test_short_and_huge_passwords_are_refused():
    for bad in ("xy" * 5 + "z", "xyz" * people.MAX_PASSWORD):
        with pytest.raises(errors.InvalidInput):
            people.check_password(bad, "agent.x")
    people.check_password("a long enough password", "agent.x")


def test_an_address_is_throttled_within_the_window_and_freed_after_it():
    throttle = people.AddressThrottle(limit=3, window=timedelta(minutes=15))
    for minute in range(3):
        assert not throttle.blocked("10.0.0.1", b.T0 + timedelta(minutes=minute))
        throttle.failed("10.0.0.1", b.T0 + timedelta(minutes=minute))
    assert throttle.blocked("10.0.0.1", b.T0 + timedelta(minutes=3))
    assert not throttle.blocked("10.0.0.2", b.T0 + timedelta(minutes=3))
    assert not throttle.blocked("10.0.0.1", b.T0 + timedelta(minutes=15, seconds=1))
