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


def test_a_flood_of_new_addresses_does_not_lift_a_lock():
    throttle = people.AddressThrottle()
    for _ in range(people.ACCOUNT_FAILURES):
        throttle.failed("10.0.0.66", b.T0, "agent.x", "hash-1")
    for n in range(people.MAX_TRACKED + 1):
        throttle.failed(f"2001:db8::{n:x}", b.T0, "")
    assert throttle.locked("agent.x", "10.0.0.66", b.T0, "hash-1")
    assert not throttle.locked("agent.x", "10.0.0.66", b.T0, "hash-2")
    assert not throttle.locked("agent.x", "10.0.0.7", b.T0, "hash-1")
