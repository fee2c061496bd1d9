import io

import pdfplumber
import pytest
from labels_support import sample_specs

import labels

L7160 = labels.get_layout("avery-l7160")


def test_l7160_slot_rectangles_match_the_golden_numbers():
    first = labels.slot_rect(L7160, 1)
    third = labels.slot_rect(L7160, 3)
    last = labels.slot_rect(L7160, 21)
    assert (first.x, first.y) == pytest.approx((20.551181102362207, 690.9448818897638))
    assert (first.width, first.height) == pytest.approx((180.0, 108.0))
    assert third.x == pytest.approx(394.72440944881885)
    assert (last.x, last.y) == pytest.approx((394.72440944881885, 42.944881889763776))


def test_l7160_has_equal_margins_on_both_sides():
    last = labels.slot_rect(L7160, 21)
    page_width, _ = L7160.page_size
    assert page_width - last.right == pytest.approx(7.25 * 72 / 25.4)
    assert last.y == pytest.approx(15.15 * 72 / 25.4)


def test_l7163_has_two_columns_of_99_1_mm_with_symmetric_margins():
    layout = labels.get_layout("avery-l7163")
    second = labels.slot_rect(layout, 2)
    page_width, _ = layout.page_size
    assert layout.capacity == 14
    assert second.x == pytest.approx((4.65 + 101.6) * 72 / 25.4)
    assert page_width - second.right == pytest.approx(4.65 * 72 / 25.4)


@pytest.mark.parametrize("layout", labels.layouts(), ids=labels.layout_names())
def test_every_slot_lies_on_the_page(layout):
    page_width, page_height = layout.page_size
    for slot in range(1, layout.capacity + 1):
        cell = labels.slot_rect(layout, slot)
        assert cell.x >= 0 and cell.y >= 0
        assert cell.right <= page_width + 1e-9 and cell.top <= page_height + 1e-9


@pytest.mark.parametrize("name", ["thermal-100x50", "thermal-57x32"])
def test_roll_layouts_print_one_label_per_page_the_size_of_the_label(name):
    layout = labels.get_layout(name)
    cell = labels.slot_rect(layout, 1)
    assert layout.is_roll
    assert (cell.width, cell.height) == pytest.approx(layout.page_size)


def test_unknown_layout_raises_listing_the_valid_names():
    with pytest.raises(labels.LayoutError) as error:
        labels.render_label_sheet(sample_specs("box", 1), "avery-l7159")
    for name in labels.layout_names():
        assert name in str(error.value)


def test_layouts_listing_gives_name_and_geometry_for_the_cli():
    lines = [labels.describe_layout(layout) for layout in labels.layouts()]
    assert [line.split()[0] for line in lines] == list(labels.layout_names())
    assert "63.5 x 38.1 mm, 3x7 = 21 per page" in lines[0]


@pytest.mark.parametrize("start", [0, 22])
def test_start_beyond_the_sheet_raises_naming_the_maximum(start):
    with pytest.raises(labels.LayoutError, match="1 to 21"):
        labels.render_label_sheet(sample_specs("box", 1), L7160, start=start)


def test_start_offset_on_a_roll_allows_only_slot_1():
    with pytest.raises(labels.LayoutError, match="1 to 1"):
        labels.render_label_sheet(sample_specs("box", 1), "thermal-57x32", start=2)


def _cell_of(page, layout, x, top, offset_mm=(0.0, 0.0)):
    """Slot whose cell contains the point (pdfplumber coordinates)."""
    for slot in range(1, layout.capacity + 1):
        cell = labels.slot_rect(layout, slot, offset_mm)
        cell_top = page.height - cell.top
        if cell.x <= x <= cell.right and cell_top <= top <= cell_top + cell.height:
            return slot
    return None


def _headline_slots(pdf, layout):
    """Slot of each 'Boîte NNNN' headline, per page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = []
        for page in document.pages:
            words = page.extract_words()
            heads = [w for w in words if w["text"] == "Boîte"]
            pages.append([_cell_of(page, layout, w["x0"], w["top"]) for w in heads])
        return pages


def test_start_offset_puts_the_first_label_in_slot_n_and_continues_on_a_new_sheet():
    result = labels.render_label_sheet(sample_specs("box", 3), L7160, start=20)
    assert result.pages == 2
    assert _headline_slots(result.pdf, L7160) == [[20, 21], [1]]


def test_printer_offset_moves_every_label_by_the_offset():
    specs = sample_specs("box", 1)
    plain = labels.render_label_sheet(specs, L7160)
    moved = labels.render_label_sheet(specs, L7160, offset_mm=(2.0, 1.0))
    with (
        pdfplumber.open(io.BytesIO(plain.pdf)) as a,
        pdfplumber.open(io.BytesIO(moved.pdf)) as b,
    ):
        first, second = a.pages[0].chars[0], b.pages[0].chars[0]
    assert second["x0"] - first["x0"] == pytest.approx(2.0 * 72 / 25.4, abs=1e-3)
    assert second["top"] - first["top"] == pytest.approx(1.0 * 72 / 25.4, abs=1e-3)


def test_printer_offset_larger_than_10_mm_is_refused():
    with pytest.raises(labels.LayoutError, match="offset"):
        labels.render_label_sheet(sample_specs("box", 1), L7160, offset_mm=(12, 0))
