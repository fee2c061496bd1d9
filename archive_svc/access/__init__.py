"""Access rules: pure functions, no I/O (access-rules.md).

``decide(principal, purpose, file, at)`` is the item-level decision of the table;
``communicability(file)`` says when a file opens to the public; ``rules`` keeps the
coarse, role-level route table of the API.
"""

from archive_svc.access.citations import CITATIONS, Citation
from archive_svc.access.communicability import (
    DELAYS,
    GRANULARITIES,
    Communicability,
    add_years,
    communicability,
    latest_document_date,
    latest_possible_day,
)
from archive_svc.access.conditions import CONDITIONS
from archive_svc.access.engine import DEFAULT_RULES, RuleSet, decide
from archive_svc.access.facts import Decision, Derogation, FileFacts, Principal
from archive_svc.access.reasons import REASONS, Reason
from archive_svc.access.vocabulary import (
    DOCUMENT_KINDS,
    OUTCOMES,
    PURPOSES,
    RESTRICTIONS,
    STATUSES,
)

__all__ = [
    "CITATIONS",
    "CONDITIONS",
    "DEFAULT_RULES",
    "DELAYS",
    "DOCUMENT_KINDS",
    "GRANULARITIES",
    "OUTCOMES",
    "PURPOSES",
    "REASONS",
    "RESTRICTIONS",
    "STATUSES",
    "Citation",
    "Communicability",
    "Decision",
    "Derogation",
    "FileFacts",
    "Principal",
    "Reason",
    "RuleSet",
    "add_years",
    "communicability",
    "decide",
    "latest_document_date",
    "latest_possible_day",
]
