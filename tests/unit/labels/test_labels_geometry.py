"""What is drawn stays in its cell; text is embedded, shrunk, truncated and reported."""

import io

import pdfplumber
import pypdf
import pytest
from labels_support import ACCENTED, sample_specs

import labels

EPSILON = 0.05  # points; PDF coordinates are written rounded


def _cells(layout, page_height, offset_mm=(0.0, 0.0)):
    """Cells as (x0, top, x1, bottom) in pdfplumber's top-down coordinates."""
    cells = []
    for slot in range(1, layout.capacity + 1):
        cell = labels.slot_rect(layout, slot, offset_mm)
        top = page_height - cell.top
        cells.append((cell.x, top, cell.right, top + cell.height))
    return cells


def _inside(obj, cell):
    x0, top, x1, bottom = cell
    return (
        obj["x0"] >= x0 - EPSILON
        and obj["x1"] <= x1 + EPSILON
        and obj["top"] >= top - EPSILON
        and obj["bottom"] <= bottom + EPSILON
    )


def _mixed_page(layout):
    kinds = list(labels.LABEL_KINDS)
    count = layout.capacity if layout.capacity > 1 else len(kinds)
    groups = [sample_specs(kind, count, layout) for kind in kinds]
    return [spec for group in zip(*groups, strict=False) for spec in group][:count]


@pytest.mark.parametrize("layout", labels.layouts(), ids=labels.layout_names())
def test_every_rect_and_char_of_a_label_lies_inside_its_cell(layout):
    offset = (1.0, -0.5)
    result = labels.render_label_sheet(_mixed_page(layout), layout, offset_mm=offset)
    with pdfplumber.open(io.BytesIO(result.pdf)) as document:
        for page in document.pages:
            cells = _cells(layout, page.height, offset)
            objects = page.chars + page.rects + page.lines + page.curves
            assert len(page.rects) > 20
            outside = [o for o in objects if not any(_inside(o, c) for c in cells)]
            assert outside == []


def test_accented_text_is_embedded_and_extractable():
    spec = labels.LocationLabel("LC000004298", "M3-E04", ACCENTED, "storeroom")
    result = labels.render_label_sheet([spec], "avery-l7163")
    text = pypdf.PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()
    assert ACCENTED in text
    assert "Magasin M3-E04" in text
    assert result.warnings == ()


def test_fonts_are_embedded_subsets_of_dejavu_sans():
    result = labels.render_label_sheet(sample_specs("box", 1), "avery-l7160")
    with pdfplumber.open(io.BytesIO(result.pdf)) as document:
        fonts = {char["fontname"] for char in document.pages[0].chars}
    assert fonts
    assert all("+DejaVuSans" in font for font in fonts)


def test_invariant_mode_gives_the_same_bytes_twice():
    specs = [*sample_specs("box", 4), *labels.command_sheet_specs()]
    first = labels.render_label_sheet(specs, "avery-l7160", invariant=True)
    second = labels.render_label_sheet(specs, "avery-l7160", invariant=True)
    assert first.pdf == second.pdf
    calibration = labels.render_calibration("avery-l7160", invariant=True)
    assert calibration == labels.render_calibration("avery-l7160", invariant=True)


def test_a_long_name_is_shrunk_before_anything_is_cut():
    spec = labels.BadgeLabel("AG00000015I", "Marie-Françoise Lœwy-Dubois", "Agent")
    result = labels.render_label_sheet([spec], "avery-l7160")
    with pdfplumber.open(io.BytesIO(result.pdf)) as document:
        text = document.pages[0].extract_text()
        sizes = {c["size"] for c in document.pages[0].chars if c["text"] == "M"}
    assert result.warnings == ()
    assert "Marie-Françoise Lœwy-Dubois" in text
    assert max(sizes) < 15.0


def test_text_too_long_even_at_minimum_size_is_truncated_with_an_ellipsis_and_reported():
    long_path = " / ".join(f"Réserve Émile-Zola niveau {n}" for n in range(8))
    specs = [
        *sample_specs("box", 2),
        labels.LocationLabel("LC000004298", "X", long_path),
    ]
    result = labels.render_label_sheet(specs, "avery-l7160")
    assert len(result.warnings) == 1
    (warning,) = result.warnings
    assert warning.startswith("label 3 (page 1, slot 3): text truncated:")
    assert long_path in warning
    text = pypdf.PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()
    assert "Réserve Émile-Zola niveau 0 / Réserve" in text
    assert "\u2026" in text
    assert long_path not in text


def test_an_empty_selection_is_refused():
    with pytest.raises(labels.EmptySelectionError, match="empty"):
        labels.render_label_sheet([], "avery-l7160")


def test_an_unknown_language_is_refused():
    with pytest.raises(labels.LabelError, match="de"):
        labels.render_label_sheet(sample_specs("box", 1), "avery-l7160", lang="de")


def test_english_labels_use_english_words():
    result = labels.render_label_sheet(sample_specs("box", 1), "avery-l7160", lang="en")
    text = pypdf.PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()
    assert "Box 0001" in text
    assert "Files: 2019-00123" in text
    assert "2019-03-01" in text


def test_labels_print_the_grouped_human_readable_code():
    result = labels.render_label_sheet(sample_specs("box", 1), "avery-l7160")
    text = pypdf.PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()
    code = sample_specs("box", 1)[0].barcode
    assert labels.human_readable(code) in text


@pytest.mark.parametrize("layout", labels.layouts(), ids=labels.layout_names())
def test_calibration_page_outlines_every_slot_and_numbers_it(layout):
    pdf = labels.render_calibration(layout)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        (page,) = document.pages
        words = {w["text"] for w in page.extract_words()}
    assert {str(slot) for slot in range(1, layout.capacity + 1)} <= words


@pytest.mark.parametrize(
    ("layout", "length_mm"),
    [
        ("avery-l7160", 100),
        ("a4-full", 100),
        ("thermal-100x50", 90),
        ("thermal-57x32", 40),
    ],
)
def test_calibration_ruler_is_exactly_its_stated_length(layout, length_mm):
    pdf = labels.render_calibration(layout)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        text = page.extract_text()
        long_ticks = [
            line["x0"]
            for line in page.lines
            if line["x0"] == line["x1"] and abs(line["height"] - 3.5 * 72 / 25.4) < 0.01
        ]
    assert len(long_ticks) == length_mm // 10 + 1
    assert max(long_ticks) - min(long_ticks) == pytest.approx(length_mm * 72 / 25.4)
    assert f"{length_mm} mm" in text
