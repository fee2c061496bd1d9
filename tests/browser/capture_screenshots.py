"""The screenshots of docs/guide-agent.md, taken in Chromium from a running demo.

    bash .ci/demo --port 8000        # in another terminal; note the passwords
    .venv/bin/python -m tests.browser.capture_screenshots http://127.0.0.1:8000 \\
        --agent-password demo-... --manager-password demo-...

Home, a box, a storeroom and the access journal, at 1280 px (desktop) and 820 px
(the trolleys' tablets), in French and in English, into ``docs/images/``. Any request
that would leave the service is refused and reported.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
WIDTHS = {1280: 900, 820: 1180}


def _sign_in(page: Page, url: str, login: str, password: str, lang: str) -> None:
    page.goto(f"{url}/login")
    if lang == "en":
        page.locator("#lang-switch").click()
        page.locator("html[lang='en']").wait_for()
    page.fill("#login", login)
    page.fill("#password", password)
    page.locator("button.primary").click()
    page.wait_for_load_state("networkidle")


def _a_box(page: Page, url: str) -> str:
    """A box on the first shelf of M1 that holds files."""
    page.goto(f"{url}/console/locations/M1-E01-T01-S1")
    return page.locator("#contents tr[data-kind='box'] td.code").first.inner_text()


def capture(url: str, agent_password: str, manager_password: str) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        for lang in ("fr", "en"):
            for width, height in WIDTHS.items():
                if lang == "en" and width != 1280:
                    continue
                context = browser.new_context(
                    viewport={"width": width, "height": height}
                )
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if urlparse(route.request.url).hostname == "127.0.0.1"
                        or route.request.url.startswith("data:")
                        else (outside.append(route.request.url), route.abort())[1]
                    ),
                )
                page = context.new_page()
                _sign_in(page, url, "agent.martin", agent_password, lang)
                box = _a_box(page, url)
                for name, path in (
                    ("console", "/console/"),
                    ("box", f"/console/items/{box}"),
                    ("storeroom", "/console/locations/M1"),
                ):
                    page.goto(url + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(500)
                    target = OUT / f"{name}-{lang}-{width}.png"
                    page.screenshot(path=str(target))
                    taken.append(target)
                context.clear_cookies()
                _sign_in(page, url, "manager.durand", manager_password, lang)
                page.goto(f"{url}/journal/")
                target = OUT / f"journal-{lang}-{width}.png"
                page.screenshot(path=str(target))
                taken.append(target)
                context.close()
        browser.close()
    if outside:
        raise RuntimeError(f"requests left the service: {outside}")
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--agent-password", required=True)
    parser.add_argument("--manager-password", required=True)
    args = parser.parse_args()
    for path in capture(
        args.url.rstrip("/"), args.agent_password, args.manager_password
    ):
        print(re.sub(r"^.*/docs/", "docs/", str(path)))


if __name__ == "__main__":
    main()
