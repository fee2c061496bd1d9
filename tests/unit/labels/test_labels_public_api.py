import subprocess
import sys

import labels

EXPECTED = {
    "COMMAND_CODES",
    "LABEL_KINDS",
    "MIN_MODULE_MM",
    "QUIET_ZONE_MODULES",
    "REASON_CODES",
    "BadgeLabel",
    "BarcodeError",
    "BarcodeFlowable",
    "BoxLabel",
    "CommandLabel",
    "DeliveryLine",
    "DeliveryReceipt",
    "DocumentMeta",
    "EmptySelectionError",
    "EnvelopeLabel",
    "FileLabel",
    "LabelError",
    "LabelSpec",
    "LayoutError",
    "LocationLabel",
    "OutCard",
    "PickLine",
    "PickList",
    "Rect",
    "RenderResult",
    "SheetLayout",
    "build_document",
    "command_sheet_specs",
    "data_table",
    "describe_layout",
    "get_layout",
    "human_readable",
    "layout_names",
    "layouts",
    "render_calibration",
    "render_delivery_receipt",
    "render_label_sheet",
    "render_out_card",
    "render_pick_list",
    "slot_rect",
    "validate_code",
}


def test_public_surface_is_exactly_the_pinned_names():
    assert set(labels.__all__) == EXPECTED
    assert len(labels.__all__) == len(EXPECTED)


def test_every_public_name_is_importable_from_the_package():
    for name in labels.__all__:
        assert getattr(labels, name) is not None


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_importing_labels_loads_neither_archive_svc_nor_devices():
    code = (
        "import sys, labels\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'archive_svc', 'devices'}))"
    )
    assert _run(code) == "[]"


def test_importing_labels_registers_no_font_until_first_render():
    code = (
        "import labels\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "print('DejaVuSans' in pdfmetrics.getRegisteredFontNames())"
    )
    assert _run(code) == "False"


def test_file_labels_have_no_applicant_name_field():
    fields = set(labels.FileLabel.__dataclass_fields__)
    assert fields == {"barcode", "file_number", "division"}


def test_label_kinds_cover_every_cli_kind():
    assert set(labels.LABEL_KINDS) == {
        "location",
        "box",
        "file",
        "envelope",
        "command",
        "badge",
    }
