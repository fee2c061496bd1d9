"""Words of the item-level access rules (access-rules.md §2, §3.3, issue 13).

The same snake_case strings on the wire, in the database and in code.
"""

from __future__ import annotations

PURPOSES = frozenset(
    {
        "examination",
        "reexamination",
        "litigation",
        "applicant_access",
        "audio_appeal_access",
        "civil_status",
        "coi_research",
        "filing",
        "registration",
        "archival_processing",
        "nominal_search",
        "historical_research",
        "portal_display",
        "cnda_appeal",
        "ta_appeal",
        "removal",
        "procedure_status",
        "prosecutor_transmission",
        "control",
        "destruction",
    }
)
"""Purposes of access-rules.md §2 (an unknown purpose is a denial, not an error)."""

STATUSES = frozenset(
    {
        "pending",
        "rejected_pending_appeal",
        "rejected_final",
        "protected_refugee",
        "protected_subsidiary",
        "stateless",
        "withdrawn",
        "closed",
    }
)
"""Procedure status of an asylum file (issue 13 item 1)."""

REJECTED = frozenset({"rejected_pending_appeal", "rejected_final"})
"""A negative decision has been notified."""
DEFINITIVELY_REJECTED = frozenset({"rejected_final"})
PROTECTION_GRANTED = frozenset(
    {"protected_refugee", "protected_subsidiary", "stateless"}
)
"""Refugee status, subsidiary protection or statelessness recognised (A4)."""

DOCUMENT_KINDS = frozenset(
    {
        "civil_status",
        "travel_document",
        "interview_transcript",
        "audio_recording",
        "confidential_source",
        "decision",
        "medical",
    }
)
AUDIO_RECORDING = "audio_recording"
CONFIDENTIAL_SOURCE = "confidential_source"
IDENTITY_DOCUMENTS = frozenset({"civil_status", "travel_document"})
"""What E3 may ever reach: civil-status and travel documents (or copies)."""

RESTRICTIONS = frozenset(
    {
        "handling_only",
        "consult_only",
        "no_copy",
        "on_site",
        "by_appointment",
        "via_mission",
        "secure_on_site",
        "metadata_only",
        "copies_preferred",
        "documents_subset",
        "withhold_confidential_sources",
        "withhold_third_party_private_data",
    }
)
"""Restriction codes of access-rules.md §3.3 (printed on hand-over screens and slips)."""

ALLOW = "allow"
ALLOW_WITH_RESTRICTIONS = "allow_with_restrictions"
ESCALATE = "escalate"
DENY = "deny"
OUTCOMES = frozenset({ALLOW, ALLOW_WITH_RESTRICTIONS, ESCALATE, DENY})
ALLOWED = frozenset({ALLOW, ALLOW_WITH_RESTRICTIONS})
