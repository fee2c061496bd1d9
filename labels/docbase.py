"""Building blocks for flowing PDF documents (pick lists, out-cards, slips, reports).

Every document gets the same frame: a title at the top of each page, and a footer with
the generation time, who generated it, the optional ledger head hash and
"Page x/y". The total page count is only known at the end, so the footer is drawn by
a canvas that keeps each page's state until ``save()``. Tables built with
:func:`data_table` split across pages and repeat their header row.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from .barcodes import QUIET_ZONE_MODULES, symbol_runs
from .cells import draw_bars
from .i18n import check_lang, format_datetime, tr
from .pdf import AUTHOR, FONT, FONT_BOLD, ensure_fonts, fit_text, text_width
from .sheets import MM

MARGIN = 15 * MM
DOC_MODULE_MM = 0.254
"""X-dimension of barcodes in documents: 3 dots at 300 dpi, 6 at 600 dpi."""


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """Who generated a document and when (printed in every footer).

    Attributes:
        generated_at: generation time, as the caller's clock says (labels reads none).
        generated_by: the agent's display name or login.
        ledger_head: optional custody ledger head hash, printed in full.
    """

    generated_at: datetime
    generated_by: str
    ledger_head: str | None = None


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in DejaVu Sans: ``title``, ``body``, ``cell``, ``head``."""
    ensure_fonts()
    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16, leading=20),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13),
        "big": ParagraphStyle("big", fontName=FONT_BOLD, fontSize=22, leading=27),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11),
        "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=9, leading=11),
    }


class BarcodeFlowable(Flowable):  # type: ignore[misc]
    """A Code 128 symbol with its quiet zones, as vector bars, for tables and documents.

    Args:
        code: payload (validated: printable ASCII).
        height_mm: bar height.
        module_mm: X-dimension (default :data:`DOC_MODULE_MM`).
    """

    def __init__(
        self, code: str, *, height_mm: float = 9.0, module_mm: float = DOC_MODULE_MM
    ) -> None:
        super().__init__()
        modules, _ = symbol_runs(code)
        self.code = code
        self.module = module_mm * MM
        self.width = (modules + 2 * QUIET_ZONE_MODULES) * self.module
        self.height = height_mm * MM

    def wrap(
        self, available_width: float, available_height: float
    ) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x = QUIET_ZONE_MODULES * self.module
        draw_bars(self.canv, x, 0, self.code, self.module, self.height)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    row_heights: float | None = None,
) -> Table:
    """A grid table whose header row repeats on every page it spans.

    Strings become wrapped paragraphs; flowables (e.g. :class:`BarcodeFlowable`) are
    kept as they are. Widths are in points.
    """
    style = styles()
    head = [Paragraph(_escape(text), style["head"]) for text in header]
    body = [[_cell(value, style["cell"]) for value in row] for row in rows]
    heights = None if row_heights is None else [None] + [row_heights] * len(body)
    table = Table(
        [head, *body], colWidths=list(col_widths), rowHeights=heights, repeatRows=1
    )
    table.setStyle(_TABLE_STYLE)
    return table


_TABLE_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _cell(value: Any, style: ParagraphStyle) -> Any:
    return Paragraph(_escape(value), style) if isinstance(value, str) else value


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (markup characters are escaped)."""
    return Paragraph(_escape(text), styles()[style])


def build_document(
    flowables: Sequence[Flowable],
    *,
    title: str,
    meta: DocumentMeta,
    lang: str = "fr",
    invariant: bool = False,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """Lay out ``flowables`` on pages with the common header and footer.

    Args:
        flowables: the body, in order.
        title: printed at the top of every page and stored as PDF title.
        meta: generation time, author and optional ledger head for the footer.
        lang: ``fr`` or ``en`` for the footer words.
        invariant: byte-identical output for identical input.
        pagesize: width and height in points (A4 by default).
    """
    check_lang(lang)
    ensure_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author=AUTHOR,
        creator=AUTHOR,
        invariant=1 if invariant else 0,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 8 * MM,
        bottomMargin=MARGIN + 8 * MM,
    )
    frame = _PageFrame(title, meta, lang, pagesize)
    doc.build(list(flowables), canvasmaker=partial(_FramedCanvas, page_frame=frame))
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class _PageFrame:
    title: str
    meta: DocumentMeta
    lang: str
    pagesize: tuple[float, float]

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        width, height = self.pagesize
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawString(MARGIN, height - MARGIN, self.title)
        page_text = tr(self.lang, "page", page=page, pages=pages)
        canvas.setFont(FONT, 7)
        canvas.drawRightString(width - MARGIN, MARGIN, page_text)
        when = format_datetime(self.meta.generated_at, self.lang)
        footer = tr(self.lang, "generated", when=when, who=self.meta.generated_by)
        room = width - 2 * MARGIN - text_width(page_text, FONT, 7) - 4 * MM
        _draw_fitted(canvas, footer, MARGIN, MARGIN, room)
        if self.meta.ledger_head:
            head = tr(self.lang, "ledger_head", hash=self.meta.ledger_head)
            _draw_fitted(canvas, head, MARGIN, MARGIN - 9, width - 2 * MARGIN)


def _draw_fitted(canvas: Canvas, text: str, x: float, y: float, width: float) -> None:
    fitted = fit_text(text, FONT, width=width, max_size=7.0, min_size=3.5)
    canvas.setFont(FONT, fitted.size)
    canvas.drawString(x, y, fitted.text)


class _FramedCanvas(Canvas):  # type: ignore[misc]
    """Canvas that draws the header/footer on every page once the count is known."""

    def __init__(self, *args: Any, page_frame: _PageFrame, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_frame = page_frame
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._page_frame.draw(self, number, total)
            super().showPage()
        super().save()
