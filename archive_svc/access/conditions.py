"""Item conditions the rows of the decision table name (``table.Row.condition``).

The table stays data; these predicates are its only code. Each takes the principal,
the file, the date, the kinds of documents asked for, the derogation and the rule set
(for its date options) and answers yes or no.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from archive_svc.access import vocabulary as v
from archive_svc.access.communicability import opening_date
from archive_svc.access.facts import Derogation, FileFacts, Principal

if TYPE_CHECKING:
    from archive_svc.access.engine import RuleSet

Docs = frozenset[str] | tuple[str, ...]
Condition = Callable[
    [Principal, FileFacts, date, Docs, "Derogation | None", "RuleSet"], bool
]
"""(principal, file, at, documents asked for, derogation, rule set) -> holds?"""


def _communicable(f: FileFacts, at: date, rs: RuleSet) -> bool:
    opening = f.communicable_from
    if opening is None:
        opening = opening_date(f, granularity=rs.granularity, medical=rs.medical)
    return opening is not None and at >= opening


def _covered(p: Principal, f: FileFacts, at: date, d: Derogation | None) -> bool:
    return (
        d is not None
        and d.researcher_id == p.id
        and f.number in d.files
        and at <= d.valid_until
    )


def _under_appeal(f: FileFacts) -> bool:
    return f.under_appeal or f.status == "rejected_pending_appeal"


def _only(docs: Docs, kinds: frozenset[str]) -> bool:
    return bool(docs) and all(d in kinds for d in docs)


_AUDIO_ONLY = frozenset({v.AUDIO_RECORDING})

CONDITIONS: Mapping[str, Condition] = {
    "always": lambda p, f, at, docs, d, rs: True,
    "unavailable": lambda p, f, at, docs, d, rs: not f.available,
    "reader_banned": lambda p, f, at, docs, d, rs: (
        p.banned_until is not None and p.banned_until > at
    ),
    "own_division_or_assigned": lambda p, f, at, docs, d, rs: (
        (p.division is not None and p.division == f.division)
        or (f.assigned_officer is not None and f.assigned_officer == p.id)
    ),
    "own_division": lambda p, f, at, docs, d, rs: (
        p.division is not None and p.division == f.division
    ),
    "protection_granted": lambda p, f, at, docs, d, rs: (
        f.status in v.PROTECTION_GRANTED
    ),
    "linked_case": lambda p, f, at, docs, d, rs: f.linked_case,
    "in_registration": lambda p, f, at, docs, d, rs: f.in_registration,
    "under_appeal": lambda p, f, at, docs, d, rs: _under_appeal(f),
    "audio_under_appeal": lambda p, f, at, docs, d, rs: (
        _only(docs, _AUDIO_ONLY) and _under_appeal(f)
    ),
    "identity_documents_rejected": lambda p, f, at, docs, d, rs: (
        _only(docs, v.IDENTITY_DOCUMENTS) and f.status in v.DEFINITIVELY_REJECTED
    ),
    "exclusion_clause": lambda p, f, at, docs, d, rs: f.exclusion_clause,
    "rejected_in_interior_custody_authorised": lambda p, f, at, docs, d, rs: (
        f.interior_custody and f.status in v.REJECTED and p.authorised_by_dg
    ),
    "rejected_in_interior_custody": lambda p, f, at, docs, d, rs: (
        f.interior_custody and f.status in v.REJECTED
    ),
    "audio_negative_decision": lambda p, f, at, docs, d, rs: (
        _only(docs, _AUDIO_ONLY) and f.status in v.REJECTED
    ),
    "communicable": lambda p, f, at, docs, d, rs: _communicable(f, at, rs),
    "derogation": lambda p, f, at, docs, d, rs: _covered(p, f, at, d),
    "communicable_or_derogation": lambda p, f, at, docs, d, rs: (
        _communicable(f, at, rs) or _covered(p, f, at, d)
    ),
    "elimination_visa": lambda p, f, at, docs, d, rs: f.elimination_visa,
}
"""Item conditions the rows name (the table stays data; these are its predicates)."""
