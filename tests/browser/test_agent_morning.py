"""An archive agent's morning in Chromium, in French and in English, on a tablet.

Sign in, read the day's figures, look a person up, open a box, relocate it with
the destination completed as typed, print the labels of its new shelf after
seeing the sheet's preview.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import PASSWORD
from tests.decoding import decode_pdf

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "login": "Identifiant",
        "password": "Mot de passe",
        "sign_in": "Se connecter",
        "search": "Code-barres, cote, numéro de dossier ou de boîte, ou nom d'une personne",
        "role": "Officier de protection",
        "box": "Boîte",
        "record_this": "Enregistrer un mouvement de cet article",
        "relocate": "Changement de place",
        "print_boxes": "les étiquettes des boîtes de ce lieu",
        "download": "Télécharger le PDF",
        "in_storage": "En magasin",
    },
    "en": {
        "login": "User name",
        "password": "Password",
        "sign_in": "Sign in",
        "search": "Barcode, shelf mark, file or box number, or a person's name",
        "role": "Protection officer",
        "box": "Box",
        "record_this": "Record a movement of this item",
        "relocate": "Relocation",
        "print_boxes": "labels for the boxes here",
        "download": "Download the PDF",
        "in_storage": "In the stores",
    },
}


def box_and_new_shelf(site, skip: int) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """A stored box (its number, barcode) and the code of a shelf it is not on;
    never the site's own sample box, nor one from the shelf other tests print."""
    with sqlite3.connect(site.db) as conn:
        number, barcode, shelf_id = conn.execute(
            "SELECT i.number, i.barcode, p.custodian_id FROM item i"
            " JOIN position p ON p.item_id = i.id WHERE i.kind = 'box'"
            " AND p.state = 'in_storage' AND i.barcode <> ? AND p.custodian_id"
            " NOT IN (SELECT id FROM location WHERE barcode = ?)"
            " ORDER BY i.number DESC LIMIT 1 OFFSET ?",
            (site.box_barcode, site.shelf_barcode, skip),
        ).fetchone()
        (shelf,) = conn.execute(
            "SELECT code FROM location WHERE kind = 'shelf' AND id <> ?"
            " ORDER BY walk_order, code LIMIT 1",
            (shelf_id,),
        ).fetchone()
    return number, barcode, shelf


def sign_in_as_agent(page, site, t) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(t["login"]).fill("agent.browser")
    page.get_by_label(t["password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["sign_in"]).click()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_agents_morning(page, served, lang: str, tmp_path: Path) -> None:
    t = TEXT[lang]
    page.set_viewport_size({"width": 820, "height": 1180})
    if lang == "en":
        page.goto(f"{served.url}/login")
        page.locator("#lang-switch").click()
        page.locator("html[lang='en']").wait_for()
    number, box, shelf = box_and_new_shelf(served, skip=0 if lang == "fr" else 1)

    # sign in: the console, the day's figures, the search box ready for a scan
    sign_in_as_agent(page, served, t)
    page.wait_for_url(re.compile(r"/console/$"))
    assert int(re.sub(r"\D", "", page.locator("#fig-movements").inner_text())) > 0
    assert page.locator("#fig-out").inner_text().strip().isdigit()
    search = page.get_by_label(t["search"])
    assert search.evaluate("el => el === document.activeElement")

    # a person: who they are and what they hold
    search.fill("Officier Navigateur")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/console/people/officer\.browser$"))
    assert page.locator("#person-roles").inner_text() == t["role"]

    # the box, typed without its dash: its files, its place, its history
    search = page.get_by_label(t["search"])
    search.fill(number.replace("-", ""))
    search.press("Enter")
    page.wait_for_url(re.compile(rf"/console/items/{box}$"))
    assert page.locator("h1").inner_text().startswith(f"{t['box']} {number}")
    assert page.locator("#held tbody tr").count() >= 1
    assert page.locator("#item-state").inner_text() == t["in_storage"]

    # relocate it: the destination completes as it is typed
    page.get_by_role("link", name=t["record_this"]).click()
    page.wait_for_url(re.compile(r"/console/record\?item="))
    assert page.locator("#item").input_value() == box
    page.select_option("#kind", label=t["relocate"])
    page.locator("#to").press_sequentially(shelf[:-1], delay=40)
    option = page.locator(f"#to-options option[value='{shelf}']")
    option.wait_for(state="attached")
    page.fill("#to", shelf)
    page.locator("#item").focus()
    page.locator("#item").press("Enter")
    outcome = page.locator("#record-outcome[data-outcome='ok']")
    outcome.wait_for()
    assert f"{number} → {shelf}" in outcome.inner_text()

    # its new shelf, then the labels of the boxes there, previewed, then the PDF
    outcome.get_by_role("link", name=shelf).click()
    page.wait_for_url(re.compile(rf"/console/locations/{shelf}$"))
    rows = page.locator("#contents tbody tr[data-kind='box']")
    boxes = sorted(
        rows.nth(i).locator("td.code").inner_text() for i in range(rows.count())
    )
    assert box in boxes
    page.get_by_role("link", name=t["print_boxes"]).click()
    preview = page.locator("#labels-preview")
    preview.wait_for()
    assert preview.evaluate("img => img.complete && img.naturalWidth > 300")
    summary = page.locator("#labels-summary [data-summary='ok']")
    assert summary.get_attribute("data-labels") == str(len(boxes))
    with page.expect_download() as download_info:
        page.get_by_role("button", name=t["download"]).click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert sorted(decode_pdf(target)) == boxes
