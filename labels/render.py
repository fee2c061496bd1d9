"""Label sheets: specs in, PDF bytes out."""

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from .barcodes import module_width_mm
from .cells import draw_label
from .content import label_content
from .errors import EmptySelectionError
from .i18n import check_lang, tr
from .pdf import new_canvas
from .sheets import (
    SheetLayout,
    check_offset,
    check_start,
    get_layout,
    plan_slots,
    slot_rect,
)
from .specs import LabelSpec


@dataclass(frozen=True, slots=True)
class RenderResult:
    """A rendered label sheet.

    Attributes:
        pdf: the PDF document.
        pages: number of pages (sheets, or roll labels).
        warnings: one line per problem the operator should know about, e.g.
            ``label 3 (page 1, slot 5): text truncated: '…' -> '…'``.
        labels: number of labels drawn.
    """

    pdf: bytes
    pages: int
    warnings: tuple[str, ...]
    labels: int = 0


def resolve_layout(layout: SheetLayout | str) -> SheetLayout:
    """Accept a layout or its registered name (see :func:`labels.get_layout`)."""
    return layout if isinstance(layout, SheetLayout) else get_layout(layout)


def render_label_sheet(
    specs: Sequence[LabelSpec],
    layout: SheetLayout | str,
    *,
    start: int = 1,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    invariant: bool = False,
    lang: str = "fr",
) -> RenderResult:
    """Render ``specs`` in order, one per slot, on as many pages as needed.

    Args:
        specs: the labels; kinds may be mixed.
        layout: a :class:`SheetLayout` or a registered name such as ``avery-l7160``.
        start: first free slot of the first sheet (1-based), to reuse a half-used
            sheet; later sheets start at slot 1.
        offset_mm: per-printer ``(dx, dy)`` correction in mm (right, down).
        invariant: byte-identical output for identical input (golden tests).
        lang: ``fr`` or ``en`` for the printed words (command labels always carry
            both captions).

    Raises:
        EmptySelectionError: ``specs`` is empty.
        LayoutError: unknown layout, ``start`` beyond the sheet, offset too large.
        BarcodeError: a barcode Code 128 cannot carry, or too long for the layout.
    """
    sheet = resolve_layout(layout)
    _check_request(specs, sheet, start, offset_mm, lang)
    buffer = io.BytesIO()
    title = f"{tr(lang, 'sheet_title')} {sheet.name}"
    canvas = new_canvas(buffer, sheet.page_size, title=title, invariant=invariant)
    pages, warnings = _draw_labels(canvas, specs, sheet, start, offset_mm, lang)
    canvas.showPage()
    canvas.save()
    return RenderResult(buffer.getvalue(), pages, tuple(warnings), len(specs))


def _check_request(
    specs: Sequence[LabelSpec],
    sheet: SheetLayout,
    start: int,
    offset_mm: tuple[float, float],
    lang: str,
) -> None:
    """Fail before drawing anything: every error names what to fix."""
    if not specs:
        raise EmptySelectionError("no labels to print: the selection is empty")
    check_lang(lang)
    check_start(sheet, start)
    check_offset(offset_mm)
    width_mm = sheet.label_width_mm - 2 * sheet.padding_mm
    for code in dict.fromkeys(spec.barcode for spec in specs):
        module_width_mm(
            code,
            width_mm,
            dpi=sheet.printer_dpi,
            max_mm=sheet.max_module_mm,
            where=f"layout {sheet.name}",
        )


def _draw_labels(
    canvas: Canvas,
    specs: Sequence[LabelSpec],
    sheet: SheetLayout,
    start: int,
    offset_mm: tuple[float, float],
    lang: str,
) -> tuple[int, list[str]]:
    """Draw every label; return the page count and the warnings."""
    page = 1
    warnings: list[str] = []
    slots = plan_slots(sheet, len(specs), start)
    for number, (spec, slot) in enumerate(zip(specs, slots, strict=True), start=1):
        if slot == 1 and number > 1:
            canvas.showPage()
            page += 1
        cell = slot_rect(sheet, slot, offset_mm)
        for cut in draw_label(canvas, cell, label_content(spec, lang), sheet):
            warnings.append(
                f"label {number} (page {page}, slot {slot}): text truncated: "
                f"{cut.original!r} -> {cut.printed!r}"
            )
    return page, warnings
