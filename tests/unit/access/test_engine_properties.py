"""Properties of the access engine over generated facts (hypothesis): what must hold
for every principal, purpose, file and date, not only the table's examples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from archive_svc import access
from archive_svc.access import Derogation, FileFacts, Principal, table
from archive_svc.access.principals import DIVISIONS, ROLE_NAMES

ROLES = [*sorted(ROLE_NAMES), "journalist", ""]
PURPOSES = [*sorted(access.PURPOSES), "curiosity"]
KINDS = sorted(access.DOCUMENT_KINDS)
FILE_NUMBERS = ["OFP-1", "OFP-2"]
PEOPLE = ["p.1", "p.2"]
RANK = {"deny": 0, "escalate": 1, "allow_with_restrictions": 2, "allow": 3}
AUDIO_ROWS = {"A1", "E1", "E2", "P2"}

days = st.dates(min_value=date(1940, 1, 1), max_value=date(2080, 12, 31))
maybe_day = st.none() | days
divisions = st.none() | st.sampled_from(sorted(DIVISIONS))

TABLE_PAIRS = sorted(
    {
        (role, purpose)
        for row in table.ROWS
        for role in row.roles or ROLE_NAMES
        for purpose in row.purposes or access.PURPOSES
    }
)
"""(role, purpose) pairs some row is about: most generated requests use one."""
pairs = st.sampled_from(TABLE_PAIRS) | st.tuples(
    st.sampled_from(ROLES), st.sampled_from(PURPOSES)
)

principals = st.builds(
    Principal,
    role=st.sampled_from(ROLES),
    id=st.sampled_from(PEOPLE),
    unit=st.none() | st.just("unit-1"),
    division=divisions,
    authorised_by_dg=st.booleans(),
    authorisation_valid_until=maybe_day,
    banned_until=maybe_day,
    confidentiality_agreement=st.booleans(),
)
files = st.builds(
    FileFacts,
    number=st.sampled_from(FILE_NUMBERS),
    division=divisions,
    status=st.sampled_from(sorted(access.STATUSES)),
    assigned_officer=st.none() | st.sampled_from(PEOPLE),
    sensitive=st.booleans(),
    exclusion_clause=st.booleans(),
    interior_custody=st.booleans(),
    applicant_minor=st.booleans(),
    under_appeal=st.booleans(),
    last_document_date=maybe_day,
    applicant_death_date=maybe_day,
    documents=st.lists(st.sampled_from(KINDS), max_size=5).map(tuple),
    available=st.booleans(),
    in_registration=st.booleans(),
    linked_case=st.booleans(),
    communicable_from=maybe_day,
    elimination_visa=st.booleans(),
)
restriction_sets = st.frozensets(st.sampled_from(sorted(access.RESTRICTIONS)))
derogations = st.none() | st.builds(
    Derogation,
    researcher_id=st.sampled_from(PEOPLE),
    files=st.frozensets(st.sampled_from(FILE_NUMBERS)),
    valid_until=days,
    restrictions=restriction_sets,
)
requested = st.none() | st.frozensets(st.sampled_from(KINDS), max_size=4)


@st.composite
def requests(draw: st.DrawFn) -> dict:
    role, purpose = draw(pairs)
    return {
        "principal": replace(draw(principals), role=role),
        "purpose": purpose,
        "file": draw(files),
        "at": draw(days),
        "request_documents": draw(requested),
        "derogation": draw(derogations),
    }


def decide(r: dict, **changes) -> access.Decision:
    r = {**r, **changes}
    return access.decide(
        r["principal"],
        r["purpose"],
        r["file"],
        r["at"],
        request_documents=r["request_documents"],
        derogation=r["derogation"],
    )


def touches_audio(r: dict) -> bool:
    docs = r["request_documents"]
    return "audio_recording" in (r["file"].documents if docs is None else docs)


@settings(max_examples=200, deadline=None)
@given(requests())
def test_a_foreign_authority_is_never_allowed_anything(r):
    r["principal"] = replace(r["principal"], role="foreign_authority")
    decision = decide(r)
    assert (decision.outcome, decision.allowed, decision.rule_id) == (
        "deny",
        False,
        "D1",
    )
    assert decision.restrictions == frozenset() and decision.escalate_to is None


def every_pair(r: dict):
    """``r`` asked by every (role, purpose) of the table, with its other facts."""
    for role, purpose in TABLE_PAIRS:
        yield {**r, "principal": replace(r["principal"], role=role), "purpose": purpose}


@settings(max_examples=200, deadline=None)
@given(requests())
def test_an_audio_recording_is_reachable_only_by_its_four_rows(r):
    asked = r["request_documents"]
    with_audio = {
        **r,
        "request_documents": (asked or frozenset()) | {"audio_recording"},
    }
    for each in (*every_pair(r), *every_pair(with_audio)):
        decision = decide(each)
        if touches_audio(each):
            assert decision.rule_id in AUDIO_ROWS | {"D1", "D2", "D3", "P3", "Z"}
            if decision.outcome != "deny":
                assert decision.rule_id in AUDIO_ROWS, (each, decision)
        else:
            assert decision.rule_id != "P3"


RESTRICTING = {
    "sensitive": lambda r: {"file": replace(r["file"], sensitive=True)},
    "unavailable": lambda r: {"file": replace(r["file"], available=False)},
    "confidential source": lambda r: {
        "file": replace(
            r["file"], documents=(*r["file"].documents, "confidential_source")
        )
    },
    "banned": lambda r: {
        "principal": replace(r["principal"], banned_until=r["at"] + timedelta(days=1))
    },
    "order expired": lambda r: {
        "principal": replace(r["principal"], authorisation_valid_until=None)
    },
    "no agreement": lambda r: {
        "principal": replace(r["principal"], confidentiality_agreement=False)
    },
    "no DG authorisation": lambda r: {
        "principal": replace(r["principal"], authorised_by_dg=False)
    },
    "derogation narrowed": lambda r: {
        "derogation": r["derogation"]
        and replace(
            r["derogation"],
            restrictions=r["derogation"].restrictions | {"no_copy", "on_site"},
        )
    },
    "Interior custody": lambda r: (
        {"file": replace(r["file"], interior_custody=True)}
        if r["principal"].role != "interior_custody"
        else {}
    ),
}


@settings(max_examples=150, deadline=None)
@given(requests(), st.sampled_from(sorted(RESTRICTING)))
def test_restrictions_never_widen_access(r, change):
    for each in every_pair(r):
        check_not_wider(decide(each), decide(each, **RESTRICTING[change](each)))


def check_not_wider(before: access.Decision, after: access.Decision) -> None:
    assert RANK[after.outcome] <= RANK[before.outcome] or (
        before.outcome == after.outcome == "escalate"
    ), (before, after)
    if not before.allowed:
        assert not after.allowed
    if before.allowed and after.allowed:
        assert after.restrictions >= before.restrictions


SECOND_RULE_SET = access.RuleSet()
"""Same table, its own shared decisions: a decision never depends on what came before."""


@settings(max_examples=300, deadline=None)
@given(requests())
def test_the_same_facts_give_the_same_decision(r):
    first = decide(r)
    copied = {
        **r,
        "principal": replace(r["principal"]),
        "file": replace(r["file"]),
    }
    assert decide(copied) == first
    again = SECOND_RULE_SET.decide(
        r["principal"],
        r["purpose"],
        r["file"],
        r["at"],
        r["request_documents"],
        r["derogation"],
    )
    assert again == first


ESCALATING_ROWS = {
    (row.id, row.escalate_to) for row in table.ROWS if row.outcome == "escalate"
}


@settings(max_examples=150, deadline=None)
@given(requests())
def test_authorised_by_the_dg_never_escalates_twice(r):
    for each in every_pair(r):
        check_one_escalation(each)


def check_one_escalation(r: dict) -> None:
    authorised = decide(r, principal=replace(r["principal"], authorised_by_dg=True))
    if authorised.outcome == "escalate":
        # only a row's own escalation (A2, A5, A6, E3, E6, E7, E8), never M1 or M3
        assert (authorised.rule_id, authorised.escalate_to) in ESCALATING_ROWS
        assert not {"sensitive", "interior_custody"} & {
            reason.code for reason in authorised.reasons
        }
    plain = decide(r, principal=replace(r["principal"], authorised_by_dg=False))
    if plain.outcome == "escalate" and (plain.rule_id, plain.escalate_to) not in (
        ESCALATING_ROWS
    ):
        assert authorised.allowed


@settings(max_examples=300, deadline=None)
@given(requests())
def test_every_decision_is_well_formed(r):
    decision = decide(r)
    assert decision.outcome in access.OUTCOMES
    assert decision.allowed is (
        decision.outcome in {"allow", "allow_with_restrictions"}
    )
    assert (decision.escalate_to is not None) is (decision.outcome == "escalate")
    assert decision.restrictions <= access.RESTRICTIONS or decision.rule_id == "R2"
    if decision.outcome == "deny":
        assert decision.restrictions == frozenset()
    if decision.outcome == "allow":
        assert decision.restrictions == frozenset()
    assert decision.reasons and all(r.text_fr and r.text_en for r in decision.reasons)
    assert decision.rules_version == access.DEFAULT_RULES.version
