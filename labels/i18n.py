"""The few printed words of labels and documents, in French (default) and English.

``labels`` is standalone, so it carries its own small catalogue instead of gettext.
"""

from datetime import date, datetime

from .errors import LabelError

LANGUAGES = ("fr", "en")

_STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "storeroom": "Magasin",
        "range": "Épi",
        "bay": "Travée",
        "shelf": "Tablette",
        "box": "Boîte",
        "dates": "Dates",
        "files": "Dossiers",
        "file": "Dossier",
        "division": "Division",
        "envelope": "Pli d'originaux",
        "seal": "Scellé n°",
        "contents": "Contenu",
        "sheet_title": "Étiquettes",
        "calibration_title": "Page d'étalonnage",
        "calibration_hint": "Imprimer à 100 % (taille réelle), jamais « ajuster à la page ».",
        "ruler": "Cette règle doit mesurer {mm} mm.",
        "page": "Page {page}/{pages}",
        "generated": "Généré le {when} par {who}",
        "ledger_head": "Tête du registre : {hash}",
        "out_card": "Fantôme",
        "item": "Article",
        "request": "Demande",
        "destination": "Destination",
        "taken_by": "Emprunté par",
        "date_out": "Sorti le",
        "due": "Retour prévu le",
        "out_card_note": "Laisser ce fantôme à la place du dossier jusqu'au retour.",
        "pick_list": "Liste de prélèvement",
        "run": "Tournée",
        "position": "N°",
        "shelf_code": "Emplacement",
        "barcode": "Code-barres",
        "file_number": "N° de dossier",
        "requester_unit": "Unité demandeuse",
        "priority": "Priorité",
        "urgent": "URGENT",
        "normal": "normale",
        "lines": "{count} lignes",
        "delivery_receipt": "Bon de remise",
        "handed_over_by": "Remis par",
        "received_by": "Reçu par",
        "date": "Date",
        "signature": "Signature",
        "description": "Description",
    },
    "en": {
        "storeroom": "Storeroom",
        "range": "Range",
        "bay": "Bay",
        "shelf": "Shelf",
        "box": "Box",
        "dates": "Dates",
        "files": "Files",
        "file": "File",
        "division": "Division",
        "envelope": "Original documents",
        "seal": "Seal no.",
        "contents": "Contents",
        "sheet_title": "Labels",
        "calibration_title": "Calibration page",
        "calibration_hint": "Print at 100 % (actual size), never 'fit to page'.",
        "ruler": "This ruler must measure {mm} mm.",
        "page": "Page {page}/{pages}",
        "generated": "Generated {when} by {who}",
        "ledger_head": "Ledger head: {hash}",
        "out_card": "Out-card",
        "item": "Item",
        "request": "Request",
        "destination": "Destination",
        "taken_by": "Taken by",
        "date_out": "Out on",
        "due": "Due back",
        "out_card_note": "Leave this out-card in place of the file until it returns.",
        "pick_list": "Pick list",
        "run": "Run",
        "position": "#",
        "shelf_code": "Location",
        "barcode": "Barcode",
        "file_number": "File number",
        "requester_unit": "Requester unit",
        "priority": "Priority",
        "urgent": "URGENT",
        "normal": "normal",
        "lines": "{count} lines",
        "delivery_receipt": "Delivery receipt",
        "handed_over_by": "Handed over by",
        "received_by": "Received by",
        "date": "Date",
        "signature": "Signature",
        "description": "Description",
    },
}


def check_lang(lang: str) -> None:
    """Raise :class:`LabelError` unless ``lang`` is one of :data:`LANGUAGES`."""
    if lang not in _STRINGS:
        raise LabelError(f"unsupported language {lang!r}; use one of {LANGUAGES}")


def tr(lang: str, key: str, **values: object) -> str:
    """Return the ``key`` string in ``lang``, formatted with ``values``."""
    check_lang(lang)
    text = _STRINGS[lang][key]
    return text.format(**values) if values else text


def tr_or_self(lang: str, key: str) -> str:
    """Translate ``key`` if the catalogue has it, else return it unchanged."""
    check_lang(lang)
    return _STRINGS[lang].get(key, key)


def format_date(value: date, lang: str) -> str:
    """``12/03/2024`` in French, ``2024-03-12`` in English."""
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()


def format_datetime(value: datetime, lang: str) -> str:
    """Date and minutes, in the language's date order."""
    return f"{format_date(value.date(), lang)} {value:%H:%M}"
