"""An agent's day in headless Chromium, on a small screen (390 px wide)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, site, login: str, next_: str = "/") -> None:
    page.goto(f"{site.url}/login?next={next_}")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_agent_signs_in_finds_a_file_and_sees_where_it_is(page, served):
    sign_in(page, served, "agent.browser", "/console/")
    page.wait_for_url(re.compile(r"/console/$"))
    # markup in a name is shown as text, never interpreted
    assert page.locator(".who").inner_text() == "Agent <Navigateur>"
    page.get_by_label(
        "Code-barres, cote, numéro de dossier ou de boîte, ou nom d'une personne"
    ).fill(served.file_number)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/console/items/{served.file_barcode}$"))
    assert page.locator("#item-state").inner_text() == "En magasin"
    assert page.locator("#item-where").inner_text().strip() != ""
    assert page.locator("#history tbody tr").count() >= 1
    page.locator(".crumbs a").last.click()  # the shelf it sits on
    page.wait_for_url(re.compile(r"/console/locations/"))
    assert int(page.locator("#total-boxes").inner_text()) >= 1
    assert page.locator("#contents tbody tr").count() >= 1


def test_an_agent_records_a_movement_with_the_keyboard(page, served):
    sign_in(page, served, "agent.browser", "/console/record")
    page.wait_for_url(re.compile(r"/console/record$"))
    field = page.locator("#item")
    assert field.evaluate("el => el === document.activeElement")
    page.select_option("#kind", "pick")
    page.fill("#reason", "consultation sur place")
    field.focus()
    field.type(served.box_barcode)
    field.press("Enter")
    outcome = page.locator("#record-outcome")
    outcome.wait_for()
    assert outcome.get_attribute("data-outcome") == "ok", outcome.inner_text()
    assert page.locator("#item").evaluate("el => el === document.activeElement")
    assert page.locator("#item").input_value() == ""
    field = page.locator("#item")
    field.type(served.box_barcode)
    field.press("Enter")
    page.locator("#record-outcome[data-outcome='error']").wait_for()
    page.goto(f"{served.url}/console/")
    page.locator("#feed li").first.wait_for()
    assert served.box_barcode in page.locator("#feed").inner_text()


def test_the_language_switches_to_english_and_back(page, served):
    sign_in(page, served, "agent.browser", "/console/")
    page.wait_for_url(re.compile(r"/console/$"))
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Agents' console").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Français").click()
    page.get_by_role("heading", name="Console des agents").wait_for()


def test_an_officer_is_refused_the_console(page, served):
    sign_in(page, served, "officer.browser", "/")
    page.wait_for_url(re.compile(r"/$"))
    response = page.goto(f"{served.url}/console/")
    assert response is not None and response.status == 403
    assert (
        "Vous n'avez pas accès à cette page."
        in page.locator("#error-message").inner_text()
    )


def test_a_wrong_password_gets_the_generic_message(page, served):
    page.goto(f"{served.url}/login")
    page.get_by_label("Identifiant").fill("agent.browser")
    page.get_by_label("Mot de passe").fill("not the right one")
    page.get_by_role("button", name="Se connecter").click()
    assert (
        page.locator("#login-error").inner_text()
        == "Identifiant ou mot de passe incorrect."
    )


def test_no_content_security_violation_on_the_console(page, served):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    sign_in(page, served, "agent.browser", "/console/")
    page.wait_for_url(re.compile(r"/console/$"))
    page.locator("#feed ul, #feed p").first.wait_for()
    assert violations == []


def test_an_expired_session_keeps_what_was_typed(page, served):
    sign_in(page, served, "agent.browser", "/console/record")
    page.wait_for_url(re.compile(r"/console/record$"))
    page.fill("#to", "TRANSIT")
    page.fill("#reason", "texte tapé avant expiration")
    page.context.clear_cookies(name="archive_session")
    page.locator("#item").type("BX00000001X")
    page.locator("#item").press("Enter")
    page.wait_for_url(re.compile(r"/login\?next=/console/record$"))
    page.get_by_label("Identifiant").fill("agent.browser")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/console/record$"))
    assert page.locator("#reason").input_value() == "texte tapé avant expiration"
    assert page.locator("#to").input_value() == "TRANSIT"
