"""Every row of access-rules.md §3.2, its allowed side and its refused side, then the
modifiers M1-M4 of §3.3: one case per line, read as the table reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pytest

from archive_svc import access
from archive_svc.access import Derogation, FileFacts, Principal

AT = date(2026, 12, 1)
OPEN = date(1970, 5, 4)  # + 50 years: open since 2020
RECENT = date(2019, 3, 8)  # opens in 2069


def who(role: str, **kw) -> Principal:
    return Principal(role=role, id=kw.pop("id", f"{role}.1"), **kw)


def file(**kw) -> FileFacts:
    base = {
        "number": "OFP-2019-000123",
        "division": "africa",
        "status": "closed",
        "last_document_date": RECENT,
        "documents": ("civil_status", "interview_transcript", "decision"),
    }
    return FileFacts(**{**base, **kw})


AUDIO = frozenset({"audio_recording"})
WITH_AUDIO = ("civil_status", "interview_transcript", "audio_recording", "decision")


@dataclass(frozen=True)
class Case:
    principal: Principal
    purpose: str
    file: FileFacts
    outcome: str
    rule: str
    restrictions: frozenset[str] = frozenset()
    escalate_to: str | None = None
    reasons: tuple[str, ...] = ()
    kw: dict = field(default_factory=dict)


def case(id_, principal, purpose, f, outcome, rule, restrictions=(), escalate_to=None,
         reasons=(), **kw):  # fmt: skip
    return pytest.param(
        Case(principal, purpose, f, outcome, rule, frozenset(restrictions),
             escalate_to, tuple(reasons), kw),
        id=id_,
    )  # fmt: skip


officer = who("protection_officer", division="africa")
legal = who("legal_consultant")
registrar = who("civil_registrar")
researcher = who("researcher", id="reader-77")
prefecture = who("prefecture_agent", authorisation_valid_until=date(2027, 6, 30))
derogation = Derogation("reader-77", frozenset({"OFP-2019-000123"}),
                        date(2027, 1, 31), frozenset({"on_site", "no_copy"}))  # fmt: skip
AWR, ALLOW, DENY, ESC = "allow_with_restrictions", "allow", "deny", "escalate"

ROWS = [
    # D: hard denials
    case("D1 foreign authority denied", who("foreign_authority"), "examination",
         file(), DENY, "D1", reasons=["foreign_authority"]),
    case("D1 even authorised by the DG, unknown purpose", who("foreign_authority",
         authorised_by_dg=True), "authenticate", file(), DENY, "D1"),
    case("D2 destroyed or missing file denied", legal, "litigation",
         file(available=False), DENY, "D2", reasons=["not_available"]),
    case("D2 other side: available file", legal, "litigation", file(), ALLOW, "A3"),
    case("D3 banned reader denied", who("researcher", banned_until=date(2027, 1, 1)),
         "historical_research", file(last_document_date=OPEN), DENY, "D3",
         reasons=["reader_banned"]),
    case("D3 other side: ban ended on the day", who("researcher",
         banned_until=AT), "historical_research", file(last_document_date=OPEN),
         AWR, "R1", ["on_site", "by_appointment", "via_mission"]),
    # A: the office's own staff
    case("A1 own division allowed", officer, "examination", file(), ALLOW, "A1",
         reasons=["need_to_know"]),
    case("A1 assigned officer of another division allowed",
         who("protection_officer", id="o.7", division="asia"), "reexamination",
         file(assigned_officer="o.7"), ALLOW, "A1"),
    case("A1 reaches the audio recording", officer, "examination",
         file(documents=WITH_AUDIO), ALLOW, "A1"),
    case("A2 another division escalates", who("protection_officer", division="asia"),
         "examination", file(), ESC, "A2", escalate_to="archive_manager",
         reasons=["other_division"]),
    case("A2 officer without division escalates", who("protection_officer"),
         "examination", file(), ESC, "A2", escalate_to="archive_manager"),
    case("A3 litigation allowed", legal, "litigation", file(status="pending"),
         ALLOW, "A3"),
    case("A3 refused side: legal consultant examining", legal, "examination",
         file(), DENY, "Z", reasons=["no_rule"]),
    case("A4 refugee's file allowed", registrar, "civil_status",
         file(status="protected_refugee"), ALLOW, "A4"),
    case("A4 subsidiary protection allowed", registrar, "civil_status",
         file(status="protected_subsidiary"), ALLOW, "A4"),
    case("A4 stateless allowed", registrar, "civil_status",
         file(status="stateless"), ALLOW, "A4"),
    case("A5 protection not granted escalates", registrar, "civil_status",
         file(status="rejected_final"), ESC, "A5", escalate_to="archive_manager",
         reasons=["protection_not_granted"]),
    case("A5 withdrawn application escalates", registrar, "civil_status",
         file(status="withdrawn"), ESC, "A5", escalate_to="archive_manager"),
    case("A6 research linked to a case: consult only", who("research_assistant"),
         "coi_research", file(linked_case=True), AWR, "A6",
         ["consult_only", "no_copy"]),
    case("A6 unlinked research escalates", who("research_assistant"),
         "coi_research", file(), ESC, "A6", ["consult_only", "no_copy"],
         "archive_manager", ["coi_unlinked"]),
    case("A7 own division filing: handling only", who("secretary",
         division="africa"), "filing", file(), AWR, "A7", ["handling_only"]),
    case("A7 refused side: other division", who("secretary", division="asia"),
         "filing", file(), DENY, "Z", reasons=["no_rule", "other_division_filing"]),
    case("A8 file in registration allowed", who("digitisation_secretary"),
         "registration", file(in_registration=True), ALLOW, "A8"),
    case("A8 refused side: not in registration", who("digitisation_secretary"),
         "registration", file(), DENY, "Z",
         reasons=["no_rule", "not_in_registration"]),
    case("A9 archival processing: handling only", who("archive_agent"),
         "archival_processing", file(), AWR, "A9", ["handling_only"]),
    case("A9 refused side: an agent reading for examination", who("archive_agent"),
         "examination", file(), DENY, "Z"),
    case("A10 history mission processing allowed", who("history_mission_staff"),
         "archival_processing", file(), ALLOW, "A10"),
    case("A10 nominal search allowed", who("history_mission_staff"),
         "nominal_search", file(), ALLOW, "A10"),
    case("A10 refused side: historical research is a researcher's purpose",
         who("history_mission_staff"), "historical_research", file(), DENY, "Z"),
    # E: external bodies
    case("E1 CNDA on appeal: whole file, sources withheld", who("cnda"),
         "cnda_appeal", file(status="rejected_pending_appeal"), AWR, "E1",
         ["withhold_confidential_sources"], reasons=["court_appeal"]),
    case("E1 CNDA reaches the recording", who("cnda"), "cnda_appeal",
         file(under_appeal=True, documents=WITH_AUDIO), AWR, "E1",
         ["withhold_confidential_sources"]),
    case("E1 refused side: no appeal", who("cnda"), "cnda_appeal",
         file(status="rejected_final"), DENY, "Z",
         reasons=["no_rule", "court_not_under_appeal"]),
    case("E2 TA hears the recording of a border appeal",
         who("administrative_court"), "ta_appeal",
         file(under_appeal=True, documents=WITH_AUDIO), AWR, "E2",
         ["secure_on_site", "no_copy"], request_documents=AUDIO),
    case("E2 refused side: not under appeal", who("administrative_court"),
         "ta_appeal", file(documents=WITH_AUDIO), DENY, "P3",
         request_documents=AUDIO),
    case("E2 refused side: the rest of the file", who("administrative_court"),
         "ta_appeal", file(under_appeal=True), DENY, "Z"),
    case("E3 identity documents of a rejected applicant escalate to the DG",
         prefecture, "removal", file(status="rejected_final"), ESC, "E3",
         ["documents_subset", "copies_preferred"], "dg_delegate",
         ["removal_documents"], request_documents=frozenset({"civil_status",
                                                             "travel_document"})),
    case("E3 refused side: authorisation order expired (M4)",
         who("prefecture_agent", authorisation_valid_until=date(2026, 11, 30)),
         "removal", file(status="rejected_final"), DENY, "E3",
         reasons=["authorisation_expired"],
         request_documents=frozenset({"civil_status"})),
    case("E3 refused side: no order on record (M4)", who("prefecture_agent"),
         "removal", file(status="rejected_final"), DENY, "E3",
         request_documents=frozenset({"civil_status"})),
    case("E4 the whole file for a removal denied", prefecture, "removal",
         file(status="rejected_final"), DENY, "E4", reasons=["removal_other"]),
    case("E4 applicant not definitively rejected", prefecture, "removal",
         file(status="rejected_pending_appeal"), DENY, "E4",
         request_documents=frozenset({"civil_status"})),
    case("E5 prefecture asking procedure status denied", prefecture,
         "procedure_status", file(), DENY, "E5"),
    case("E5 OFII asking procedure status denied", who("ofii"), "procedure_status",
         file(), DENY, "E5", reasons=["procedure_status_elsewhere"]),
    case("E6 prosecutor, exclusion clause: DG and legal affairs",
         who("public_prosecutor"), "prosecutor_transmission",
         file(status="rejected_final", exclusion_clause=True), ESC, "E6",
         escalate_to="dg_delegate",
         reasons=["prosecutor_exclusion", "legal_consulted"]),
    case("E6 refused side: no exclusion clause", who("public_prosecutor"),
         "prosecutor_transmission", file(status="rejected_final"), DENY, "Z"),
    case("E7 police: DG and legal affairs, refused until decided", who("police"),
         "removal", file(), ESC, "E7", escalate_to="dg_delegate",
         reasons=["police_request", "legal_consulted"]),
    case("E7 police holding a DG authorisation still go to the DG",
         who("police", authorised_by_dg=True), "examination", file(), ESC, "E7",
         escalate_to="dg_delegate"),
    case("E8 UNHCR escalates to the DG", who("unhcr"), "examination", file(), ESC,
         "E8", escalate_to="dg_delegate"),
    case("E8 UNHCR whatever the purpose", who("unhcr"), "historical_research",
         file(last_document_date=OPEN), ESC, "E8", escalate_to="dg_delegate"),
    case("E9 Interior custody with DG authorisation: handling only",
         who("interior_custody", authorised_by_dg=True), "archival_processing",
         file(status="rejected_final", interior_custody=True), AWR, "E9",
         ["handling_only"]),
    case("E9 refused side: no DG authorisation", who("interior_custody"),
         "archival_processing", file(status="rejected_final",
         interior_custody=True), DENY, "E9",
         reasons=["interior_custody_not_authorised"]),
    case("E9 refused side: a file not in their custody",
         who("interior_custody", authorised_by_dg=True), "archival_processing",
         file(status="rejected_final"), DENY, "Z"),
    # P: the applicant's side
    case("P1 applicant's own file: sources and third parties withheld", legal,
         "applicant_access", file(), AWR, "P1",
         ["withhold_confidential_sources", "withhold_third_party_private_data"]),
    case("P1 refused side: the recording is not part of it", legal,
         "applicant_access", file(documents=WITH_AUDIO), DENY, "P3"),
    case("P2 recording after a negative decision, for the appeal", legal,
         "audio_appeal_access", file(status="rejected_pending_appeal",
         documents=WITH_AUDIO), AWR, "P2", ["secure_on_site", "no_copy"],
         request_documents=AUDIO),
    case("P2 refused side: no negative decision", legal, "audio_appeal_access",
         file(status="pending", documents=WITH_AUDIO), DENY, "P3",
         request_documents=AUDIO),
    case("P3 anyone else asking for a recording", who("archive_agent"),
         "archival_processing", file(documents=WITH_AUDIO), DENY, "P3",
         reasons=["audio_restricted"]),
    case("P3 a secretary's own division recording", who("secretary",
         division="africa"), "filing", file(documents=WITH_AUDIO), DENY, "P3"),
    # R: researchers and the public
    case("R1 communicable file: on site, by appointment, via the mission",
         researcher, "historical_research", file(last_document_date=OPEN), AWR,
         "R1", ["on_site", "by_appointment", "via_mission"]),
    case("R1 stated opening date reached", researcher, "historical_research",
         file(communicable_from=AT), AWR, "R1",
         ["on_site", "by_appointment", "via_mission"]),
    case("R1 refused side: stated opening date tomorrow", researcher,
         "historical_research", file(communicable_from=date(2026, 12, 2),
         last_document_date=OPEN), DENY, "R3"),
    case("R2 derogation covers reader, file and date", researcher,
         "historical_research", file(), AWR, "R2", ["on_site", "no_copy"],
         derogation=derogation),
    case("R2 refused side: derogation expired", researcher, "historical_research",
         file(), DENY, "R3", derogation=replace(derogation,
                                                valid_until=date(2026, 11, 30))),
    case("R2 refused side: another reader's derogation", who("researcher"),
         "historical_research", file(), DENY, "R3", derogation=derogation),
    case("R2 refused side: another file", researcher, "historical_research",
         file(number="OFP-2019-000999"), DENY, "R3", derogation=derogation),
    case("R3 not communicable, no derogation: ask for one", researcher,
         "historical_research", file(), DENY, "R3", reasons=["not_communicable"]),
    case("R3 no date known stays closed", researcher, "historical_research",
         file(last_document_date=None), DENY, "R3"),
    case("R4 portal shows a communicable file's description", researcher,
         "portal_display", file(last_document_date=OPEN), AWR, "R4",
         ["metadata_only"]),
    case("R4 portal shows a file under the reader's derogation", researcher,
         "portal_display", file(), AWR, "R4", ["metadata_only"],
         derogation=derogation),
    case("R5 portal shows nothing of a closed file", researcher, "portal_display",
         file(), DENY, "R5", reasons=["portal_hidden"]),
    case("R5 anonymous visitors see no file record", who("public"),
         "portal_display", file(last_document_date=OPEN), DENY, "R5"),
    # C: control and destruction
    case("C1 SIAF control: metadata only", who("siaf"), "control", file(), AWR, "C1",
         ["metadata_only"]),
    case("C1 refused side: SIAF reading for research", who("siaf"),
         "historical_research", file(), DENY, "Z"),
    case("C2 visa and agreement: handling only", who("destruction_contractor",
         confidentiality_agreement=True), "destruction",
         file(elimination_visa=True), AWR, "C2", ["handling_only"]),
    case("C2 refused side: no confidentiality agreement (M4)",
         who("destruction_contractor"), "destruction", file(elimination_visa=True),
         DENY, "C2", reasons=["no_confidentiality_agreement"]),
    case("C2 refused side: no elimination visa", who("destruction_contractor",
         confidentiality_agreement=True), "destruction", file(), DENY, "Z",
         reasons=["no_rule", "no_elimination_visa"]),
    # Z: default deny
    case("Z unknown role", who("journalist"), "examination", file(), DENY, "Z",
         reasons=["no_rule", "unknown_role"]),
    case("Z unknown purpose", officer, "curiosity", file(), DENY, "Z",
         reasons=["no_rule", "unknown_purpose"]),
    case("Z a known role without any row", who("dpo_auditor"), "control", file(),
         DENY, "Z", reasons=["no_rule"]),
]  # fmt: skip

MODIFIERS = [
    case("M1 sensitive file: an allow goes to the archive manager", officer,
         "examination", file(sensitive=True), ESC, "A1",
         escalate_to="archive_manager", reasons=["need_to_know", "sensitive"]),
    case("M1 sensitive file: a restricted allow too", who("secretary",
         division="africa"), "filing", file(sensitive=True), ESC, "A7",
         ["handling_only"], "archive_manager"),
    case("M1 not for archival handling (A9)", who("archive_agent"),
         "archival_processing", file(sensitive=True), AWR, "A9", ["handling_only"]),
    case("M1 not for the history mission (A10)", who("history_mission_staff"),
         "nominal_search", file(sensitive=True), ALLOW, "A10"),
    case("M1 authorised by the DG: not escalated again",
         who("protection_officer", division="africa", authorised_by_dg=True),
         "examination", file(sensitive=True), ALLOW, "A1"),
    case("M1 leaves a denial a denial", who("public"), "portal_display",
         file(sensitive=True), DENY, "R5"),
    case("M2 confidential sources withheld from a researcher", researcher,
         "historical_research", file(last_document_date=OPEN,
         documents=("decision", "confidential_source")), AWR, "R1",
         ["on_site", "by_appointment", "via_mission",
          "withhold_confidential_sources"],
         reasons=["communicable", "confidential_sources"]),
    case("M2 turns an external allow into a restricted one", who("siaf"),
         "control", file(documents=("confidential_source",)), AWR, "C1",
         ["metadata_only", "withhold_confidential_sources"]),
    case("M2 not for the office's own staff", legal, "litigation",
         file(documents=("confidential_source",)), ALLOW, "A3"),
    case("M2 kept on an escalation for the delegate to see", prefecture, "removal",
         file(status="rejected_final", documents=("civil_status",
              "confidential_source")), ESC, "E3",
         ["documents_subset", "copies_preferred", "withhold_confidential_sources"],
         "dg_delegate", request_documents=frozenset({"civil_status"})),
    case("M3 rejected file in Interior custody goes to the DG", legal, "litigation",
         file(status="rejected_final", interior_custody=True), ESC, "A3",
         escalate_to="dg_delegate", reasons=["litigation", "interior_custody"]),
    case("M3 DG authorisation: no second escalation", who("legal_consultant",
         authorised_by_dg=True), "litigation",
         file(status="rejected_final", interior_custody=True), ALLOW, "A3"),
    case("M3 only for rejected files", legal, "litigation",
         file(status="protected_refugee", interior_custody=True), ALLOW, "A3"),
    case("M3 over M1: sensitive file in Interior custody goes to the DG", legal,
         "litigation", file(status="rejected_final", interior_custody=True,
         sensitive=True), ESC, "A3", escalate_to="dg_delegate",
         reasons=["litigation", "sensitive", "interior_custody"]),
    case("M4 order valid through its last day", who("prefecture_agent",
         authorisation_valid_until=AT), "removal", file(status="rejected_final"),
         ESC, "E3", ["documents_subset", "copies_preferred"], "dg_delegate",
         request_documents=frozenset({"travel_document"})),
    case("M4 order expired the day before", who("prefecture_agent",
         authorisation_valid_until=date(2026, 11, 30)), "removal",
         file(status="rejected_final"), DENY, "E3",
         request_documents=frozenset({"travel_document"})),
]  # fmt: skip


def run(c: Case) -> access.Decision:
    return access.decide(c.principal, c.purpose, c.file, AT, **c.kw)


@pytest.mark.parametrize("c", ROWS + MODIFIERS)
def test_row(c: Case) -> None:
    decision = run(c)
    assert (decision.outcome, decision.rule_id) == (c.outcome, c.rule)
    assert decision.allowed is (c.outcome in {ALLOW, AWR})
    assert decision.escalate_to == c.escalate_to
    assert decision.restrictions == c.restrictions
    if c.reasons:
        assert [r.code for r in decision.reasons] == list(c.reasons)
    assert decision.rules_version == access.DEFAULT_RULES.version


def test_every_row_of_the_table_is_tried_on_both_sides():
    """Each row (D1-C2, P3, Z) names at least two cases: where it matches and where
    its condition fails (or, for hard denials, another of its conditions)."""
    table_ids = {r.id for r in access.DEFAULT_RULES.rows} | {"D1", "D2", "D3", "P3"}
    per_row: dict[str, int] = {}
    for p in ROWS:
        per_row[p.id.split()[0]] = per_row.get(p.id.split()[0], 0) + 1
    assert {row for row in table_ids if per_row.get(row, 0) < 2} == set()
    assert {run(p.values[0]).rule_id for p in ROWS} >= table_ids | {"Z"}


def test_every_decision_names_its_basis_in_french_and_english():
    for p in ROWS + MODIFIERS:
        decision = run(p.values[0])
        assert decision.reasons, p.id
        for reason in decision.reasons:
            assert (
                reason.text_fr and reason.text_en and reason.text_fr != reason.text_en
            )
        for code in decision.legal_basis:
            assert access.DEFAULT_RULES.citation_status(code) in {
                "confirmed",
                "unconfirmed",
            }
        if decision.rule_id not in {"Z", "D2"}:
            assert decision.legal_basis, p.id


def test_escalations_to_the_dg_with_legal_affairs_say_legal_is_consulted():
    for role, purpose, f in (
        ("police", "examination", file()),
        ("public_prosecutor", "prosecutor_transmission", file(exclusion_clause=True)),
    ):
        decision = access.decide(who(role), purpose, f, AT)
        assert decision.escalate_to == "dg_delegate"
        assert "legal_consulted" in {r.code for r in decision.reasons}
        assert any("affaires juridiques" in r.text_fr for r in decision.reasons)


def test_unconfirmed_citations_are_configuration_and_change_the_version():
    base = access.DEFAULT_RULES
    officer_decision = access.decide(officer, "examination", file(), AT)
    assert "CESEDA ex-L.722-3" in officer_decision.legal_basis
    assert base.citation_status("CESEDA ex-L.722-3") == "unconfirmed"
    confirmed = base.configured(
        citations={"ceseda_secrecy": {"code": "CESEDA L.121-14", "status": "confirmed"}}
    )
    again = access.decide(officer, "examination", file(), AT, rules=confirmed)
    assert again.legal_basis == ("CESEDA L.121-15", "CESEDA L.121-14")
    assert confirmed.citation_status("CESEDA L.121-14") == "confirmed"
    assert again.rules_version != officer_decision.rules_version
    assert access.RuleSet().version == base.version
    with pytest.raises(ValueError, match="ceseda_secrecyy"):
        base.configured(citations={"ceseda_secrecyy": {"status": "confirmed"}})
    with pytest.raises(ValueError, match="status"):
        base.configured(citations={"ceseda_secrecy": {"status": "sure"}})


def test_year_end_granularity_is_an_option_of_the_rule_set():
    year_end = access.DEFAULT_RULES.configured(granularity="year_end")
    f = file(last_document_date=date(1976, 3, 1))  # day: 2026-03-01; year end: 2027
    assert access.decide(researcher, "historical_research", f, AT).rule_id == "R1"
    assert (
        access.decide(researcher, "historical_research", f, AT, rules=year_end).rule_id
        == "R3"
    )
