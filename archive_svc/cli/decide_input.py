"""The JSON ``access decide`` reads and writes (issue 13 item 3), checked at the edge.

Input: one object or an array of them::

    {"principal": {"role", "id", "unit", "division", "authorised_by_dg", ...},
     "purpose": "...", "at": "YYYY-MM-DD",
     "file": {"number", "division", "status", "assigned_officer", "sensitive", ...,
              "last_document_date", "applicant_death_date", "documents": [...]},
     "request_documents": [kinds] (optional), "derogation": {...} (optional)}

Everything is bounded and typed; an unknown field, a wrong type, a status, division,
document kind or restriction outside the vocabulary is an :class:`InputError` naming
the field (``[2].file.status``). An unknown role or purpose is not an error: the
engine denies it. Documents may be kinds or ``{"kind", "date"}`` objects; without a
``last_document_date`` the latest document date is used (partial dates at their
latest day, access-rules.md §5.1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Any

from archive_svc import access
from archive_svc.access.principals import DIVISIONS

MAX_INPUT_BYTES = 1 << 20
MAX_REQUESTS = 1000
MAX_LIST = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


@dataclass(frozen=True)
class DecisionRequest:
    principal: access.Principal
    purpose: str
    file: access.FileFacts
    at: date
    request_documents: frozenset[str] | None
    derogation: access.Derogation | None


def parse(raw: bytes) -> tuple[list[DecisionRequest], bool]:
    """The requests in ``raw`` and whether it was an array (answer in kind)."""
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError("", f"input larger than {MAX_INPUT_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputError("", "input is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError("", f"not JSON: {exc.msg} (line {exc.lineno})") from None
    except (RecursionError, ValueError) as exc:
        raise InputError("", f"unreadable JSON: {exc}") from None
    if isinstance(data, list):
        if not 1 <= len(data) <= MAX_REQUESTS:
            raise InputError("", f"expected 1 to {MAX_REQUESTS} requests")
        return [_request(item, f"[{i}]") for i, item in enumerate(data)], True
    return [_request(data, "")], False


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _fields(
    value: object, path: str, required: AbstractSet[str], optional: AbstractSet[str]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(path or "input", "expected an object")
    for key in value:
        if key not in required | optional:
            raise InputError(_at(path, key), "unknown field")
    for key in sorted(required - value.keys()):
        raise InputError(_at(path, key), "missing")
    return value


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(value: object, path: str, max_length: int = 128) -> str:
    if not isinstance(value, str):
        raise InputError(path, "expected a string")
    if not value or len(value) > max_length or _CONTROL.search(value):
        raise InputError(path, f"expected 1 to {max_length} printable characters")
    return value


def _optional(parse: Callable[[object, str], Any]) -> Callable[[object, str], Any]:
    return lambda value, path: None if value is None else parse(value, path)


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, "expected true or false")
    return value


def _day(value: object, path: str) -> date:
    text = _text(value, path, 10)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(path, "expected a date YYYY-MM-DD") from None
    if len(text) != 10:
        raise InputError(path, "expected a date YYYY-MM-DD")
    return day


def _partial_day(value: object, path: str) -> date:
    try:
        return access.latest_possible_day(_text(value, path, 10))
    except ValueError:
        raise InputError(path, "expected a date YYYY, YYYY-MM or YYYY-MM-DD") from None


def _word(vocabulary: frozenset[str], what: str) -> Callable[[object, str], str]:
    def parse(value: object, path: str) -> str:
        word = _text(value, path, 64)
        if word not in vocabulary:
            raise InputError(
                path, f"unknown {what} {word!r}; expected one of {sorted(vocabulary)}"
            )
        return word

    return parse


def _list(value: object, path: str, item: Callable[[object, str], Any]) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(path, "expected a list")
    if len(value) > MAX_LIST:
        raise InputError(path, f"at most {MAX_LIST} entries")
    return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]


_kind = _word(access.DOCUMENT_KINDS, "document kind")
_restriction = _word(access.RESTRICTIONS, "restriction")
_division = _optional(_word(DIVISIONS, "division"))

PRINCIPAL: Mapping[str, Callable[[object, str], Any]] = {
    "role": lambda v, p: _text(v, p, 64),
    "id": _text,
    "unit": _optional(_text),
    "division": _division,
    "authorised_by_dg": _flag,
    "authorisation_valid_until": _optional(_day),
    "banned_until": _optional(_day),
    "confidentiality_agreement": _flag,
}
FILE: Mapping[str, Callable[[object, str], Any]] = {
    "number": lambda v, p: _text(v, p, 64),
    "division": _division,
    "status": _word(access.STATUSES, "status"),
    "assigned_officer": _optional(_text),
    **{
        flag: _flag
        for flag in (
            "sensitive", "exclusion_clause", "interior_custody", "applicant_minor",
            "under_appeal", "available", "in_registration", "linked_case",
            "elimination_visa",
        )
    },
    "last_document_date": _optional(_partial_day),
    "applicant_death_date": _optional(_partial_day),
    "communicable_from": _optional(_day),
}  # fmt: skip


def _object(
    raw: dict[str, Any], path: str, spec: Mapping[str, Callable[[object, str], Any]]
) -> dict[str, Any]:
    return {k: spec[k](v, _at(path, k)) for k, v in raw.items() if k in spec}


def _document(value: object, path: str) -> tuple[str, date | None]:
    if isinstance(value, str):
        return _kind(value, path), None
    raw = _fields(value, path, {"kind"}, {"date"})
    when = raw.get("date")
    return _kind(raw["kind"], f"{path}.kind"), _optional(_partial_day)(
        when, f"{path}.date"
    )


def _file(value: object, path: str) -> access.FileFacts:
    raw = _fields(value, path, {"number", "status"}, {*FILE, "documents"})
    fields = _object(raw, path, FILE)
    docs = _list(raw.get("documents", []), _at(path, "documents"), _document)
    fields["documents"] = tuple(kind for kind, _ in docs)
    if fields.get("last_document_date") is None:
        fields["last_document_date"] = max(
            (when for _, when in docs if when is not None), default=None
        )
    fields.setdefault("division", None)
    return access.FileFacts(**fields)


def _derogation(value: object, path: str) -> access.Derogation:
    raw = _fields(value, path, {"researcher_id", "files", "valid_until"},
                  {"restrictions"})  # fmt: skip
    return access.Derogation(
        researcher_id=_text(raw["researcher_id"], _at(path, "researcher_id")),
        files=frozenset(_list(raw["files"], _at(path, "files"), _text)),
        valid_until=_day(raw["valid_until"], _at(path, "valid_until")),
        restrictions=frozenset(
            _list(raw.get("restrictions", []), _at(path, "restrictions"), _restriction)
        ),
    )


def _principal(value: object, path: str) -> access.Principal:
    raw = _fields(value, path, {"role", "id"}, set(PRINCIPAL))
    return access.Principal(**_object(raw, path, PRINCIPAL))


def _request(value: object, path: str) -> DecisionRequest:
    raw = _fields(value, path, {"principal", "purpose", "file", "at"},
                  {"request_documents", "derogation"})  # fmt: skip
    asked = raw.get("request_documents")
    return DecisionRequest(
        principal=_principal(raw["principal"], _at(path, "principal")),
        purpose=_text(raw["purpose"], _at(path, "purpose"), 64),
        file=_file(raw["file"], _at(path, "file")),
        at=_day(raw["at"], _at(path, "at")),
        request_documents=None
        if asked is None
        else frozenset(_list(asked, _at(path, "request_documents"), _kind)),
        derogation=_optional(_derogation)(
            raw.get("derogation"), _at(path, "derogation")
        ),
    )


def to_json(decision: access.Decision, rules: access.RuleSet) -> dict[str, object]:
    return {
        "outcome": decision.outcome,
        "restrictions": sorted(decision.restrictions),
        "reasons": [
            {"code": r.code, "fr": r.text_fr, "en": r.text_en} for r in decision.reasons
        ],
        "basis": [
            {"code": code, "status": rules.citation_status(code)}
            for code in decision.legal_basis
        ],
        "rule_id": decision.rule_id,
        "escalate_to": decision.escalate_to,
        "rules_version": decision.rules_version,
    }
