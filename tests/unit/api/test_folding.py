"""The access journal folds a consultation's requests into one line."""

from __future__ import annotations

from datetime import timedelta

from archive_svc.api.portals.supervision import folding
from archive_svc.services.ports.journal import JournalEntry
from tests import builders


def row(minutes: float, who: str, action: str, obj: str, decision: str = "allow"):  # type: ignore[no-untyped-def]
    return JournalEntry(
        at=builders.T0 + timedelta(minutes=minutes),
        principal_ref=who,
        role="archive_manager",
        action=action,
        object_ref=obj,
        decision=decision,
        rule="route:use_console",
        reason="role_allowed",
    )


def test_opening_a_file_is_one_line_saying_it_was_read():
    rows = [  # newest first, as the journal lists them
        row(0.02, "m.x", "read_history", "BX00000001X"),
        row(0.01, "m.x", "read_item", "BX00000001X"),
        row(0.00, "m.x", "use_console", "/console/items/BX00000001X"),
    ]
    (line,) = folding.fold(rows)
    assert (line.action, line.count, line.subject) == (
        "read_item",
        3,
        folding.Subject("item", "BX00000001X"),
    )
    assert line.first == rows[-1].at and line.last == rows[0].at


def test_each_keystroke_of_the_labels_preview_folds_into_the_form():
    rows = [
        row(n / 60, "a.x", "print_labels", "/console/labels/preview")
        for n in range(12, 0, -1)
    ] + [row(0, "a.x", "print_labels", "/console/labels/")]
    (line,) = folding.fold(rows)
    assert line.count == 13 and line.subject.kind == "labels"


def test_other_people_refusals_and_long_pauses_stay_apart():
    rows = [
        row(40, "m.x", "read_item", "BX00000001X"),
        row(10, "m.x", "read_item", "BX00000001X"),  # 30 minutes earlier
        row(9, "o.y", "use_console", "/console/", "deny"),
        row(8, "m.x", "use_console", "/console/", "deny"),
        row(7, "m.x", "use_console", "/console/"),
    ]
    assert [line.count for line in folding.fold(rows)] == [1, 1, 1, 1, 1]
