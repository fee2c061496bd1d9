"""Legal citations as reference data (access-rules.md §1, §3.2).

Rows of the decision table name a citation by a stable *key*; the decision carries the
citation's *code* (the text a lawyer reads, e.g. ``CESEDA L.121-15``). An article whose
current number is not confirmed is ``unconfirmed``: the legal affairs division confirms
or corrects it by configuration (:func:`with_overrides`), never by editing code, and the
rule set's version changes with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CONFIRMED = "confirmed"
UNCONFIRMED = "unconfirmed"
CITATION_STATUSES = frozenset({CONFIRMED, UNCONFIRMED})


@dataclass(frozen=True)
class Citation:
    code: str
    status: str


def _c(code: str) -> Citation:
    return Citation(code, CONFIRMED)


def _u(code: str) -> Citation:
    return Citation(code, UNCONFIRMED)


CITATIONS: Mapping[str, Citation] = {
    # CESEDA (numbering in force since 1 May 2021)
    "ceseda_inviolability": _c("CESEDA L.121-15"),
    "ceseda_interior_custody": _c("CESEDA L.121-15 al. 2"),
    "ceseda_secrecy": _u("CESEDA ex-L.722-3"),
    "ceseda_confidential_sources": _u("CESEDA ex-L.723-10"),
    "ceseda_court_confidential": _c("CESEDA L.532-9"),
    "ceseda_court_file": _u("CESEDA ex-R.733-10"),
    "ceseda_audio": _c("CESEDA L.531-20"),
    "ceseda_civil_status": _u("CESEDA L.121-9"),
    "ceseda_removal": _c("CESEDA L.721-2"),
    "ceseda_removal_order": _u("CESEDA ex-R.723-22"),
    "ceseda_procedure_status": _u("CESEDA ex-R.723-21"),
    "ceseda_prosecutor": _u("CESEDA ex-L.722-3 al. 2"),
    "ceseda_unhcr": _u("CESEDA L.121-7 à L.121-12"),
    "ceseda_transcript": _u("CESEDA ex-L.723-7 I"),
    # Other texts
    "eu_procedures_art30": _c("Directive 2013/32/UE art. 30"),
    "cc_97_389": _c("Conseil constitutionnel 97-389 DC"),
    "cpp_40": _c("Code de procédure pénale art. 40"),
    "crpa_l311_6": _c("CRPA L.311-6"),
    # Code du patrimoine
    "patrimoine_reader_ban": _u("Code du patrimoine (exclusion des lecteurs)"),
    "patrimoine_l213_1": _c("Code du patrimoine L.213-1"),
    "patrimoine_l213_2": _c("Code du patrimoine L.213-2"),
    "patrimoine_private_life": _c("Code du patrimoine L.213-2 I 3°"),
    "patrimoine_derogation": _c("Code du patrimoine L.213-3"),
    "patrimoine_control": _c("Code du patrimoine R.212-14"),
    "patrimoine_elimination": _c("Code du patrimoine L.214-3"),
}
"""Every citation the table uses, by key."""


def with_overrides(
    base: Mapping[str, Citation], overrides: Mapping[str, Mapping[str, str]]
) -> dict[str, Citation]:
    """``base`` with some citations replaced: ``{key: {"code": ..., "status": ...}}``.

    Raises ``ValueError`` naming the key or field for an unknown key, an empty code or
    a status outside ``confirmed|unconfirmed`` (a typo must not silently cite nothing).
    """
    merged = dict(base)
    for key, fields in overrides.items():
        if key not in base:
            raise ValueError(f"unknown citation {key!r}")
        unknown = set(fields) - {"code", "status"}
        if unknown:
            raise ValueError(f"citation {key!r}: unknown field(s) {sorted(unknown)}")
        code = fields.get("code", base[key].code)
        status = fields.get("status", base[key].status)
        if not isinstance(code, str) or not code.strip() or len(code) > 200:
            raise ValueError(f"citation {key!r}: code must be 1 to 200 characters")
        if status not in CITATION_STATUSES:
            raise ValueError(
                f"citation {key!r}: status must be confirmed or unconfirmed"
            )
        merged[key] = Citation(code.strip(), status)
    return merged
