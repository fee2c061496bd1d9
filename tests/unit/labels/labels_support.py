"""Sample label specs and the zxing-cpp reader, shared by the label tests.

Imported as a plain module (``import labels_support``): pytest's default ``prepend``
import mode puts this directory on ``sys.path``.
"""

from collections.abc import Callable
from datetime import date

import pypdfium2
import zxingcpp

import labels

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
DPI = 300
ACCENTED = "Réserve Émile-Zola, magasin Œ"


def with_check(prefix_and_body: str) -> str:
    """Append the ISO 7064 MOD 37-2 check character (domain.md section 3)."""
    p = 0
    for char in prefix_and_body:
        p = ((p + ALPHABET.index(char)) * 2) % 37
    return prefix_and_body + ALPHABET[(38 - p) % 37]


def _location(i: int) -> labels.LocationLabel:
    return labels.LocationLabel(
        barcode=with_check(f"LC{400 + i:08d}"),
        code=f"M3-E04-T02-S{i}",
        path=f"{ACCENTED} / Épi 04 / Tablette {i}",
        kind="shelf",
    )


def _box(i: int) -> labels.BoxLabel:
    return labels.BoxLabel(
        barcode=with_check(f"BX{12345 + i:08d}"),
        box_number=f"{i:04d}",
        storeroom_path="Magasin 3 / Épi 04 / Travée 02",
        date_from=date(2019, 3, 1),
        date_to=date(2021, 6, 5),
        first_file="2019-00123",
        last_file="2021-04567",
    )


def _file(i: int) -> labels.FileLabel:
    return labels.FileLabel(
        barcode=with_check(f"DS2019{i:05d}"),
        file_number=f"2019-{i:05d}",
        division="Division Europe",
    )


def _envelope(i: int) -> labels.EnvelopeLabel:
    return labels.EnvelopeLabel(
        barcode=with_check(f"PL{76 + i:08d}"),
        file_number=f"2019-{i:05d}",
        seal_number=f"S-{i:06d}",
        contents="Passeport original, acte de naissance",
    )


def _badge(i: int) -> labels.BadgeLabel:
    return labels.BadgeLabel(
        barcode=with_check(f"AG{15 + i:08d}"),
        display_name=f"Agent {i} Lœwy",
        role="Archiviste",
        unit="Service des archives",
    )


BUILDERS: dict[str, Callable[[int], labels.LabelSpec]] = {
    "location": _location,
    "box": _box,
    "file": _file,
    "envelope": _envelope,
    "badge": _badge,
}


def sample_specs(
    kind: str, count: int, layout: labels.SheetLayout | None = None
) -> list[labels.LabelSpec]:
    """``count`` labels of ``kind``; command labels are the standard sheet's codes
    that fit ``layout`` (two are too long for a 57 mm roll label)."""
    if kind == "command":
        commands = list(labels.command_sheet_specs())
        if layout is not None:
            commands = [c for c in commands if fits(c.barcode, layout)]
        return commands[:count]
    return [BUILDERS[kind](i) for i in range(1, count + 1)]


def fits(code: str, layout: labels.SheetLayout) -> bool:
    try:
        labels.render_label_sheet([labels.CommandLabel(code, "x", "x")], layout)
    except labels.BarcodeError:
        return False
    return True


def rasterise(pdf: bytes, dpi: int = DPI) -> list:
    """Render every page to a PIL image at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def zxing_texts(image) -> list[str]:
    """Decode every Code 128 symbol on ``image`` with zxing-cpp."""
    # At 300 dpi a module is 3 to 12 pixels: no need for zxing's extra downscaled
    # pass, which once read a clean AG... symbol as "`G..." (zxing-cpp 3.1.1).
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.Code128, try_downscale=False
    )
    assert all(r.symbology_identifier == "]C0" for r in results)
    return [r.text for r in results]


def decode_pdf(pdf: bytes) -> list[list[str]]:
    """zxing-cpp texts of each page of ``pdf``, rasterised at 300 dpi."""
    return [zxing_texts(image) for image in rasterise(pdf)]
