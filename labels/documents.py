"""Printed documents: out-card (*fantôme*), pick list, delivery receipt.

French by default, English with ``lang="en"``. Every barcode is a vector Code 128
symbol at :data:`labels.docbase.DOC_MODULE_MM` with its quiet zones.
"""

from collections.abc import Sequence

from reportlab.lib.pagesizes import A5
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from .barcodes import human_readable, module_width_mm
from .docbase import (
    DOC_MODULE_MM,
    BarcodeFlowable,
    DocumentMeta,
    build_document,
    data_table,
    paragraph,
)
from .docspecs import DeliveryLine, DeliveryReceipt, OutCard, PickLine, PickList
from .errors import EmptySelectionError
from .i18n import check_lang, format_date, format_datetime, tr
from .sheets import MM

PICK_COLUMNS_MM = (9.0, 30.0, 50.0, 33.0, 36.0, 22.0)
RECEIPT_COLUMNS_MM = (9.0, 50.0, 40.0, 81.0)


def render_out_card(
    card: OutCard, meta: DocumentMeta, *, lang: str = "fr", invariant: bool = False
) -> bytes:
    """Render an out-card on one A5 page: its own barcode, then where the item went.

    Raises:
        BarcodeError: a barcode Code 128 cannot carry.
    """
    check_lang(lang)
    rows = [
        (tr(lang, "item"), human_readable(card.item_barcode)),
        (tr(lang, "file_number"), card.file_number),
        (tr(lang, "request"), card.request_ref),
        (tr(lang, "destination"), card.destination),
        (tr(lang, "taken_by"), card.taken_by),
        (tr(lang, "date_out"), format_datetime(card.taken_at, lang)),
        (tr(lang, "due"), format_date(card.due_on, lang) if card.due_on else "-"),
    ]
    body: list[Flowable] = [
        paragraph(f"{tr(lang, 'out_card')} {card.file_number}", "big"),
        Spacer(1, 4 * MM),
        BarcodeFlowable(card.barcode, height_mm=14.0, module_mm=0.339),
        paragraph(human_readable(card.barcode)),
        Spacer(1, 4 * MM),
        _key_values(rows),
        Spacer(1, 4 * MM),
        paragraph(tr(lang, "out_card_note")),
    ]
    title = f"{tr(lang, 'out_card')} {human_readable(card.barcode)}"
    return build_document(
        body, title=title, meta=meta, lang=lang, invariant=invariant, pagesize=A5
    )


def render_pick_list(
    pick_list: PickList,
    meta: DocumentMeta,
    *,
    lang: str = "fr",
    invariant: bool = False,
) -> bytes:
    """Render one storeroom's pick list, lines in the order given (walk path).

    Each line: position, shelf code, scannable item barcode, file number, requester
    unit, priority. The table splits across pages and repeats its header.

    Raises:
        EmptySelectionError: the list has no lines.
        BarcodeError: an item barcode Code 128 cannot carry or too long for the column.
    """
    check_lang(lang)
    _check_item_lines(
        pick_list.lines,
        f"pick list {pick_list.run_ref!r}",
        PICK_COLUMNS_MM[2],
        "the pick list",
    )
    header = [
        tr(lang, key)
        for key in (
            "position",
            "shelf_code",
            "barcode",
            "file_number",
            "requester_unit",
            "priority",
        )
    ]
    rows = [
        [
            str(number),
            line.shelf_code,
            _barcode_cell(line.item_barcode),
            line.file_number,
            line.requester_unit,
            tr(lang, line.priority),
        ]
        for number, line in enumerate(pick_list.lines, start=1)
    ]
    title = f"{tr(lang, 'pick_list')} \u2013 {pick_list.storeroom}"
    body = [
        paragraph(title, "title"),
        paragraph(
            f"{tr(lang, 'run')} {pick_list.run_ref} \u2013 "
            f"{tr(lang, 'lines', count=len(pick_list.lines))}"
        ),
        Spacer(1, 3 * MM),
        data_table(header, rows, [w * MM for w in PICK_COLUMNS_MM]),
    ]
    return build_document(body, title=title, meta=meta, lang=lang, invariant=invariant)


