"""When a file opens (access-rules.md §5): every delay, boundaries, partial dates,
the "25 years after death" alternatives, 29 February, and the engine's use of it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_svc import access
from archive_svc.access import FileFacts, Principal, communicability
from archive_svc.access.communicability import DELAYS, add_years, opening_date


def file(last: date | None = date(1986, 6, 14), **kw) -> FileFacts:
    return FileFacts("OFP-1986-000042", "asia", "closed", last_document_date=last, **kw)


def test_an_asylum_file_opens_fifty_years_after_its_latest_document():
    result = communicability(file())
    assert result == access.Communicability(
        date(2036, 6, 14), "VIE_PRIVEE_50", "AR048", "Code du patrimoine L.213-2 I 3°"
    )


def test_ofpras_example_a_1986_file_stays_closed_until_2036():
    closed_through_2036 = communicability(
        file(date(1986, 12, 31)), granularity="year_end"
    )
    assert closed_through_2036.opening_date == date(2037, 1, 1)
    assert communicability(file(date(1986, 1, 1))).opening_date.year == 2036


@pytest.mark.parametrize(
    ("rule", "anchor", "opening"),
    [
        ("LIBRE", date(2020, 5, 5), date.min),
        ("DELIB_25", date(2000, 3, 31), date(2025, 3, 31)),
        ("VIE_PRIVEE_50", date(1990, 7, 1), date(2040, 7, 1)),
        ("SECURITE_PERSONNES_50", date(1990, 7, 1), date(2040, 7, 1)),
        ("ETAT_CIVIL_75", date(1960, 1, 2), date(2035, 1, 2)),
        ("JUDICIAIRE_75", date(1960, 1, 2), date(2035, 1, 2)),
        ("MINEUR_100", date(1960, 1, 2), date(2060, 1, 2)),
    ],
)
def test_each_delay_of_the_table(rule, anchor, opening):
    result = communicability(file(anchor), rule_ids=[rule])
    assert (result.opening_date, result.rule_id) == (opening, rule)
    assert result.rule_code == DELAYS[rule].code


def test_a_rule_that_never_opens_gives_no_date():
    result = communicability(file(), rule_ids=["VIE_PRIVEE_50", "JAMAIS"])
    assert (result.opening_date, result.rule_id, result.rule_code) == (
        None,
        "JAMAIS",
        "AR062",
    )


def test_a_missing_anchor_gives_no_date():
    assert communicability(file(None)).opening_date is None


def test_the_latest_date_wins_when_several_rules_apply():
    result = communicability(
        file(date(1970, 1, 1)), rule_ids=["DELIB_25", "JUDICIAIRE_75", "VIE_PRIVEE_50"]
    )
    assert (result.opening_date, result.rule_id, result.rule_code) == (
        date(2045, 1, 1),
        "JUDICIAIRE_75",
        "AR056",
    )


def test_ties_go_to_the_first_rule_of_the_table():
    result = communicability(
        file(), rule_ids=["SECURITE_PERSONNES_50", "VIE_PRIVEE_50"]
    )
    assert result.rule_id == "VIE_PRIVEE_50"


@pytest.mark.parametrize(
    ("rule", "death", "opening", "code"),
    [
        # 25 years after death is shorter: it wins
        ("JUDICIAIRE_75", date(1980, 2, 3), date(2005, 2, 3), "AR057"),
        ("ETAT_CIVIL_75", date(1980, 2, 3), date(2005, 2, 3), "AR044"),
        ("MINEUR_100", date(1990, 9, 9), date(2015, 9, 9), "AR058"),
        # death + 25 later than the delay: the delay stays
        ("JUDICIAIRE_75", date(2020, 1, 1), date(2035, 1, 2), "AR056"),
        # no alternative in the table for private life: death changes nothing
        ("VIE_PRIVEE_50", date(1961, 1, 1), date(2010, 1, 2), "AR048"),
    ],
)
def test_twenty_five_years_after_death_where_the_table_allows_it(
    rule, death, opening, code
):
    f = file(date(1960, 1, 2), applicant_death_date=death)
    result = communicability(f, rule_ids=[rule])
    assert (result.opening_date, result.rule_code) == (opening, code)


def test_medical_documents_are_off_by_default_and_counted_from_the_death_when_on():
    f = file(
        date(1970, 1, 1), documents=("medical",), applicant_death_date=date(2030, 1, 1)
    )
    assert communicability(f).rule_id == "VIE_PRIVEE_50"
    on = communicability(f, medical=True)
    assert (on.opening_date, on.rule_id, on.rule_code) == (
        date(2055, 1, 1),
        "MEDICAL",
        "AR043",
    )
    unknown_death = file(date(1970, 1, 1), documents=("medical",))
    assert communicability(unknown_death, medical=True).opening_date is None
    born = communicability(
        unknown_death, medical=True, applicant_birth_date=date(1950, 5, 5)
    )
    assert (born.opening_date, born.rule_code) == (date(2070, 5, 5), "AR061")


@pytest.mark.parametrize(
    ("anchor", "years", "granularity", "expected"),
    [
        (date(1976, 2, 29), 50, "day", date(2026, 2, 28)),
        (date(1976, 2, 29), 48, "day", date(2024, 2, 29)),
        (date(1976, 2, 29), 50, "year_end", date(2027, 1, 1)),
        (date(1999, 12, 31), 25, "year_end", date(2025, 1, 1)),
        (date(1999, 1, 1), 25, "year_end", date(2025, 1, 1)),
    ],
)
def test_date_arithmetic(anchor, years, granularity, expected):
    assert add_years(anchor, years, granularity) == expected


def test_a_file_ending_on_29_february_opens_on_28_february():
    assert communicability(file(date(1972, 2, 29))).opening_date == date(2022, 2, 28)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1986", date(1986, 12, 31)),
        ("1986-02", date(1986, 2, 28)),
        ("1988-02", date(1988, 2, 29)),
        ("1986-04", date(1986, 4, 30)),
        ("1986-04-07", date(1986, 4, 7)),
    ],
)
def test_partial_dates_count_as_their_latest_possible_day(text, day):
    assert access.latest_possible_day(text) == day


@pytest.mark.parametrize(
    "bad", ["", "86", "1986-4", "1986-13", "1986-02-30", "1986/02", "١٩٨٦", "0000"]
)
def test_malformed_dates_are_refused(bad):
    with pytest.raises(ValueError):
        access.latest_possible_day(bad)


def test_the_latest_document_sets_the_date_and_a_later_one_pushes_it_back():
    dates = ["1983", date(1985, 3, 1), "1985-02"]
    assert access.latest_document_date(dates) == date(1985, 3, 1)
    assert access.latest_document_date([*dates, "1985-11"]) == date(1985, 11, 30)
    assert access.latest_document_date([]) is None
    opening = access.latest_document_date([*dates, "1985-11"])
    assert communicability(file(opening)).opening_date == date(2035, 11, 30)


RESEARCHER = Principal("researcher", "reader-1")


@pytest.mark.parametrize(
    ("at", "rule"),
    [(date(2036, 6, 13), "R3"), (date(2036, 6, 14), "R1"), (date(2036, 6, 15), "R1")],
)
def test_the_engine_opens_the_file_on_the_day_not_the_day_before(at, rule):
    assert access.decide(RESEARCHER, "historical_research", file(), at).rule_id == rule


def test_a_stated_opening_date_overrides_the_computed_one():
    f = file(date(1950, 1, 1), communicable_from=date(2040, 1, 1))
    assert (
        access.decide(RESEARCHER, "portal_display", f, date(2030, 1, 1)).rule_id == "R5"
    )


def test_unknown_rules_and_granularities_are_errors():
    with pytest.raises(ValueError, match="NOPE"):
        communicability(file(), rule_ids=["NOPE"])
    with pytest.raises(ValueError):
        communicability(file(), granularity="month")


@settings(max_examples=300, deadline=None)
@given(
    last=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    death=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    medical_document=st.booleans(),
    medical=st.booleans(),
    granularity=st.sampled_from(sorted(access.GRANULARITIES)),
)
def test_the_engines_short_path_gives_the_same_opening_date(
    last, death, medical_document, medical, granularity
):
    f = file(last, applicant_death_date=death,
             documents=("medical",) if medical_document else ())  # fmt: skip
    assert opening_date(f, granularity=granularity, medical=medical) == (
        communicability(f, granularity=granularity, medical=medical).opening_date
    )
