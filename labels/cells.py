"""Draw one label's content inside its cell: text lines, vector bars, caption.

Vertical layout, top to bottom, centred in the padded cell::

    headline / detail lines (centred, shrunk then truncated to the width)
    Code 128 symbol (filled rectangles, quiet zones inside the padding)
    grouped human-readable code

Sizes derive from one unit ``u`` (the headline size in points) chosen so the block
fills the cell height, capped at :data:`MAX_UNIT_PT` on large labels. Nothing is drawn
outside the padded cell.
"""

from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from .barcodes import module_width_mm, symbol_runs
from .content import LabelContent, Line
from .pdf import FONT, FONT_BOLD, fit_text
from .sheets import MM, Rect, SheetLayout

LINE_BOX = 1.3
"""Line height as a multiple of the font size."""
BAR_UNITS = 2.4
GAP_UNITS = 0.3
CAPTION_SCALE = 0.6
MAX_UNIT_PT = 48.0
MIN_TEXT_PT = 5.0
"""Smallest printed text; below it text is truncated with an ellipsis."""


@dataclass(frozen=True, slots=True)
class Truncation:
    """A line that did not fit even at the minimum size."""

    original: str
    printed: str


def draw_label(
    canvas: Canvas, cell: Rect, content: LabelContent, layout: SheetLayout
) -> list[Truncation]:
    """Draw ``content`` in ``cell`` (points); return the truncated lines.

    Raises:
        BarcodeError: the barcode does not fit the cell width at the minimum module.
    """
    inner = cell.inset(layout.padding_mm * MM)
    lines = (*content.lines, Line(content.caption, scale=CAPTION_SCALE))
    units = sum(line.scale for line in lines) * LINE_BOX + BAR_UNITS + GAP_UNITS
    unit = min(inner.height / units, MAX_UNIT_PT)
    top = inner.top - (inner.height - units * unit) / 2
    truncated: list[Truncation] = []
    for line in content.lines:
        top = _draw_line(canvas, inner, top, line, unit, truncated)
    top -= GAP_UNITS * unit
    _draw_symbol(canvas, inner, top, content.barcode, BAR_UNITS * unit, layout)
    top -= BAR_UNITS * unit
    _draw_line(canvas, inner, top, lines[-1], unit, truncated)
    return truncated


def _draw_line(
    canvas: Canvas,
    inner: Rect,
    top: float,
    line: Line,
    unit: float,
    truncated: list[Truncation],
) -> float:
    """Draw ``line`` in the box starting at ``top``; return the box's bottom."""
    font = FONT_BOLD if line.bold else FONT
    size = line.scale * unit
    fitted = fit_text(
        line.text,
        font,
        width=inner.width,
        max_size=size,
        min_size=min(size, MIN_TEXT_PT),
    )
    if fitted.truncated:
        truncated.append(Truncation(line.text, fitted.text))
    box = size * LINE_BOX
    ascent, descent = pdfmetrics.getAscentDescent(font, fitted.size)
    baseline = top - (box - (ascent - descent)) / 2 - ascent
    canvas.setFont(font, fitted.size)
    canvas.drawString(inner.x + (inner.width - fitted.width) / 2, baseline, fitted.text)
    return top - box


def _draw_symbol(
    canvas: Canvas,
    inner: Rect,
    top: float,
    code: str,
    height: float,
    layout: SheetLayout,
) -> None:
    x_mm = module_width_mm(
        code,
        inner.width / MM,
        dpi=layout.printer_dpi,
        max_mm=layout.max_module_mm,
        where=f"layout {layout.name}",
    )
    modules, _ = symbol_runs(code)
    width = modules * x_mm * MM
    x = inner.x + (inner.width - width) / 2
    draw_bars(canvas, x, top - height, code, x_mm * MM, height)


def draw_bars(
    canvas: Canvas, x: float, y: float, code: str, module: float, height: float
) -> None:
    """Draw the bars of ``code`` with their bottom-left corner at ``(x, y)``.

    Args:
        canvas: target canvas; its graphics state is restored afterwards.
        x, y: position of the first module (quiet zones are the caller's), points.
        code: validated printable-ASCII payload.
        module: X-dimension in points.
        height: bar height in points.
    """
    canvas.saveState()
    canvas.transform(module, 0, 0, height, x, y)
    canvas.drawPath(_bars_path(code), stroke=0, fill=1)
    canvas.restoreState()


@lru_cache(maxsize=4096)
def _bars_path(code: str) -> PDFPathObject:
    """The bars of ``code`` in module units (one module wide, one unit high).

    Integer coordinates, scaled by the caller's transform: formatting them is cheap,
    which matters when 10,000 labels each carry a different code.
    """
    _, runs = symbol_runs(code)
    return PDFPathObject(code=[f"{first} 0 {width} 1 re" for first, width in runs])
