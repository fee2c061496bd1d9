"""Labels and printed documents: specs in, PDF bytes out.

Standalone: never imports ``archive_svc``. Barcodes are Code 128 drawn as vector bars;
text is set in the embedded DejaVu Sans, so accents print everywhere.
"""

from .barcodes import MIN_MODULE_MM, QUIET_ZONE_MODULES, human_readable, validate_code
from .calibration import render_calibration
from .commands import COMMAND_CODES, REASON_CODES, command_sheet_specs
from .docbase import BarcodeFlowable, DocumentMeta, build_document, data_table
from .docspecs import DeliveryLine, DeliveryReceipt, OutCard, PickLine, PickList
from .documents import render_delivery_receipt, render_out_card, render_pick_list
from .errors import BarcodeError, EmptySelectionError, LabelError, LayoutError
from .render import RenderResult, render_label_sheet
from .sheets import (
    Rect,
    SheetLayout,
    describe_layout,
    get_layout,
    layout_names,
    layouts,
    slot_rect,
)
from .specs import (
    LABEL_KINDS,
    BadgeLabel,
    BoxLabel,
    CommandLabel,
    EnvelopeLabel,
    FileLabel,
    LabelSpec,
    LocationLabel,
)

__all__ = [
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
]
