"""PDF plumbing shared by label sheets and documents: fonts, canvases, text fitting.

The standard 14 PDF fonts are not embedded and stop at Latin-1 (no ``œ``), so every
text is set in the vendored DejaVu Sans (``labels/fonts``), embedded as a subset.
Fonts are registered with ReportLab on first use, once per process, never at import.
"""

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
AUTHOR = "archive-svc"
ELLIPSIS = "\u2026"

_FONT_DIR = Path(__file__).parent / "fonts"


@cache
def ensure_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with ReportLab; idempotent."""
    for name in (FONT, FONT_BOLD):
        pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def new_canvas(
    buffer: io.BytesIO,
    pagesize: tuple[float, float],
    *,
    title: str,
    invariant: bool,
) -> Canvas:
    """Return a canvas writing to ``buffer`` with title, author and fonts set.

    Args:
        buffer: receives the PDF when the caller calls ``canvas.save()``.
        pagesize: width and height in points.
        title: document title (PDF metadata).
        invariant: fix IDs and dates so identical input gives identical bytes.
    """
    ensure_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1 if invariant else 0)
    canvas.setTitle(title)
    canvas.setAuthor(AUTHOR)
    canvas.setCreator(AUTHOR)
    return canvas


@dataclass(frozen=True, slots=True)
class FittedText:
    """Text as it will be printed: maybe shrunk, maybe truncated with an ellipsis."""

    text: str
    size: float
    truncated: bool
    width: float
    """Printed width in points."""


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points (fonts must be registered)."""
    width: float = pdfmetrics.stringWidth(text, font, size)
    return width


def fit_text(
    text: str, font: str, *, width: float, max_size: float, min_size: float
) -> FittedText:
    """Fit ``text`` on one line ``width`` points wide.

    Uses ``max_size`` if it fits, else the size that fits, but never below
    ``min_size``; at ``min_size`` the text is cut and ends with an ellipsis.
    """
    natural = text_width(text, font, 1.0)
    if natural * max_size <= width:
        return FittedText(text, max_size, False, natural * max_size)
    size = width / natural if natural else max_size
    if size >= min_size:
        return FittedText(text, size, False, natural * size)
    cut = _truncate(text, font, width / min_size)
    return FittedText(cut, min_size, True, text_width(cut, font, min_size))


def _truncate(text: str, font: str, width_at_1pt: float) -> str:
    """Longest prefix of ``text`` that fits with an ellipsis (binary search)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        candidate = text[:middle].rstrip() + ELLIPSIS
        if text_width(candidate, font, 1.0) <= width_at_1pt:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS
