"""Read barcodes back from PDFs with a real reader (pdfium raster at 300 dpi, zxing-cpp)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import zxingcpp


def decode_pdf(source: bytes | Path | str, dpi: int = 300) -> list[str]:
    """Every barcode text on every page, page by page, in reading order."""
    document = pypdfium2.PdfDocument(
        source if isinstance(source, bytes) else str(source)
    )
    found: list[str] = []
    for page in document:
        image = page.render(scale=dpi / 72).to_pil()
        found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found
