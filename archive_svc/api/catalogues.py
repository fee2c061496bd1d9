"""Extract the pages' messages and write the gettext catalogues (Babel).

``python -m archive_svc.api.catalogues`` re-extracts every ``_()``/``N_()`` call and
``{{ _() }}`` in templates, keeps existing translations, writes ``messages.po`` and
compiles ``messages.mo`` for each language. French is the source language.
"""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from archive_svc.api.i18n import LOCALE_DIR, LOCALES

API_DIR = Path(__file__).parent
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
TEXTS = [("texts.py", "python")]
KEYWORDS: dict[str, None] = {"_": None, "gettext": None, "N_": None}


def extract() -> list[str]:
    """Every message id used by templates, the api package and the scanner texts
    (``archive_svc/texts.py``), in first-seen order."""
    seen: dict[str, None] = {}
    for directory, methods in ((API_DIR, METHODS), (API_DIR.parent, TEXTS)):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(directory), method_map=methods, options_map=OPTIONS, keywords=KEYWORDS
        ):
            if isinstance(message, str):
                seen.setdefault(message, None)
    return list(seen)


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def existing(locale: str) -> dict[str, str]:
    path = po_path(locale)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string}


def write(locale: str, translations: dict[str, str]) -> None:
    catalog = Catalog(locale=locale, project="archive-svc", charset="utf-8")
    for message in extract():
        catalog.add(message, translations.get(message, ""))
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=0)
    with path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)


def main() -> None:
    for locale in LOCALES:
        known = existing(locale)
        if locale == "fr":
            known = {m: known.get(m) or m for m in extract()}
        write(locale, known)


if __name__ == "__main__":
    main()
