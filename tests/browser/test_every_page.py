"""Every page, in French and in English, at desktop and tablet width: no machine
code shown to a person, and no request that leaves the service.

The pages are reached as each person would (agent, manager, administrator) after
a morning that leaves something on every page: a file handed over, a box sent
in transit, a refused movement, a refused access, a label preview, an error.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import PASSWORD
from tests.vocabulary import raw_codes

pytestmark = pytest.mark.browser

LANGS = ("fr", "en")


class Watch:
    """Aborts and remembers every request that is not for the service itself."""

    def __init__(self) -> None:
        self.outside: list[str] = []

    def route(self, route) -> None:  # type: ignore[no-untyped-def]
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
            return
        self.outside.append(route.request.url)
        route.abort()


@pytest.fixture
def watched(browser) -> Iterator[tuple[object, Watch]]:  # type: ignore[no-untyped-def]
    watch = Watch()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", watch.route)
    yield context, watch
    context.close()


def _sign_in(context, site, login: str, lang: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{site.url}/login")
    if lang == "en":
        page.locator("#lang-switch").click()
        page.locator("html[lang='en']").wait_for()
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    return page


def _record(page, site, item: str, kind: str, to: str = "", reason: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site.url}/console/record")
    page.select_option("#kind", kind)
    page.fill("#to", to)
    page.fill("#reason", reason)
    page.fill("#item", item)
    page.locator("#item").press("Enter")
    page.locator("#record-outcome").wait_for()


def _samples(site) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What to show and move; never what other browser tests count on."""
    spare = (
        f" AND i.barcode <> '{site.box_barcode}' AND p.custodian_id NOT IN"
        f" (SELECT id FROM location WHERE barcode = '{site.shelf_barcode}')"
    )
    with sqlite3.connect(site.db) as conn:

        def one(sql: str) -> str:
            return str(conn.execute(sql).fetchone()[0])

        return {
            "file": one(
                "SELECT i.barcode FROM item i JOIN position p ON p.item_id = i.id"
                " WHERE i.kind = 'file' AND p.state = 'in_storage'"
                " ORDER BY i.number DESC LIMIT 1"
            ),
            "box": one(
                "SELECT i.barcode FROM item i JOIN position p ON p.item_id = i.id"
                " WHERE i.kind = 'box' AND p.state = 'in_storage'" + spare + ""
                " ORDER BY i.number LIMIT 1"
            ),
            "envelope": one("SELECT barcode FROM item WHERE kind = 'envelope' LIMIT 1"),
            **{
                kind: one(
                    f"SELECT code FROM location WHERE kind = '{kind}' ORDER BY code LIMIT 1"
                )
                for kind in ("site", "storeroom", "range", "bay", "shelf")
            },
        }


@pytest.fixture(scope="module")
def morning(browser, served) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Movements and refusals that give every page something to show."""
    sample = _samples(served)
    context = browser.new_context()
    page = _sign_in(context, served, "agent.browser", "fr")
    _record(page, served, sample["file"], "hand_over", "officer.browser")
    _record(page, served, sample["box"], "in_transit", "Site de Rosny")
    _record(page, served, sample["file"], "relocate", "NOWHERE-99")
    page.goto(f"{served.url}/console/items/{sample['file']}")
    context.close()
    refused = browser.new_context()
    officer = _sign_in(refused, served, "officer.browser", "fr")
    officer.goto(f"{served.url}/console/")
    refused.close()
    return sample


def _pages(sample: dict[str, str]) -> dict[str, list[str]]:
    return {
        "agent.browser": [
            "/console/",
            "/console/search?q=Navigateur",
            "/console/search?q=nothing-like-this",
            f"/console/items/{sample['file']}",
            f"/console/items/{sample['box']}",
            f"/console/items/{sample['envelope']}",
            *(
                f"/console/locations/{sample[k]}"
                for k in ("site", "storeroom", "range", "bay", "shelf")
            ),
            "/console/locations/INTAKE",
            "/console/locations/TRANSIT",
            "/console/people/officer.browser",
            "/console/out",
            "/console/record",
            f"/console/record?item={sample['box']}",
            "/console/labels/",
            f"/console/labels/?selection=contents&ref={sample['shelf']}&kind=box",
            "/console/labels/?selection=range",
            "/console/items/BX99999999Z",
            "/console/items/NOT-A-CODE",
            "/console/locations/NOWHERE-99",
        ],
        "manager.browser": [
            "/journal/",
            "/journal/?decision=deny",
            "/journal/?last=24",
            f"/journal/?about={sample['file']}",
            "/journal/?action=read_item",
        ],
        "admin.browser": ["/admin/users/", "/"],
        "officer.browser": ["/", "/console/"],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_shows_a_machine_code_or_calls_outside(watched, served, morning, lang):  # type: ignore[no-untyped-def]
    context, watch = watched
    shown: dict[str, list[str]] = {}
    for login, paths in _pages(morning).items():
        page = _sign_in(context, served, login, lang)
        for path in paths:
            for width in (1280, 820):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(served.url + path)
                page.wait_for_load_state("networkidle")
                assert page.locator("html").get_attribute("lang") == lang
                text = page.locator("body").inner_text()
                found = raw_codes(text, lang)
                if found:
                    shown[f"{login} {path} @{width}"] = found
        page.close()
        context.clear_cookies()
    assert shown == {}
    assert watch.outside == []


def test_the_labels_preview_and_a_refusal_speak_the_pages_language(
    watched, served, morning
):  # type: ignore[no-untyped-def]
    context, watch = watched
    page = _sign_in(context, served, "agent.browser", "fr")
    page.goto(
        f"{served.url}/console/labels/?selection=contents&ref={morning['shelf']}&kind=box"
    )
    page.locator("#labels-preview").wait_for()
    for keystroke in "M1":  # each keystroke asks for a new preview
        page.locator("#ref").press(keystroke)
    error = page.locator("#labels-summary [data-summary='error']")
    error.wait_for()
    assert raw_codes(error.inner_text(), "fr") == []
    _record(page, served, morning["file"], "relocate", "NOWHERE-99")
    refusal = page.locator("#record-outcome[data-outcome='error']").inner_text()
    assert (
        "« NOWHERE-99 » n'est ni un lieu, ni une boîte, ni une personne connue."
        in refusal
    )
    assert watch.outside == []


def test_the_api_docs_load_from_the_service_alone(watched, served):  # type: ignore[no-untyped-def]
    context, watch = watched
    page = context.new_page()
    page.goto(f"{served.url}/schema/swagger")
    page.locator(".swagger-ui .info .title").wait_for()
    assert re.search(
        r"archive-svc", page.locator(".swagger-ui .info .title").inner_text()
    )
    assert page.locator(".opblock").count() > 3
    assert watch.outside == []


def test_a_request_to_another_host_would_be_caught(watched, served):  # type: ignore[no-untyped-def]
    """The watch itself: a page pulling a script from elsewhere is noticed."""
    context, watch = watched
    page = context.new_page()
    with pytest.raises(Exception, match="ERR_FAILED"):
        page.goto("http://example.org/x.png")
    assert watch.outside == ["http://example.org/x.png"]
