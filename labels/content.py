"""What each label kind prints: text lines, the barcode and its grouped caption.

The drawing code (:mod:`labels.cells`) only knows :class:`LabelContent`; adding a label
kind means adding a spec and one small function here.
"""

from dataclasses import dataclass
from datetime import date

from .barcodes import human_readable
from .i18n import format_date, tr, tr_or_self
from .specs import (
    BadgeLabel,
    BoxLabel,
    CommandLabel,
    EnvelopeLabel,
    FileLabel,
    LabelSpec,
    LocationLabel,
)

HEADLINE = 1.0
SUBLINE = 0.8
DETAIL = 0.6


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text; ``scale`` is its size relative to the headline."""

    text: str
    bold: bool = False
    scale: float = DETAIL


@dataclass(frozen=True, slots=True)
class LabelContent:
    """Text lines (top to bottom), the barcode payload and its printed caption."""

    lines: tuple[Line, ...]
    barcode: str
    caption: str


def label_content(spec: LabelSpec, lang: str) -> LabelContent:
    """Return what ``spec`` prints in ``lang`` (``fr`` or ``en``)."""
    lines = _lines(spec, lang)
    kept = tuple(line for line in lines if line.text)
    return LabelContent(kept, spec.barcode, human_readable(spec.barcode))


def _lines(spec: LabelSpec, lang: str) -> tuple[Line, ...]:
    match spec:
        case LocationLabel():
            return _location(spec, lang)
        case BoxLabel():
            return _box(spec, lang)
        case FileLabel():
            return _file(spec, lang)
        case EnvelopeLabel():
            return _envelope(spec, lang)
        case CommandLabel():
            return _command(spec, lang)
        case BadgeLabel():
            return _badge(spec)


def _location(spec: LocationLabel, lang: str) -> tuple[Line, ...]:
    return (
        Line(spec.path, bold=True, scale=HEADLINE),
        Line(f"{tr_or_self(lang, spec.kind)} {spec.code}", scale=SUBLINE),
    )


def _box(spec: BoxLabel, lang: str) -> tuple[Line, ...]:
    files = _range(spec.first_file, spec.last_file)
    return (
        Line(f"{tr(lang, 'box')} {spec.box_number}", bold=True, scale=HEADLINE),
        Line(spec.storeroom_path),
        Line(_field(lang, "dates", _date_range(spec.date_from, spec.date_to, lang))),
        Line(_field(lang, "files", files)),
    )


def _file(spec: FileLabel, lang: str) -> tuple[Line, ...]:
    return (
        Line(spec.file_number, bold=True, scale=HEADLINE),
        Line(_field(lang, "division", spec.division), scale=SUBLINE),
    )


def _envelope(spec: EnvelopeLabel, lang: str) -> tuple[Line, ...]:
    return (
        Line(tr(lang, "envelope"), bold=True, scale=SUBLINE),
        Line(spec.file_number, bold=True, scale=HEADLINE),
        Line(_field(lang, "seal", spec.seal_number)),
        Line(_field(lang, "contents", spec.contents)),
    )


def _command(spec: CommandLabel, lang: str) -> tuple[Line, ...]:
    first, second = (
        (spec.caption_fr, spec.caption_en)
        if lang == "fr"
        else (spec.caption_en, spec.caption_fr)
    )
    return (Line(first, bold=True, scale=HEADLINE), Line(second, scale=HEADLINE))


def _badge(spec: BadgeLabel) -> tuple[Line, ...]:
    role = " · ".join(part for part in (spec.role, spec.unit) if part)
    return (Line(spec.display_name, bold=True, scale=HEADLINE), Line(role))


def _field(lang: str, key: str, value: str) -> str:
    if not value:
        return ""
    separator = "\u00a0: " if lang == "fr" else ": "
    return f"{tr(lang, key)}{separator}{value}"


def _range(first: str, last: str) -> str:
    if first and last and first != last:
        return f"{first} \u2013 {last}"
    return first or last


def _date_range(start: date | None, end: date | None, lang: str) -> str:
    texts = [format_date(d, lang) for d in (start, end) if d is not None]
    return _range(*texts) if len(texts) == 2 else "".join(texts)
