"""A picture of a label PDF's first page, for the labels form's preview."""

import base64
import io
import threading

import pypdfium2  # type: ignore[import-untyped]

PREVIEW_WIDTH_PX = 520
_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: one rendering at a time in this process."""


def first_page_png(pdf: bytes, width_px: int = PREVIEW_WIDTH_PX) -> bytes:
    """The first page of ``pdf`` as a greyscale PNG ``width_px`` wide."""
    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            width, _height = page.get_size()
            image = page.render(scale=width_px / width, grayscale=True).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
