import io
from datetime import date, datetime

import pypdf
import pytest
from labels_support import decode_pdf, with_check

import labels

META = labels.DocumentMeta(
    generated_at=datetime(2025, 3, 4, 9, 30),
    generated_by="Agent Dupont",
    ledger_head="a3f1" * 16,
)


def _pick_list(count: int) -> labels.PickList:
    lines = tuple(
        labels.PickLine(
            shelf_code=f"M3-E{n // 20:02d}-T{n % 20:02d}-S{n % 5}",
            item_barcode=with_check(f"BX{12000 + n:08d}"),
            file_number=f"2019-{n:05d}",
            requester_unit="Division Europe",
            priority="urgent" if n % 7 == 0 else "normal",
        )
        for n in range(1, count + 1)
    )
    return labels.PickList("Magasin 3", "RUN-2025-03-04-A", lines)


def _out_card() -> labels.OutCard:
    return labels.OutCard(
        barcode=with_check("FT00001234"),
        item_barcode=with_check("BX00012345"),
        file_number="2019-00123",
        destination="Division Afrique",
        taken_by="Jeanne Lœwy",
        taken_at=datetime(2025, 3, 4, 10, 0),
        request_ref="REQ-2025-0042",
        due_on=date(2025, 4, 3),
    )


def _receipt() -> labels.DeliveryReceipt:
    lines = tuple(
        labels.DeliveryLine(with_check(f"DS2019{n:05d}"), f"2019-{n:05d}", "Dossier")
        for n in range(1, 6)
    )
    return labels.DeliveryReceipt(
        "REQ-2025-0042",
        "Division Afrique",
        "Agent Dupont",
        "Jeanne Lœwy",
        datetime(2025, 3, 4, 10, 0),
        lines,
    )


def _page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def pick_list_pdf() -> bytes:
    return labels.render_pick_list(_pick_list(120), META)


def test_a_120_line_pick_list_splits_across_pages_repeating_the_header(pick_list_pdf):
    texts = _page_texts(pick_list_pdf)
    assert len(texts) > 2
    for number, text in enumerate(texts, start=1):
        assert "Emplacement" in text and "Code-barres" in text
        assert f"Page {number}/{len(texts)}" in text
        assert "Généré le 04/03/2025 09:30 par Agent Dupont" in text
        assert "a3f1" * 16 in text


def test_every_pick_list_line_barcode_decodes_in_walk_order(pick_list_pdf):
    pick_list = _pick_list(120)
    decoded = [text for page in decode_pdf(pick_list_pdf) for text in page]
    assert sorted(decoded) == sorted(line.item_barcode for line in pick_list.lines)
    texts = "".join(_page_texts(pick_list_pdf))
    positions = [texts.index(line.file_number) for line in pick_list.lines]
    assert positions == sorted(positions)


def test_the_english_pick_list_has_english_headers():
    pdf = labels.render_pick_list(_pick_list(3), META, lang="en")
    (text,) = _page_texts(pdf)
    for header in ("Location", "Barcode", "File number", "Requester unit", "Priority"):
        assert header in text
    assert "Emplacement" not in text
    assert "Generated 2025-03-04 09:30 by Agent Dupont" in text


def test_an_empty_pick_list_is_refused():
    empty = labels.PickList("Magasin 3", "RUN-1", ())
    with pytest.raises(labels.EmptySelectionError, match="RUN-1"):
        labels.render_pick_list(empty, META)


def test_the_out_card_carries_its_own_barcode_that_decodes():
    card = _out_card()
    pdf = labels.render_out_card(card, META)
    assert decode_pdf(pdf) == [[card.barcode]]
    (text,) = _page_texts(pdf)
    for value in ("2019-00123", "Division Afrique", "Jeanne Lœwy", "REQ-2025-0042"):
        assert value in text
    assert "03/04/2025" in text
    assert labels.human_readable(card.item_barcode) in text


def test_the_english_out_card_has_english_words():
    (text,) = _page_texts(labels.render_out_card(_out_card(), META, lang="en"))
    assert "Out-card" in text and "Due back" in text and "2025-04-03" in text


def test_the_delivery_receipt_lists_items_and_has_two_signature_boxes():
    receipt = _receipt()
    pdf = labels.render_delivery_receipt(receipt, META)
    decoded = [text for page in decode_pdf(pdf) for text in page]
    assert sorted(decoded) == sorted(line.item_barcode for line in receipt.lines)
    (text,) = _page_texts(pdf)
    text = text.replace("\u00a0", " ")
    assert "Remis par : Agent Dupont" in text
    assert "Reçu par : Jeanne Lœwy" in text
    assert text.count("Date / Signature") == 2


def test_documents_are_deterministic_in_invariant_mode():
    first = labels.render_out_card(_out_card(), META, invariant=True)
    assert first == labels.render_out_card(_out_card(), META, invariant=True)


def test_a_bad_item_barcode_in_a_pick_list_raises_naming_it():
    pick_list = _pick_list(2)
    bad = labels.PickLine("M3", "BX0001é", "2019-1", "Europe")
    broken = labels.PickList("Magasin 3", "RUN-2", (*pick_list.lines, bad))
    with pytest.raises(labels.BarcodeError, match="BX0001é"):
        labels.render_pick_list(broken, META)


def test_the_table_helper_repeats_its_header_on_every_page_for_other_documents():
    rows = [
        [str(n), f"Ligne {n}", labels.BarcodeFlowable(with_check(f"BX{n:08d}"))]
        for n in range(1, 61)
    ]
    table = labels.data_table(["N°", "Libellé", "Code"], rows, [40, 150, 200])
    pdf = labels.build_document([table], title="Essai", meta=META)
    texts = _page_texts(pdf)
    assert len(texts) > 1
    assert all("Libellé" in text for text in texts)
