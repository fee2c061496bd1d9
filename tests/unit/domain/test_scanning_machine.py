"""The scanning state machine: workflows read as sentences, and hypothesis on random
read sequences (never crashes, exactly one decision per read, movements only when
accepted and with the read's id)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from archive_svc import texts
from archive_svc.domain import scanning, stations
from archive_svc.domain.outcomes import Outcome
from archive_svc.domain.scanning import step
from archive_svc.domain.stations import (
    BadgeFacts,
    DeviceSession,
    ItemFacts,
    LocationFacts,
    Mode,
    Read,
    ReadKind,
)
from labels import commands as label_commands

SHELF = LocationFacts("LC00000001X", "M1-S1", True, 500)
OTHER = LocationFacts("LC00000002X", "M1-S2", True, 500)
FULL = LocationFacts("LC00000003X", "M1-S3", True, 0)
ROOM = LocationFacts("LC00000004X", "M1", False)
AGENT = BadgeFacts("AG00000001X", "agent.martin", "Claire Martin")
OFFICER = BadgeFacts("AG00000002X", "officer.nguyen", "Linh Nguyen")
counter = iter(range(1, 10**9))


def read(kind: ReadKind, code: str = "", **facts) -> Read:
    seq = next(counter)
    return Read(f"scan-{seq}", "st-01", seq, code, kind, **facts)


def cmd(code: str) -> Read:
    return read(ReadKind.COMMAND, code)


def loc(facts: LocationFacts) -> Read:
    return read(ReadKind.LOCATION, facts.barcode, location=facts)


def badge(facts: BadgeFacts) -> Read:
    return read(ReadKind.BADGE, facts.barcode, badge=facts)


def item(
    state: str | None, shelf: str | None = None, code: str = "BX00000001W"
) -> Read:
    return read(ReadKind.ITEM, code, item=ItemFacts(code, state, shelf))


def run(*reads: Read, session: DeviceSession | None = None):
    s = session or DeviceSession()
    decisions = []
    for r in reads:
        s, d = step(s, r)
        decisions.append(d)
    return s, decisions


def codes(decisions) -> list[str]:
    return [d.reply.code for d in decisions]


def kinds(decisions) -> list[str | None]:
    return [d.movement.kind if d.movement else None for d in decisions]


def test_command_codes_are_those_printed_on_the_command_sheet():
    assert stations.COMMAND_CODES == label_commands.COMMAND_CODES
    assert stations.REASON_CODES == label_commands.REASON_CODES


def test_shelving_chooses_accession_verify_relocate_or_shelve_from_the_item_state():
    _, ds = run(badge(AGENT), cmd("CMD-SHELVE"), loc(SHELF), item(None),
                item("in_storage", SHELF.barcode), item("in_storage", OTHER.barcode),
                item("intake"), item("missing"))  # fmt: skip
    assert kinds(ds)[3:] == ["accession", "verify", "relocate", "shelve", "shelve"]
    assert ds[-1].movement.reason == "found"
    assert ds[3].movement.to == SHELF.barcode and ds[3].movement.actor == "agent.martin"


def test_the_movement_carries_the_read_id_device_and_sequence():
    r = item(None)
    _, ds = run(badge(AGENT), cmd("CMD-SHELVE"), loc(SHELF), r)
    m = ds[-1].movement
    assert (m.event_id, m.device_id, m.device_seq, m.entry_mode) == (
        r.scan_id, "st-01", r.device_seq, "scan",
    )  # fmt: skip


def test_an_unplanned_pick_needs_a_reason_code_first():
    _, ds = run(badge(AGENT), cmd("CMD-PICK"), item("in_storage"),
                read(ReadKind.REASON, "RSN-URGENT"), item("in_storage"))  # fmt: skip
    assert codes(ds)[2:] == ["reason_required", "reason_set", "recorded"]
    assert ds[-1].movement.kind == "pick" and ds[-1].movement.reason == "urgent"


def test_hand_over_takes_the_requester_badge_then_the_items():
    _, ds = run(badge(AGENT), cmd("CMD-HANDOVER"), item("with_agent"), badge(OFFICER),
                item("with_agent"), item("in_storage"))  # fmt: skip
    assert codes(ds)[2:] == [
        "requester_required",
        "requester_set",
        "recorded",
        "not_with_agent",
    ]
    assert ds[4].movement.to == OFFICER.barcode


def test_return_of_an_item_not_on_loan_is_refused_with_a_reason():
    _, ds = run(badge(AGENT), cmd("CMD-RETURN"), item("in_storage"), item("on_loan"))
    assert codes(ds)[2:] == ["not_on_loan", "recorded"]
    assert ds[2].reply.args == {"code": "BX00000001W", "state": "in_storage"}


def test_a_full_shelf_or_a_room_cannot_be_selected_for_shelving():
    _, ds = run(
        badge(AGENT),
        cmd("CMD-SHELVE"),
        loc(FULL),
        loc(ROOM),
        cmd("CMD-VERIFY"),
        loc(ROOM),
    )
    assert codes(ds)[2:] == [
        "shelf_full",
        "not_a_shelf",
        "mode_set",
        "location_selected",
    ]


def test_reads_without_a_mode_or_an_agent_are_refused():
    s, ds = run(
        item("in_storage"), loc(SHELF), cmd("CMD-SHELVE"), loc(SHELF), item(None)
    )
    assert codes(ds) == [
        "no_mode",
        "no_mode",
        "mode_set",
        "location_selected",
        "no_agent",
    ]
    assert s.mode is Mode.SHELVE


def test_verify_session_reports_its_summary_at_the_end():
    s, ds = run(
        badge(AGENT), cmd("CMD-VERIFY"), loc(SHELF), item("in_storage", SHELF.barcode)
    )
    s = scanning.settle(s, ds[-1], recorded=True)
    s, d = step(s, item("in_storage", OTHER.barcode))
    s = scanning.settle(s, d, recorded=False)
    s, d = step(s, cmd("CMD-VERIFY-END"))
    assert d.reply.code == "verify_summary" and s.mode is Mode.NONE
    assert d.reply.args == {"verified": 1, "discrepancies": 1}


def test_cancel_drops_the_selection_then_the_mode_but_never_a_recorded_movement():
    s, ds = run(
        badge(AGENT),
        cmd("CMD-SHELVE"),
        loc(SHELF),
        cmd("CMD-CANCEL"),
        cmd("CMD-CANCEL"),
    )
    assert codes(ds)[3:] == ["selection_cancelled", "mode_cancelled"]
    s, ds = run(cmd("CMD-SHELVE"), loc(SHELF), item(None), session=s)
    s = scanning.settle(s, ds[-1], recorded=True)
    s, d = step(s, cmd("CMD-CANCEL"))
    assert d.reply.code == "cancel_recorded" and d.reply.outcome is Outcome.REJECTED
    assert d.movement is None and s.location == SHELF.barcode


def test_every_reply_renders_in_french_and_in_english():
    _, ds = run(cmd("CMD-SHELVE"), read(ReadKind.UNKNOWN, "BX99999999Q"))
    reply = ds[-1].reply
    assert texts.render(reply).startswith("Code inconnu : BX99999999Q")
    assert texts.render(reply, "en").startswith("Unknown code: BX99999999Q")


def test_the_session_round_trips_through_json():
    s, _ = run(badge(AGENT), cmd("CMD-PICK"), read(ReadKind.REASON, "RSN-AUDIT"))
    s = replace(s, last_seq=42)
    assert DeviceSession.from_json(s.to_json()) == s


# --- properties ------------------------------------------------------------------

STATES = [None, "intake", "in_storage", "with_agent", "on_loan", "in_transit",
          "digitisation", "history_mission", "outside", "missing", "destroyed"]  # fmt: skip
reads = st.one_of(
    st.sampled_from((*stations.COMMAND_CODES, "CMD-NOPE")).map(cmd),
    st.sampled_from(stations.REASON_CODES).map(lambda c: read(ReadKind.REASON, c)),
    st.sampled_from([SHELF, OTHER, FULL, ROOM]).map(loc),
    st.sampled_from([AGENT, OFFICER, replace(OFFICER, active=False)]).map(badge),
    st.builds(
        item,
        st.sampled_from(STATES),
        st.sampled_from([None, SHELF.barcode, OTHER.barcode]),
    ),
    st.just(read(ReadKind.UNKNOWN, "BX99999999Q")),
    st.just(read(ReadKind.MALFORMED, "?!")),
)


def _fix_unknown_command(r: Read) -> Read:
    if r.kind is ReadKind.COMMAND and r.code not in stations.COMMAND_CODES:
        return replace(r, kind=ReadKind.MALFORMED)
    return r


@settings(max_examples=300, deadline=None)
@given(st.lists(reads, max_size=40), st.lists(st.booleans(), min_size=40, max_size=40))
def test_random_read_sequences_never_crash_and_get_one_decision_each(seq, verdicts):
    s = DeviceSession()
    for r, recorded in zip(map(_fix_unknown_command, seq), verdicts, strict=False):
        s, d = step(s, r)
        assert isinstance(d, scanning.Decision)
        for locale in ("fr", "en"):
            assert "%(" not in texts.render(d.reply, locale)
        if d.movement is not None:
            assert d.reply.outcome is Outcome.ACCEPTED
            assert d.movement.event_id == r.scan_id and d.movement.actor == s.agent
            s = scanning.settle(s, d, recorded)
        assert DeviceSession.from_json(s.to_json()) == s
