"""An agent prints labels from the console in headless Chromium; the PDF is read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_console_journey import sign_in
from tests.decoding import decode_pdf

pytestmark = pytest.mark.browser


def test_an_agent_prints_the_box_labels_of_a_shelf(page, served, tmp_path: Path):
    shelf = f"/console/locations/{served.shelf_barcode}"
    sign_in(page, served, "agent.browser", shelf)
    page.wait_for_url(re.compile(rf"{shelf}$"))
    rows = page.locator("#contents tbody tr[data-kind='box']")
    boxes = sorted(
        rows.nth(i).locator("td.code").inner_text() for i in range(rows.count())
    )
    assert boxes, "the shelf holding the file holds its box"
    page.get_by_role("link", name="les étiquettes des boîtes de ce lieu").click()
    page.wait_for_url(re.compile(r"/console/labels/\?selection=contents"))
    summary = page.locator("#labels-summary [data-summary='ok']")
    summary.wait_for()
    assert summary.get_attribute("data-labels") == str(len(boxes))
    # fields of other selections are hidden; choosing one shows its own
    assert not page.locator("#first").is_visible()
    assert page.locator("#ref").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger le PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert sorted(decode_pdf(target)) == boxes


def test_a_bad_selection_is_explained_before_printing(page, served):
    sign_in(page, served, "agent.browser", "/console/labels/")
    page.wait_for_url(re.compile(r"/console/labels/$"))
    page.get_by_label("Tablettes de … à …").check()
    assert page.locator("#first").is_visible() and not page.locator("#ref").is_visible()
    page.fill("#first", "NOWHERE-1")
    page.fill("#last", "NOWHERE-2")
    error = page.locator("#labels-summary [data-summary='error']")
    expect(error).to_contain_text("NOWHERE-1")
    page.get_by_label("Feuille des codes de commande des scanners").check()
    page.locator("#labels-summary [data-summary='ok']").wait_for()