def render_delivery_receipt(
    receipt: DeliveryReceipt,
    meta: DocumentMeta,
    *,
    lang: str = "fr",
    invariant: bool = False,
) -> bytes:
    """Render a delivery receipt: the items, then a signature box for each side.

    Raises:
        EmptySelectionError: the receipt has no lines.
        BarcodeError: an item barcode Code 128 cannot carry or too long for the column.
    """
    check_lang(lang)
    _check_item_lines(
        receipt.lines,
        f"receipt {receipt.request_ref!r}",
        RECEIPT_COLUMNS_MM[1],
        "the receipt",
    )
    title = f"{tr(lang, 'delivery_receipt')} {receipt.request_ref}"
    header = [
        tr(lang, k) for k in ("position", "barcode", "file_number", "description")
    ]
    rows = [
        [str(n), _barcode_cell(line.item_barcode), line.file_number, line.description]
        for n, line in enumerate(receipt.lines, start=1)
    ]
    body: list[Flowable] = [
        paragraph(title, "title"),
        _key_values(
            [
                (tr(lang, "request"), receipt.request_ref),
                (tr(lang, "destination"), receipt.destination),
                (tr(lang, "date"), format_datetime(receipt.delivered_at, lang)),
            ]
        ),
        Spacer(1, 4 * MM),
        data_table(header, rows, [w * MM for w in RECEIPT_COLUMNS_MM]),
        Spacer(1, 8 * MM),
        KeepTogether(_signature_boxes(receipt, lang)),
    ]
    return build_document(body, title=title, meta=meta, lang=lang, invariant=invariant)


def _barcode_cell(code: str) -> list[Flowable]:
    return [
        BarcodeFlowable(code, height_mm=8.0),
        paragraph(human_readable(code), "cell"),
    ]


def _check_item_lines(
    lines: Sequence[PickLine] | Sequence[DeliveryLine],
    name: str,
    width_mm: float,
    where: str,
) -> None:
    """Fail early on a document without lines or with an item barcode too wide.

    Args:
        lines: the document's lines.
        name: the document in the empty-selection message, e.g. ``pick list 'R-1'``.
        width_mm: width of the barcode column; cell padding is taken off.
        where: the document in the barcode error message, e.g. ``the pick list``.

    Raises:
        EmptySelectionError: ``lines`` is empty.
        BarcodeError: an item barcode Code 128 cannot carry in the column.
    """
    if not lines:
        raise EmptySelectionError(f"{name} has no lines")
    for code in dict.fromkeys(line.item_barcode for line in lines):
        module_width_mm(
            code, width_mm - 2.2, dpi=300, max_mm=DOC_MODULE_MM, where=where
        )


def _key_values(rows: Sequence[tuple[str, str]]) -> Table:
    cells = [[paragraph(key, "head"), paragraph(value, "body")] for key, value in rows]
    table = Table(cells, colWidths=[38 * MM, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _signature_boxes(receipt: DeliveryReceipt, lang: str) -> list[Flowable]:
    sides = (
        (tr(lang, "handed_over_by"), receipt.handed_over_by),
        (tr(lang, "received_by"), receipt.received_by),
    )
    colon = "\u00a0: " if lang == "fr" else ": "
    head = [paragraph(f"{label}{colon}{name}", "head") for label, name in sides]
    hint = f"{tr(lang, 'date')} / {tr(lang, 'signature')}"
    sign = [paragraph(hint, "cell"), paragraph(hint, "cell")]
    table = Table(
        [head, sign], colWidths=[90 * MM, 90 * MM], rowHeights=[None, 35 * MM]
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, -1), 0.8, "black"),
                ("BOX", (1, 0), (1, -1), 0.8, "black"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [table]
