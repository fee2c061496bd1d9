"""Find machine codes shown to people: built from the vocabularies themselves.

The codes come from the enums and tables of the domain and the access rules
(states, movement and item kinds, location kinds, virtual places, roles,
divisions, route actions), from every ``DomainError`` subclass (refusal codes),
and from the journal's own actions and rules (the keys the pages translate), so
a new code is checked as soon as it exists.

A code with an underscore or a colon (``in_storage``, ``route:print_labels``) is
never prose: it is flagged wherever it appears. A one-word code (``box``,
``pick``, ``TRANSIT``) is flagged unless the page's own catalogue uses that very
word (case-sensitive) in its translations: "Site" or "Police" are French words,
"box" and "return" English ones.
"""

from __future__ import annotations

import re
from functools import cache

from archive_svc import printing
from archive_svc.access import principals, rules
from archive_svc.api import i18n, vocabulary
from archive_svc.domain import errors, model, outcomes
from archive_svc.domain.custody import MovementKind

REF = re.compile(r"\b(?:person|location|container):[A-Za-z0-9._\-]+")
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9_]+")


def _subclasses(cls: type) -> list[type]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


@cache
def codes() -> frozenset[str]:
    values: set[str] = set()
    for enum in (
        model.State,
        model.ItemKind,
        model.LocationKind,
        model.Virtual,
        model.CustodianKind,
        MovementKind,
        principals.Role,
        rules.Action,
        outcomes.Outcome,
    ):
        values |= {member.value for member in enum}
    values |= set(principals.DIVISIONS)
    values |= {c.code for c in _subclasses(errors.DomainError)}
    values |= {printing.SelectionError.code}
    for table in ("action", "rule", "refusal"):
        values |= {key.partition(":")[0] for key in vocabulary.TABLES[table]}
    values |= {f"route:{a.value}" for a in rules.Action}
    values |= {"allow", "deny", "accepted", "rejected"}
    values.discard(
        "Z"
    )  # one letter: the default-deny rule, checked through REF-less rows
    return frozenset(values)


@cache
def words(locale: str) -> frozenset[str]:
    """Every word the catalogue of ``locale`` shows (case kept)."""
    found: set[str] = set()
    for message, translated in i18n.catalogue(locale).items():
        for text in (translated, message) if locale == "fr" else (translated,):
            found |= set(_WORD.findall(text))
    return frozenset(found)


def raw_codes(text: str, locale: str) -> list[str]:
    """The vocabulary codes ``text`` shows as such (sorted, unique)."""
    shown = set(REF.findall(text))
    rest = REF.sub(" ", text)
    for code in sorted(
        (c for c in codes() if "_" in c or ":" in c), key=len, reverse=True
    ):
        pattern = rf"(?<![A-Za-z0-9_:]){re.escape(code)}(?![A-Za-z0-9_])"
        if re.search(pattern, rest):
            shown.add(code)
            rest = re.sub(pattern, " ", rest)
    tokens = set(_WORD.findall(rest))
    for code in codes():
        one_word = "_" not in code and ":" not in code
        if one_word and code in tokens and code not in words(locale):
            shown.add(code)
    return sorted(shown)
