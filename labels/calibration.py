"""Calibration page: cell outlines, slot numbers and a ruler to check 100 % scale.

Print it on plain paper at "actual size" and hold it against a label sheet: every
outline must sit on a label, and the ruler must measure its printed length (100 mm,
or the longest multiple of 10 mm that fits a narrow roll label). A misaligned printer
is corrected with ``offset_mm``, never with "fit to page".
"""

import io

from reportlab.pdfgen.canvas import Canvas

from .i18n import check_lang, tr
from .pdf import FONT, FONT_BOLD, fit_text, new_canvas
from .render import resolve_layout
from .sheets import MM, Rect, SheetLayout, check_offset, slot_rect

RULER_MM = 100
TICK_MM = (1.2, 2.0, 3.5)
"""Tick lengths for mm, 5 mm and 10 mm marks."""


def ruler_length_mm(layout: SheetLayout) -> int:
    """100 mm, or the longest multiple of 10 mm leaving 5 mm each side."""
    return int(min(RULER_MM, (layout.page_width_mm - 10) // 10 * 10))


def render_calibration(
    layout: SheetLayout | str,
    *,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    invariant: bool = False,
    lang: str = "fr",
) -> bytes:
    """Render the one-page calibration sheet of ``layout``.

    Args:
        layout: a :class:`SheetLayout` or a registered name.
        offset_mm: the printer offset to check, as for label sheets.
        invariant: byte-identical output for identical input.
        lang: ``fr`` or ``en``.

    Raises:
        LayoutError: unknown layout or offset too large.
    """
    sheet = resolve_layout(layout)
    check_lang(lang)
    check_offset(offset_mm)
    buffer = io.BytesIO()
    title = f"{tr(lang, 'calibration_title')} {sheet.name}"
    canvas = new_canvas(buffer, sheet.page_size, title=title, invariant=invariant)
    for slot in range(1, sheet.capacity + 1):
        _draw_cell(canvas, sheet, slot_rect(sheet, slot, offset_mm), slot)
    _draw_ruler(canvas, sheet, lang)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_cell(canvas: Canvas, sheet: SheetLayout, cell: Rect, slot: int) -> None:
    canvas.setLineWidth(0.5)
    canvas.roundRect(
        cell.x, cell.y, cell.width, cell.height, sheet.corner_radius_mm * MM
    )
    inner = cell.inset(sheet.padding_mm * MM)
    canvas.saveState()
    canvas.setDash(2, 2)
    canvas.setLineWidth(0.3)
    canvas.rect(inner.x, inner.y, inner.width, inner.height)
    canvas.restoreState()
    size = min(inner.height * 0.4, 36.0)
    canvas.setFont(FONT_BOLD, size)
    centre_x = cell.x + cell.width / 2
    canvas.drawCentredString(
        centre_x, cell.y + cell.height / 2 - size * 0.35, str(slot)
    )


def _draw_ruler(canvas: Canvas, sheet: SheetLayout, lang: str) -> None:
    length = ruler_length_mm(sheet)
    page_w, page_h = sheet.page_size
    left = (page_w - length * MM) / 2
    base = page_h / 2 - 4 * MM
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(left - 3 * MM, base - 8 * MM, (length + 6) * MM, 17 * MM, 0, 1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setLineWidth(0.25)
    canvas.line(left, base, left + length * MM, base)
    for mm in range(length + 1):
        tick = TICK_MM[2 if mm % 10 == 0 else 1 if mm % 5 == 0 else 0]
        canvas.line(left + mm * MM, base, left + mm * MM, base + tick * MM)
    _draw_ruler_text(canvas, left, base, length, lang)
    canvas.restoreState()


def _draw_ruler_text(
    canvas: Canvas, left: float, base: float, length: int, lang: str
) -> None:
    width = length * MM
    for mm in range(0, length + 1, 10):
        canvas.setFont(FONT, 5)
        canvas.drawCentredString(left + mm * MM, base + 4 * MM, str(mm))
    for text, y in (
        (tr(lang, "ruler", mm=length), base - 3.5 * MM),
        (tr(lang, "calibration_hint"), base - 6.5 * MM),
    ):
        fitted = fit_text(text, FONT, width=width, max_size=7.0, min_size=3.0)
        canvas.setFont(FONT, fitted.size)
        canvas.drawCentredString(left + width / 2, y, fitted.text)
