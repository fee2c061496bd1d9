"""Every code of the domain's vocabularies has a name in French and in English,
and the check the browser tests use finds a code shown as such."""

from __future__ import annotations

import pytest

from archive_svc.access import principals, rules
from archive_svc.api import i18n, vocabulary
from archive_svc.domain import errors, model
from archive_svc.domain.custody import MovementKind
from tests.vocabulary import codes, raw_codes

VOCABULARIES = [
    ("state", [s.value for s in model.State]),
    ("movement", [k.value for k in MovementKind]),
    ("item_kind", [k.value for k in model.ItemKind]),
    ("location_kind", [k.value for k in model.LocationKind]),
    ("virtual", [v.value for v in model.Virtual]),
    ("role", [r.value for r in principals.Role]),
    ("division", sorted(principals.DIVISIONS)),
    ("action", [a.value for a in rules.Action]),
]


def _error_codes(cls: type = errors.DomainError) -> list[str]:
    found = [cls.code]  # type: ignore[attr-defined]
    for sub in cls.__subclasses__():
        found += _error_codes(sub)
    return found


@pytest.fixture(params=i18n.LOCALES)
def locale(request):  # type: ignore[no-untyped-def]
    i18n.activate(request.param)
    yield request.param
    i18n.activate("fr")


@pytest.mark.parametrize(("table", "values"), VOCABULARIES)
def test_every_code_of_a_vocabulary_has_a_name_people_read(table, values, locale):
    for code in values:
        name = vocabulary.label(table, code)
        assert name and name != code, (table, code)
        assert raw_codes(name, locale) == [], (table, code, name)


def test_every_refusal_code_reads_as_a_sentence(locale):
    for code in _error_codes():
        sentence = vocabulary.refusal(code, "X-1")
        assert sentence.endswith("."), code
        assert code not in sentence


def test_a_refusal_names_what_it_is_about_in_the_pages_language():
    exc = errors.UnknownBarcode("BX00000001X")
    i18n.activate("en")
    try:
        assert vocabulary.explain(exc) == (
            "“BX00000001X”: no item or place has this barcode."
        )
    finally:
        i18n.activate("fr")
    assert vocabulary.explain(exc) == (
        "« BX00000001X » : aucun article ni lieu n'a ce code-barres."
    )


def test_the_check_is_built_from_the_vocabularies_themselves():
    assert {"in_storage", "hand_over", "box", "protection_officer", "africa"} <= codes()
    assert {"use_home", "route:print_labels", "unknown_target", "TRANSIT"} <= codes()


@pytest.mark.parametrize(
    ("text", "locale", "found"),
    [
        ("État : in_storage", "fr", ["in_storage"]),
        ("Boîte box 12", "fr", ["box"]),
        ("Remis à person:officer.nguyen", "fr", ["person:officer.nguyen"]),
        (
            "route:print_labels role_allowed",
            "en",
            ["role_allowed", "route:print_labels"],
        ),
        ("Lieu : TRANSIT", "fr", ["TRANSIT"]),
        ("Box 12 is in the stores", "en", []),
        ("Boîte 12, en magasin, Site de Rosny", "fr", []),
    ],
)
def test_the_check_finds_codes_shown_as_such(text, locale, found):
    assert raw_codes(text, locale) == found
