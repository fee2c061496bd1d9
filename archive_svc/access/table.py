"""The decision table of access-rules.md §3.2 as data.

A row names its principals, purposes and item condition (a key of
``engine.CONDITIONS``: the only code in a row), its outcome and restrictions, the
reasons it gives and the citations it rests on. The engine indexes the rows by
(role, purpose) once; the rule set's version is a hash of this data.

Fields beyond the table's columns:

- ``audio``: the row may reach an audio recording (A1, E1, E2, P2: §3.4); on a request
  touching a recording only these rows are tried, and P3 denies otherwise;
- ``side``: ``internal``, ``external`` or ``applicant`` (M2 withholds confidential
  sources from every external or applicant-side answer);
- ``m1_exempt``: A9 and A10 handle sensitive files without escalation (M1);
- ``needs``: the authorisation the row relies on (M4 denies when it does not hold):
  ``authorisation_order`` (valid at the date) or ``confidentiality_agreement``;
- ``derogation_restrictions``: the restrictions are the derogation's (R2);
- ``miss_reason``: said when a request of this role and purpose matched no row, so a
  refusal by default names what was missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive_svc.access import vocabulary as v

ANY: frozenset[str] = frozenset()
"""Empty roles or purposes: the row applies to every one."""

AUTHORISATION_ORDER = "authorisation_order"
CONFIDENTIALITY_AGREEMENT = "confidentiality_agreement"


@dataclass(frozen=True)
class Row:
    id: str
    roles: frozenset[str]
    purposes: frozenset[str]
    condition: str
    outcome: str
    restrictions: frozenset[str] = frozenset()
    escalate_to: str | None = None
    reasons: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    audio: bool = False
    side: str = "internal"
    m1_exempt: bool = False
    needs: str | None = None
    derogation_restrictions: bool = False
    miss_reason: str | None = None


def _s(*codes: str) -> frozenset[str]:
    return frozenset(codes)


HARD_DENIALS: tuple[Row, ...] = (
    Row("D1", _s("foreign_authority"), ANY, "always", v.DENY,
        reasons=("foreign_authority",),
        basis=("ceseda_confidential_sources", "ceseda_court_confidential",
               "eu_procedures_art30"), side="external"),
    Row("D2", ANY, ANY, "unavailable", v.DENY, reasons=("not_available",)),
    Row("D3", _s("researcher"), ANY, "reader_banned", v.DENY,
        reasons=("reader_banned",), basis=("patrimoine_reader_ban",),
        side="external"),
)  # fmt: skip

INVIOLABILITY = ("ceseda_inviolability",)
OWN_OFFICE = _s("examination", "reexamination")

ROWS: tuple[Row, ...] = (
    Row("A1", _s("protection_officer"), OWN_OFFICE, "own_division_or_assigned",
        v.ALLOW, reasons=("need_to_know",),
        basis=("ceseda_inviolability", "ceseda_secrecy"), audio=True),
    Row("A2", _s("protection_officer"), OWN_OFFICE, "always", v.ESCALATE,
        escalate_to="archive_manager", reasons=("other_division",),
        basis=INVIOLABILITY),
    Row("A3", _s("legal_consultant"), _s("litigation"), "always", v.ALLOW,
        reasons=("litigation",), basis=INVIOLABILITY),
    Row("A4", _s("civil_registrar"), _s("civil_status"), "protection_granted",
        v.ALLOW, reasons=("protection_granted",),
        basis=("ceseda_inviolability", "ceseda_civil_status")),
    Row("A5", _s("civil_registrar"), _s("civil_status"), "always", v.ESCALATE,
        escalate_to="archive_manager", reasons=("protection_not_granted",),
        basis=INVIOLABILITY),
    Row("A6", _s("research_assistant"), _s("coi_research"), "linked_case",
        v.ALLOW_WITH_RESTRICTIONS, _s("consult_only", "no_copy"),
        reasons=("coi_linked",), basis=INVIOLABILITY),
    Row("A6", _s("research_assistant"), _s("coi_research"), "always", v.ESCALATE,
        _s("consult_only", "no_copy"), escalate_to="archive_manager",
        reasons=("coi_unlinked",), basis=INVIOLABILITY),
    Row("A7", _s("secretary"), _s("filing"), "own_division",
        v.ALLOW_WITH_RESTRICTIONS, _s("handling_only"),
        reasons=("own_division_filing",), basis=INVIOLABILITY,
        miss_reason="other_division_filing"),
    Row("A8", _s("digitisation_secretary"), _s("registration"), "in_registration",
        v.ALLOW, reasons=("registration",), basis=INVIOLABILITY,
        miss_reason="not_in_registration"),
    Row("A9", _s("archive_agent"), _s("archival_processing"), "always",
        v.ALLOW_WITH_RESTRICTIONS, _s("handling_only"),
        reasons=("archival_handling",), basis=INVIOLABILITY, m1_exempt=True),
    Row("A10", _s("history_mission_staff"),
        _s("archival_processing", "nominal_search"), "always", v.ALLOW,
        reasons=("history_mission",), basis=INVIOLABILITY, m1_exempt=True),
    Row("E1", _s("cnda"), _s("cnda_appeal"), "under_appeal",
        v.ALLOW_WITH_RESTRICTIONS, _s("withhold_confidential_sources"),
        reasons=("court_appeal",),
        basis=("ceseda_court_confidential", "ceseda_court_file"), audio=True,
        side="external", miss_reason="court_not_under_appeal"),
    Row("E2", _s("administrative_court"), _s("ta_appeal"), "audio_under_appeal",
        v.ALLOW_WITH_RESTRICTIONS, _s("secure_on_site", "no_copy"),
        reasons=("ta_audio",), basis=("ceseda_audio",), audio=True,
        side="external"),
    Row("E3", _s("prefecture_agent"), _s("removal"), "identity_documents_rejected",
        v.ESCALATE, _s("documents_subset", "copies_preferred"),
        escalate_to="dg_delegate", reasons=("removal_documents",),
        basis=("ceseda_removal", "ceseda_removal_order"), side="external",
        needs=AUTHORISATION_ORDER),
    Row("E4", _s("prefecture_agent"), _s("removal"), "always", v.DENY,
        reasons=("removal_other",), basis=("ceseda_removal",), side="external"),
    Row("E5", _s("prefecture_agent", "ofii"), _s("procedure_status"), "always",
        v.DENY, reasons=("procedure_status_elsewhere",),
        basis=("ceseda_procedure_status",), side="external"),
    Row("E6", _s("public_prosecutor"), _s("prosecutor_transmission"),
        "exclusion_clause", v.ESCALATE, escalate_to="dg_delegate",
        reasons=("prosecutor_exclusion", "legal_consulted"),
        basis=("ceseda_prosecutor", "cpp_40"), side="external"),
    Row("E7", _s("police"), ANY, "always", v.ESCALATE, escalate_to="dg_delegate",
        reasons=("police_request", "legal_consulted"),
        basis=("ceseda_inviolability", "cc_97_389"), side="external"),
    Row("E8", _s("unhcr"), ANY, "always", v.ESCALATE, escalate_to="dg_delegate",
        reasons=("unhcr_request",), basis=("ceseda_unhcr",), side="external"),
    Row("E9", _s("interior_custody"), ANY, "rejected_in_interior_custody_authorised",
        v.ALLOW_WITH_RESTRICTIONS, _s("handling_only"),
        reasons=("interior_custody_authorised",),
        basis=("ceseda_interior_custody",), side="external"),
    Row("E9", _s("interior_custody"), ANY, "rejected_in_interior_custody", v.DENY,
        reasons=("interior_custody_not_authorised",),
        basis=("ceseda_interior_custody",), side="external"),
    Row("P1", _s("legal_consultant"), _s("applicant_access"), "always",
        v.ALLOW_WITH_RESTRICTIONS,
        _s("withhold_confidential_sources", "withhold_third_party_private_data"),
        reasons=("applicant_access",),
        basis=("crpa_l311_6", "ceseda_transcript"), side="applicant"),
    Row("P2", _s("legal_consultant"), _s("audio_appeal_access"),
        "audio_negative_decision", v.ALLOW_WITH_RESTRICTIONS,
        _s("secure_on_site", "no_copy"), reasons=("audio_appeal",),
        basis=("ceseda_audio",), audio=True, side="applicant"),
    Row("R1", _s("researcher"), _s("historical_research"), "communicable",
        v.ALLOW_WITH_RESTRICTIONS, _s("on_site", "by_appointment", "via_mission"),
        reasons=("communicable",),
        basis=("patrimoine_l213_1", "patrimoine_private_life"), side="external"),
    Row("R2", _s("researcher"), _s("historical_research"), "derogation",
        v.ALLOW_WITH_RESTRICTIONS, reasons=("derogation",),
        basis=("patrimoine_derogation",), side="external",
        derogation_restrictions=True),
    Row("R3", _s("researcher"), _s("historical_research"), "always", v.DENY,
        reasons=("not_communicable",), basis=("patrimoine_private_life",),
        side="external"),
    Row("R4", _s("researcher"), _s("portal_display"), "communicable_or_derogation",
        v.ALLOW_WITH_RESTRICTIONS, _s("metadata_only"),
        reasons=("portal_communicable",),
        basis=("patrimoine_l213_2", "patrimoine_derogation"), side="external"),
    Row("R5", _s("researcher", "public"), _s("portal_display"), "always", v.DENY,
        reasons=("portal_hidden",), basis=("patrimoine_private_life",),
        side="external"),
    Row("C1", _s("siaf"), _s("control"), "always", v.ALLOW_WITH_RESTRICTIONS,
        _s("metadata_only"), reasons=("siaf_control",),
        basis=("patrimoine_control", "patrimoine_derogation"), side="external"),
    Row("C2", _s("destruction_contractor"), _s("destruction"), "elimination_visa",
        v.ALLOW_WITH_RESTRICTIONS, _s("handling_only"), reasons=("destruction",),
        basis=("patrimoine_control", "patrimoine_elimination"), side="external",
        needs=CONFIDENTIALITY_AGREEMENT, miss_reason="no_elimination_visa"),
)  # fmt: skip
"""Rows A1-C2 in the order of the table: the first whose condition holds wins."""

AUDIO_DENIAL = Row("P3", ANY, ANY, "always", v.DENY,
                   reasons=("audio_restricted",), basis=("ceseda_audio",))  # fmt: skip
"""A request touching an audio recording that A1, E1, E2 and P2 did not match."""

DEFAULT_DENIAL = Row("Z", ANY, ANY, "always", v.DENY, reasons=("no_rule",))
"""No row matched: default deny."""


@dataclass(frozen=True)
class Modifier:
    id: str
    reason: str
    basis: tuple[str, ...]
    escalate_to: str | None = None


MODIFIERS: tuple[Modifier, ...] = (
    Modifier("M1", "sensitive", (), "archive_manager"),
    Modifier("M2", "confidential_sources", ("ceseda_confidential_sources",)),
    Modifier("M3", "interior_custody", ("ceseda_interior_custody",), "dg_delegate"),
    Modifier("M4", "authorisation_expired", ()),
)
"""Modifiers of §3.3, applied in this order to the matched row's result."""

NEED_REASONS = {
    AUTHORISATION_ORDER: "authorisation_expired",
    CONFIDENTIALITY_AGREEMENT: "no_confidentiality_agreement",
}
"""What M4 says when the authorisation a row relies on does not hold."""
