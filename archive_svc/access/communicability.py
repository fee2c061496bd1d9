"""When a file opens to the public (access-rules.md §5, Code du patrimoine L.213-2).

``communicable_from = max over applicable rules of (anchor + delay)``; a rule with a
"or 25 years after death if shorter" alternative opens at
``min(anchor + delay, death + 25 y)`` when the death date is known. A missing anchor
gives no date ("restricted, date unknown"), and so does a rule that never opens.

Dates: ``granularity="day"`` is the same day N years later (29 February gives
28 February); ``"year_end"`` is 1 January of ``year(anchor) + N + 1``. Partial dates
(a year, a year and month) count as their latest possible day.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from archive_svc.access.facts import FileFacts

GRANULARITIES = frozenset({"day", "year_end"})
LATEST_DOCUMENT = "latest_document"
DEATH = "death"
REGISTER_CLOSURE = "register_closure"


@dataclass(frozen=True)
class DelayRule:
    id: str
    years: int | None
    """None: never communicable."""
    anchor: str | None
    """None: no anchor (LIBRE opens at once, JAMAIS never)."""
    code: str
    """SEDA access rule code (AR0xx) of the main delay."""
    basis: str
    after_death_years: int | None = None
    """The shorter alternative counted from the death, when the table gives one."""
    after_death_code: str | None = None
    after_birth_years: int | None = None
    """Fallback from the birth when the death (the anchor) is unknown (MEDICAL)."""
    after_birth_code: str | None = None


_L213_2 = "Code du patrimoine L.213-2"
DELAYS: dict[str, DelayRule] = {
    r.id: r
    for r in (
        DelayRule("LIBRE", 0, None, "AR038", "Code du patrimoine L.213-1"),
        DelayRule("DELIB_25", 25, LATEST_DOCUMENT, "AR039", f"{_L213_2} I 1° a"),
        DelayRule("MEDICAL", 25, DEATH, "AR043", f"{_L213_2} I 2°",
                  after_birth_years=120, after_birth_code="AR061"),
        DelayRule("VIE_PRIVEE_50", 50, LATEST_DOCUMENT, "AR048", f"{_L213_2} I 3°"),
        DelayRule("SECURITE_PERSONNES_50", 50, LATEST_DOCUMENT, "AR048",
                  f"{_L213_2} I 3°"),
        DelayRule("ETAT_CIVIL_75", 75, REGISTER_CLOSURE, "AR054", f"{_L213_2} I 4° e",
                  after_death_years=25, after_death_code="AR044"),
        DelayRule("JUDICIAIRE_75", 75, LATEST_DOCUMENT, "AR056", f"{_L213_2} I 4° b-c",
                  after_death_years=25, after_death_code="AR057"),
        DelayRule("MINEUR_100", 100, LATEST_DOCUMENT, "AR058", f"{_L213_2} I 5°",
                  after_death_years=25, after_death_code="AR058"),
        DelayRule("JAMAIS", None, None, "AR062", f"{_L213_2} II"),
    )
}  # fmt: skip
"""Delay table of access-rules.md §5.2, in its order (ties go to the first)."""

ASYLUM_FILE_RULES = ("VIE_PRIVEE_50",)
"""Default for every asylum file, whatever the decision (a minor's file included)."""


@dataclass(frozen=True)
class Communicability:
    opening_date: date | None
    """First day the file is communicable; None: restricted, date unknown (or never)."""
    rule_id: str
    rule_code: str
    basis: str


def add_years(anchor: date, years: int, granularity: str = "day") -> date:
    """``anchor`` + ``years``: same day (29 Feb -> 28 Feb) or 1 January after."""
    if granularity == "year_end":
        return date(anchor.year + years + 1, 1, 1)
    if granularity != "day":
        raise ValueError(f"unknown granularity {granularity!r}")
    year = anchor.year + years
    if anchor.month == 2 and anchor.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return anchor.replace(year=year)


def latest_possible_day(text: str) -> date:
    """``YYYY`` -> 31 Dec, ``YYYY-MM`` -> last day of the month, ``YYYY-MM-DD`` as is.

    Raises ``ValueError`` for anything else (the message says what is expected).
    """
    parts = text.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() for p in parts):
        raise ValueError(f"{text!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD")
    if [len(p) for p in parts] != [4, 2, 2][: len(parts)]:
        raise ValueError(f"{text!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 12
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(f"{text!r} is not a valid date")
    last = calendar.monthrange(year, month)[1]
    day = int(parts[2]) if len(parts) > 2 else last
    if not 1 <= day <= last:
        raise ValueError(f"{text!r} is not a valid date")
    return date(year, month, day)


def latest_document_date(dates: Iterable[date | str]) -> date | None:
    """The latest of document dates (partial ones at their latest day); None if none."""
    days = [d if isinstance(d, date) else latest_possible_day(d) for d in dates]
    return max(days, default=None)


def rules_for(file: FileFacts, *, medical: bool = False) -> tuple[str, ...]:
    """Delay rules applying to an asylum file: VIE_PRIVEE_50, plus MEDICAL when the
    file holds medical documents and the office applies that rule (off by default,
    whether it overrides the file rule is unconfirmed)."""
    if medical and "medical" in file.documents:
        return (*ASYLUM_FILE_RULES, "MEDICAL")
    return ASYLUM_FILE_RULES


def opening(
    rule: DelayRule,
    file: FileFacts,
    granularity: str = "day",
    birth_date: date | None = None,
) -> tuple[date | None, str]:
    """Opening date of one rule for ``file`` and the AR code that gave it."""
    if rule.years is None:
        return None, rule.code
    if rule.anchor is None:
        return date.min, rule.code
    anchor = (
        file.applicant_death_date if rule.anchor == DEATH else file.last_document_date
    )
    if anchor is None:
        if rule.after_birth_years is not None and birth_date is not None:
            fallback = add_years(birth_date, rule.after_birth_years, granularity)
            return fallback, rule.after_birth_code or rule.code
        return None, rule.code
    main = add_years(anchor, rule.years, granularity)
    death = file.applicant_death_date
    if rule.after_death_years is not None and death is not None:
        after_death = add_years(death, rule.after_death_years, granularity)
        if after_death < main:
            return after_death, rule.after_death_code or rule.code
    return main, rule.code


@functools.cache
def _in_table_order(ids: tuple[str, ...]) -> tuple[DelayRule, ...]:
    unknown = set(ids) - DELAYS.keys()
    if unknown or not ids:
        raise ValueError(f"unknown delay rule(s): {', '.join(sorted(unknown)) or '-'}")
    return tuple(rule for rule_id, rule in DELAYS.items() if rule_id in ids)


def communicability(
    file: FileFacts,
    *,
    granularity: str = "day",
    rule_ids: Iterable[str] | None = None,
    medical: bool = False,
    applicant_birth_date: date | None = None,
) -> Communicability:
    """When ``file`` opens: the latest opening of its rules (``rule_ids`` or
    :func:`rules_for`). A rule with no date (missing anchor, never) wins: the file
    stays restricted with its date unknown."""
    ids = tuple(rule_ids) if rule_ids is not None else rules_for(file, medical=medical)
    best: tuple[date, Communicability] | None = None
    for rule in _in_table_order(ids):
        day, code = opening(rule, file, granularity, applicant_birth_date)
        result = Communicability(day, rule.id, code, rule.basis)
        if day is None:
            return result
        if best is None or day > best[0]:
            best = (day, result)
    assert best is not None
    return best[1]


def opening_date(
    file: FileFacts, *, granularity: str = "day", medical: bool = False
) -> date | None:
    """``communicability(file).opening_date`` without the explanation (the engine's
    path: it asks for every researcher's request and every record of the portal)."""
    latest: date | None = None
    for rule in _in_table_order(rules_for(file, medical=medical)):
        day = opening(rule, file, granularity)[0]
        if day is None:
            return None
        if latest is None or day > latest:
            latest = day
    return latest
