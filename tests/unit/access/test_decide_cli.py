"""``archive-svc access decide``: JSON in on stdin, decisions out, bad input named.

The command runs as a real process (``python -m archive_svc``); the edge checks are
also exercised in-process, one bad field at a time.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive_svc import access
from archive_svc.cli import decide_input

ROOT = Path(__file__).resolve().parents[3]

OFFICER_REQUEST = {
    "principal": {
        "role": "protection_officer",
        "id": "o.martin",
        "unit": "DAF-2",
        "division": "africa",
        "authorised_by_dg": False,
    },
    "purpose": "examination",
    "file": {
        "number": "OFP-2024-001234",
        "division": "africa",
        "status": "pending",
        "assigned_officer": None,
        "sensitive": False,
        "exclusion_clause": False,
        "interior_custody": False,
        "applicant_minor": False,
        "last_document_date": "2025-03",
        "applicant_death_date": None,
        "documents": ["civil_status", "interview_transcript"],
    },
    "at": "2026-12-01",
}


def request(**changes) -> dict:
    r = copy.deepcopy(OFFICER_REQUEST)
    for dotted, value in changes.items():
        target = r
        *parents, last = dotted.split("__")
        for key in parents:
            target = target[key]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return r


def run_cli(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    return subprocess.run(
        [sys.executable, "-m", "archive_svc", "access", "decide", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_one_request_gets_one_decision_with_reasons_and_basis():
    done = run_cli(json.dumps(OFFICER_REQUEST).encode())
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer == {
        "outcome": "allow",
        "restrictions": [],
        "reasons": [
            {
                "code": "need_to_know",
                "fr": access.REASONS["need_to_know"].text_fr,
                "en": access.REASONS["need_to_know"].text_en,
            }
        ],
        "basis": [
            {"code": "CESEDA L.121-15", "status": "confirmed"},
            {"code": "CESEDA ex-L.722-3", "status": "unconfirmed"},
        ],
        "rule_id": "A1",
        "escalate_to": None,
        "rules_version": access.DEFAULT_RULES.version,
    }


def test_an_array_gets_an_array_in_order_and_unknown_words_are_denials():
    batch = [
        request(principal__role="foreign_authority"),
        request(principal__role="journalist"),
        request(purpose="curiosity"),
        request(
            principal__role="researcher",
            purpose="historical_research",
            file__last_document_date=None,
            file__documents=[{"kind": "decision", "date": "1970"}],
        ),
        request(
            principal__role="prefecture_agent",
            principal__authorisation_valid_until="2027-01-31",
            purpose="removal",
            file__status="rejected_final",
            request_documents=["civil_status"],
            file__documents=["civil_status", "confidential_source"],
        ),
    ]
    done = run_cli(json.dumps(batch).encode())
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    assert [(a["outcome"], a["rule_id"]) for a in answers] == [
        ("deny", "D1"),
        ("deny", "Z"),
        ("deny", "Z"),
        ("allow_with_restrictions", "R1"),
        ("escalate", "E3"),
    ]
    assert [r["code"] for r in answers[1]["reasons"]] == ["no_rule", "unknown_role"]
    assert answers[3]["restrictions"] == ["by_appointment", "on_site", "via_mission"]
    assert answers[4]["escalate_to"] == "dg_delegate"
    assert answers[4]["restrictions"] == [
        "copies_preferred",
        "documents_subset",
        "withhold_confidential_sources",
    ]


def test_invalid_input_names_the_field_on_stderr_and_prints_nothing():
    batch = [OFFICER_REQUEST, request(file__status="lost_in_space")]
    done = run_cli(json.dumps(batch).encode())
    assert done.returncode == 2
    assert done.stdout == b""
    assert "[1].file.status" in done.stderr.decode()
    assert "lost_in_space" in done.stderr.decode()
    garbage = run_cli(b'{"principal": ')
    assert garbage.returncode == 2 and garbage.stdout == b""
    assert "not JSON" in garbage.stderr.decode()


def test_confirmed_citations_come_from_a_file(tmp_path):
    citations = tmp_path / "citations.toml"
    citations.write_text(
        '[citations.ceseda_secrecy]\ncode = "CESEDA L.121-14"\nstatus = "confirmed"\n',
        encoding="utf-8",
    )
    done = run_cli(json.dumps(OFFICER_REQUEST).encode(), "--citations", str(citations))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["basis"][1] == {"code": "CESEDA L.121-14", "status": "confirmed"}
    assert answer["rules_version"] != access.DEFAULT_RULES.version
    citations.write_text('[citations.no_such_article]\nstatus = "confirmed"\n')
    bad = run_cli(json.dumps(OFFICER_REQUEST).encode(), "--citations", str(citations))
    assert bad.returncode == 2 and "no_such_article" in bad.stderr.decode()


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        (request(principal=...), "principal", "missing"),
        (request(principal__id=...), "principal.id", "missing"),
        (request(principal__division="mars"), "principal.division", "unknown division"),
        (request(principal__authorised_by_dg="yes"), "principal.authorised_by_dg",
         "true or false"),
        (request(principal__role="a" * 65), "principal.role", "printable"),
        (request(principal__id="o.\x00martin"), "principal.id", "printable"),
        (request(principal__salary=1), "principal.salary", "unknown field"),
        (request(purpose=7), "purpose", "string"),
        (request(at="01/12/2026"), "at", "YYYY-MM-DD"),
        (request(at="20261201"), "at", "YYYY-MM-DD"),
        (request(file__status=...), "file.status", "missing"),
        (request(file__documents=["photo"]), "file.documents[0]", "document kind"),
        (request(file__documents=[{"kind": "decision", "date": "1986-13"}]),
         "file.documents[0].date", "YYYY"),
        (request(file__documents=["decision"] * 201), "file.documents", "at most"),
        (request(file__last_document_date="yesterday"), "file.last_document_date",
         "YYYY"),
        (request(file__sensitive=1), "file.sensitive", "true or false"),
        (request(request_documents="audio_recording"), "request_documents", "list"),
        (request(derogation={"researcher_id": "r", "files": ["F"]}),
         "derogation.valid_until", "missing"),
        (request(derogation={"researcher_id": "r", "files": ["F"],
                             "valid_until": "2027-01-01", "restrictions": ["free"]}),
         "derogation.restrictions[0]", "unknown restriction"),
        (request(extra=True), "extra", "unknown field"),
    ],
)  # fmt: skip
def test_each_bad_field_is_named(given, field, words):
    with pytest.raises(decide_input.InputError) as caught:
        decide_input.parse(json.dumps(given).encode())
    assert caught.value.field == field
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"[]", "1 to 1000"),
        (json.dumps([OFFICER_REQUEST] * 1001).encode(), "1 to 1000"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
        (b'{"at": NaN}', "NaN"),
        (b"\xff\xfe", "UTF-8"),
        (b" " * (decide_input.MAX_INPUT_BYTES + 1), "larger"),
        (b'"just a string"', "expected an object"),
    ],
)
def test_unreadable_or_unbounded_input_is_refused(raw, words):
    with pytest.raises(decide_input.InputError, match=words):
        decide_input.parse(raw)


def test_documents_with_dates_give_the_latest_document_date():
    (parsed,), many = decide_input.parse(
        json.dumps(
            request(
                file__last_document_date=...,
                file__documents=[
                    {"kind": "decision", "date": "1984-06"},
                    "civil_status",
                    {"kind": "interview_transcript", "date": "1984"},
                ],
            )
        ).encode()
    )
    assert not many
    assert parsed.file.last_document_date.isoformat() == "1984-12-31"
    assert parsed.file.documents == ("decision", "civil_status", "interview_transcript")
