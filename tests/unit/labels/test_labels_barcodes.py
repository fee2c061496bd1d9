import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from labels_support import sample_specs
from PIL import Image

import labels
from labels.barcodes import (
    bar_runs,
    code128_modules,
    decode_modules,
    module_width_mm,
)

PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))


def test_bar_runs_list_first_module_and_width_of_each_dark_bar():
    assert bar_runs("1100101110") == ((0, 2), (4, 1), (6, 3))


def test_an_eleven_character_identifier_is_134_modules():
    assert len(code128_modules("BX00012345W")) == 134


@pytest.mark.parametrize(
    ("code", "char"),
    [("BX0001é", "é"), ("CMD\tSHELVE", "\\t"), ("BX 0001", "' '"), ("DSŒ12", "Œ")],
)
def test_characters_code_128_cannot_carry_raise_naming_code_and_character(code, char):
    with pytest.raises(labels.BarcodeError) as error:
        labels.validate_code(code)
    assert repr(code) in str(error.value)
    assert char in str(error.value)


def test_empty_barcode_is_refused():
    with pytest.raises(labels.BarcodeError, match="empty"):
        labels.validate_code("")


def test_rendering_a_bad_code_raises_before_drawing_and_names_it():
    specs = [*sample_specs("file", 2), labels.FileLabel("DS2019-é", "2019", "Europe")]
    with pytest.raises(labels.BarcodeError, match="DS2019-é"):
        labels.render_label_sheet(specs, "avery-l7160")


def test_identifiers_are_grouped_for_typing():
    assert labels.human_readable("BX00012345W") == "BX 0001 2345 W"
    assert labels.human_readable("DS201900123*") == "DS 2019 0012 3 *"
    assert labels.human_readable("CMD-SHELVE") == "CMD-SHELVE"


@pytest.mark.parametrize(
    ("layout", "expected_mm"),
    [
        ("avery-l7160", 4 * 25.4 / 300),
        ("avery-l7163", 5 * 25.4 / 300),
        ("a4-full", 11 * 25.4 / 300),
        ("thermal-100x50", 3 * 25.4 / 203),
        ("thermal-57x32", 2 * 25.4 / 203),
    ],
)
def test_module_width_is_whole_printer_dots_and_never_below_0_25_mm(
    layout, expected_mm
):
    sheet = labels.get_layout(layout)
    available = sheet.label_width_mm - 2 * sheet.padding_mm
    width = module_width_mm(
        "BX00012345W",
        available,
        dpi=sheet.printer_dpi,
        max_mm=sheet.max_module_mm,
    )
    assert width == pytest.approx(expected_mm)
    assert width >= labels.MIN_MODULE_MM
    assert (134 + 2 * labels.QUIET_ZONE_MODULES) * width <= available


def test_a_code_too_long_for_the_label_raises_naming_code_and_layout():
    specs = [
        labels.CommandLabel("CMD-SEND-TO-DIGITISATION", "Numérisation", "Digitisation")
    ]
    with pytest.raises(labels.BarcodeError) as error:
        labels.render_label_sheet(specs, "thermal-57x32")
    assert "CMD-SEND-TO-DIGITISATION" in str(error.value)
    assert "thermal-57x32" in str(error.value)


def _symbol_image(code: str, pixels: int = 3) -> Image.Image:
    quiet = "0" * labels.QUIET_ZONE_MODULES
    modules = quiet + code128_modules(code) + quiet
    row = Image.new("L", (len(modules), 1))
    row.putdata([0 if bit == "1" else 255 for bit in modules])
    return row.resize((len(modules) * pixels, 60), Image.Resampling.NEAREST)


CODES = st.one_of(
    st.text(alphabet=PRINTABLE, min_size=1, max_size=20),
    st.from_regex(r"[A-Z]{2}[0-9]{3,14}[0-9A-Z*]", fullmatch=True),
    st.from_regex(r"[0-9]{1,9}[A-Za-z]{0,3}[0-9]{1,9}", fullmatch=True),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CODES)
def test_every_printable_ascii_code_round_trips_through_a_real_reader(code):
    results = zxingcpp.read_barcodes(_symbol_image(code))
    assert [r.text for r in results] == [code]


def test_command_codes_are_exported_for_the_scanner_state_machine():
    assert labels.COMMAND_CODES == (
        "CMD-SHELVE",
        "CMD-PICK",
        "CMD-HANDOVER",
        "CMD-RETURN",
        "CMD-RELOCATE",
        "CMD-DIGITISE",
        "CMD-HISTORY",
        "CMD-VERIFY",
        "CMD-VERIFY-END",
        "CMD-CONFIRM",
        "CMD-CANCEL",
    )
    assert labels.REASON_CODES == (
        "RSN-URGENT",
        "RSN-AUDIT",
        "RSN-CONSERVE",
        "RSN-OTHER",
    )
    sheet = labels.command_sheet_specs()
    assert [s.barcode for s in sheet] == [*labels.COMMAND_CODES, *labels.REASON_CODES]
    assert all(s.caption_fr and s.caption_en for s in sheet)


@pytest.mark.parametrize("code", ["99", "99A", "9999", "990012345"])
def test_codes_starting_with_the_digit_pair_99_keep_it(code):
    # python-barcode 0.16 folded the data pair 99 into the start code ("99A" -> "A").
    assert decode_modules(code128_modules(code)) == code
    results = zxingcpp.read_barcodes(_symbol_image(code))
    assert [r.text for r in results] == [code]
