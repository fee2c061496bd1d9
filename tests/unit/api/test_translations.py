"""Every message of the pages has a French and an English translation."""

from __future__ import annotations

import re

import pytest

from archive_svc.api import catalogues, i18n

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_the_extractor_finds_the_messages_of_templates_and_code():
    messages = catalogues.extract()
    assert "Connexion" in messages  # a template
    assert "Identifiant ou mot de passe incorrect." in messages  # Python code


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_message_has_a_translation(locale):
    known = i18n.catalogue(locale)
    missing = [m for m in catalogues.extract() if not known.get(m)]
    assert missing == [], (
        f"untranslated in {locale}: run python -m archive_svc.api.catalogues"
    )


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_translations_keep_their_placeholders(locale):
    for message, translated in i18n.catalogue(locale).items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(
            PLACEHOLDER.findall(translated)
        ), message


def test_a_template_string_outside_gettext_is_caught(tmp_path):
    """Visible text in templates goes through _(): no bare words between tags."""
    bare = re.compile(r">\s*([A-Za-zÀ-ÿ][^<{]*?)\s*<")
    allowed = {"archive-svc", "English", "Français", "mm", "—"}
    offenders = []
    for path in sorted((catalogues.API_DIR / "templates").rglob("*.html")):
        for word in bare.findall(path.read_text(encoding="utf-8")):
            if word.strip() not in allowed:
                offenders.append(f"{path.name}: {word.strip()}")
    assert offenders == []


def test_english_is_served_when_asked():
    i18n.activate("en")
    try:
        assert i18n.gettext("Connexion") == "Sign in"
    finally:
        i18n.activate("fr")
    assert i18n.gettext("Connexion") == "Connexion"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_the_compiled_catalogue_matches_the_po_file(locale):
    from babel.messages.mofile import read_mo

    path = catalogues.po_path(locale).with_suffix(".mo")
    with path.open("rb") as handle:
        compiled = {str(m.id): str(m.string) for m in read_mo(handle) if m.id}
    assert compiled == i18n.catalogue(locale)
