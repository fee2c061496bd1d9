"""Label specifications: plain data, one frozen dataclass per label kind.

``barcode`` is always the exact string encoded in the Code 128 symbol (ASCII, e.g.
``BX00012345W``); the label also prints it grouped for typing (``BX 0001 2345 W``).
Everything else is printed as text and may use any character DejaVu Sans has.

File labels deliberately have no applicant-name field: a name never goes on a label.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class LocationLabel:
    """A storeroom, range, bay or shelf.

    Attributes:
        barcode: e.g. ``LC000000429``.
        code: short location code, e.g. ``M3-E04-T02-S5``.
        path: human-readable path printed large, e.g. ``Magasin 3 / Épi 04 / Travée 02``.
        kind: ``storeroom``, ``range``, ``bay`` or ``shelf`` (printed translated);
            any other text is printed as given.
    """

    barcode: str
    code: str
    path: str
    kind: str = "shelf"


@dataclass(frozen=True, slots=True)
class BoxLabel:
    """An archive box."""

    barcode: str
    box_number: str
    storeroom_path: str
    date_from: date | None = None
    date_to: date | None = None
    first_file: str = ""
    last_file: str = ""


@dataclass(frozen=True, slots=True)
class FileLabel:
    """A case file: file number and division only, never the applicant's name."""

    barcode: str
    file_number: str
    division: str


@dataclass(frozen=True, slots=True)
class EnvelopeLabel:
    """A sealed envelope of original documents (*pli*)."""

    barcode: str
    file_number: str
    seal_number: str
    contents: str


@dataclass(frozen=True, slots=True)
class CommandLabel:
    """A command barcode for the scanner workflows (``CMD-SHELVE``, ``RSN-URGENT``…).

    Both captions are printed large, French first unless the sheet is in English.
    """

    barcode: str
    caption_fr: str
    caption_en: str


@dataclass(frozen=True, slots=True)
class BadgeLabel:
    """An agent badge."""

    barcode: str
    display_name: str
    role: str
    unit: str = ""


LabelSpec = (
    LocationLabel | BoxLabel | FileLabel | EnvelopeLabel | CommandLabel | BadgeLabel
)
"""Any label kind accepted by :func:`labels.render_label_sheet`."""

LABEL_KINDS: dict[str, type[LabelSpec]] = {
    "location": LocationLabel,
    "box": BoxLabel,
    "file": FileLabel,
    "envelope": EnvelopeLabel,
    "command": CommandLabel,
    "badge": BadgeLabel,
}
"""CLI kind name -> spec class (``archive-svc labels render --kind``)."""
