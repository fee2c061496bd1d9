"""The access package's public surface (what the request flow, the portal and the
history mission code against) is pinned, and the documented examples still hold."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

from archive_svc import access
from archive_svc.cli import decide_input

DOC = Path(__file__).resolve().parents[3] / "docs" / "regles-d-acces.md"

EXPECTED = {
    "CITATIONS", "CONDITIONS", "DEFAULT_RULES", "DELAYS", "DOCUMENT_KINDS",
    "GRANULARITIES", "OUTCOMES", "PURPOSES", "REASONS", "RESTRICTIONS", "STATUSES",
    "Citation", "Communicability", "Decision", "Derogation", "FileFacts", "Principal",
    "Reason", "RuleSet", "add_years", "communicability", "decide",
    "latest_document_date", "latest_possible_day",
}  # fmt: skip


def test_the_public_names_are_pinned():
    assert set(access.__all__) == EXPECTED
    assert all(hasattr(access, name) for name in access.__all__)


def test_decide_has_the_agreed_signature():
    signature = inspect.signature(access.decide)
    assert list(signature.parameters) == [
        "principal", "purpose", "file", "at", "request_documents", "derogation", "rules",
    ]  # fmt: skip
    keyword_only = {
        name
        for name, p in signature.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keyword_only == {"request_documents", "derogation", "rules"}
    assert signature.parameters["rules"].default is access.DEFAULT_RULES
    assert [f for f in access.Decision.__dataclass_fields__] == [
        "outcome", "allowed", "reasons", "legal_basis", "restrictions",
        "escalate_to", "rule_id", "rules_version",
    ]  # fmt: skip


def doc_examples() -> list[tuple[str, list[str]]]:
    """(input JSON, expected output lines) for each worked example of the doc."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    pairs = []
    for given, answer in zip(blocks[1::2], blocks[2::2], strict=True):
        pairs.append((given, answer.strip().splitlines()))
    return pairs


def summary(answer: dict) -> dict:
    """What the doc's jq filter keeps of an answer."""
    return {
        "outcome": answer["outcome"],
        "rule_id": answer["rule_id"],
        "escalate_to": answer["escalate_to"],
        "restrictions": answer["restrictions"],
        "reasons": [r["fr"] for r in answer["reasons"]],
        "basis": [
            b["code"] + (" (non confirmé)" if b["status"] == "unconfirmed" else "")
            for b in answer["basis"]
        ],
    }


def test_the_worked_examples_of_the_doc_still_come_out_as_printed():
    examples = doc_examples()
    assert len(examples) == 7
    for given, printed in examples:
        requests, many = decide_input.parse(given.encode())
        answers = [
            decide_input.to_json(
                access.decide(r.principal, r.purpose, r.file, r.at,
                              request_documents=r.request_documents,
                              derogation=r.derogation),
                access.DEFAULT_RULES,
            )
            for r in requests
        ]  # fmt: skip
        if printed[0] == "{" and len(printed) > 1 and not many:
            full = json.loads("\n".join(printed))
            assert full == answers[0]  # rules_version too: the doc shows this table
            continue
        assert [json.loads(line) for line in printed] == [summary(a) for a in answers]
