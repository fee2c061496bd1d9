"""Every barcode on every layout and kind decodes back to the exact string."""

import pytest
from labels_support import decode_pdf, rasterise, sample_specs

import labels

KINDS = tuple(labels.LABEL_KINDS)
LAYOUTS = labels.layouts()


def _count(layout: labels.SheetLayout) -> int:
    """A full sheet, or three roll labels."""
    return layout.capacity if layout.capacity > 1 else 3


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("layout", LAYOUTS, ids=labels.layout_names())
def test_zxing_reads_every_label_of_every_kind_on_every_layout(layout, kind):
    specs = sample_specs(kind, _count(layout), layout)
    result = labels.render_label_sheet(specs, layout, invariant=True)
    pages = decode_pdf(result.pdf)
    decoded = [text for page in pages for text in page]
    assert len(pages) == result.pages
    assert len(decoded) == len(specs)
    assert sorted(decoded) == sorted(spec.barcode for spec in specs)


def _one_of_each_kind(layout: labels.SheetLayout, count: int) -> list:
    per_kind = [sample_specs(kind, count, layout) for kind in KINDS]
    mixed = [spec for group in zip(*per_kind, strict=False) for spec in group]
    return mixed[:count]


@pytest.mark.parametrize("layout", LAYOUTS, ids=labels.layout_names())
def test_zbarimg_reads_every_label_on_a_page_of_each_layout(layout, zbar_texts):
    count = layout.capacity if layout.capacity > 1 else len(KINDS)
    specs = _one_of_each_kind(layout, count)
    result = labels.render_label_sheet(specs, layout)
    decoded = [text for image in rasterise(result.pdf) for text in zbar_texts(image)]
    assert sorted(decoded) == sorted(spec.barcode for spec in specs)


def test_the_command_sheet_decodes_to_the_command_and_reason_codes():
    result = labels.render_label_sheet(labels.command_sheet_specs(), "avery-l7160")
    (page,) = decode_pdf(result.pdf)
    assert sorted(page) == sorted([*labels.COMMAND_CODES, *labels.REASON_CODES])


def test_labels_still_decode_with_a_start_offset_and_a_printer_offset():
    specs = sample_specs("box", 5)
    result = labels.render_label_sheet(
        specs, "avery-l7163", start=12, offset_mm=(1.5, -1.0)
    )
    decoded = [text for page in decode_pdf(result.pdf) for text in page]
    assert sorted(decoded) == sorted(spec.barcode for spec in specs)
