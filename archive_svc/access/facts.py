"""What the caller loads and hands to ``decide`` (immutable facts), and what it gets back.

No I/O here or in the engine: the caller reads the principal, the file and any
derogation, then asks. Vocabulary in :mod:`archive_svc.access.vocabulary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from archive_svc.access.reasons import Reason


@dataclass(frozen=True)
class Principal:
    role: str
    id: str
    unit: str | None = None
    division: str | None = None
    authorised_by_dg: bool = False
    """An escalation already decided in favour by the DG: M1 and M3 do not escalate
    again, E9 lets the person handle a file in Interior custody (D1 still denies)."""
    authorisation_valid_until: date | None = None
    """Individual authorisation order (a prefecture agent's, E3); M4 checks it."""
    banned_until: date | None = None
    """Reader ban (D3): denied while ``banned_until > at``."""
    confidentiality_agreement: bool = False
    """A destruction contractor's agreement on file (C2; M4 otherwise)."""


@dataclass(frozen=True)
class FileFacts:
    number: str
    division: str | None
    status: str
    assigned_officer: str | None = None
    sensitive: bool = False
    exclusion_clause: bool = False
    interior_custody: bool = False
    applicant_minor: bool = False
    under_appeal: bool = False
    last_document_date: date | None = None
    applicant_death_date: date | None = None
    documents: tuple[str, ...] = ()
    """Kinds of the documents the file holds (``vocabulary.DOCUMENT_KINDS``)."""
    available: bool = True
    """False when destroyed or declared missing (D2)."""
    in_registration: bool = False
    """A8: the file is being registered by the digitisation secretariat."""
    linked_case: bool = False
    """A6: the request is linked to a protection officer's case."""
    communicable_from: date | None = None
    """None: computed by ``communicability()`` from the dates above."""
    elimination_visa: bool = False
    """C2: on an elimination list whose visa is granted."""


@dataclass(frozen=True)
class Derogation:
    """A granted derogation's scope (access-rules.md §6), for R2 and R4."""

    researcher_id: str
    files: frozenset[str]
    valid_until: date
    restrictions: frozenset[str]


@dataclass(frozen=True)
class Decision:
    """access-rules.md §1. ``legal_basis`` holds citation codes (``CESEDA L.121-15``);
    ``RuleSet.citation_status`` tells whether each is confirmed."""

    outcome: str
    allowed: bool
    reasons: tuple[Reason, ...]
    legal_basis: tuple[str, ...]
    restrictions: frozenset[str]
    escalate_to: str | None
    rule_id: str
    rules_version: str
