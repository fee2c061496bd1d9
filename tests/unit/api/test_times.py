"""Times as people read them: Paris time with its zone, French and British order,
relative where it helps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive_svc.api import i18n


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    i18n.activate("en")
    yield
    i18n.activate("fr")


def test_a_winter_time_is_paris_time_plus_one():
    assert i18n.format_dt(datetime(2026, 12, 1, 5, 30, tzinfo=UTC)) == (
        "01/12/2026 06:30 UTC+1"
    )


def test_a_summer_time_is_paris_time_plus_two(english):
    assert i18n.format_dt(datetime(2026, 7, 3, 22, 5, tzinfo=UTC)) == (
        "04/07/2026, 00:05 UTC+2"
    )


def test_how_long_ago_in_both_languages(english):
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert i18n.format_ago(now - timedelta(hours=3), now) == "3 hours ago"
    assert i18n.format_ago(now - timedelta(seconds=10), now) == "just now"
    i18n.activate("fr")
    assert i18n.format_ago(now - timedelta(hours=3), now) == "il y a 3 heures"
    assert i18n.format_duration(86400 * 40) == "1\xa0mois"


def test_numbers_group_thousands_as_each_language_does(english):
    assert i18n.format_number(6908) == "6,908"
    i18n.activate("fr")
    assert i18n.format_number(6908) == "6\u202f908"
