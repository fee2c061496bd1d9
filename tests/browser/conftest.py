"""Browser fixtures: a seeded SQLite archive served by the real ``archive-svc serve``
in a subprocess, and headless system Chromium driven by Playwright.

In CI (``CI=true``) a missing Chromium fails the run instead of skipping it.
Screenshots of failed tests go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser journey password"
PEOPLE = (
    ("agent.browser", "Agent <Navigateur>", "archive_agent"),
    ("officer.browser", "Officier Navigateur", "protection_officer"),
    ("manager.browser", "Responsable Navigateur", "archive_manager"),
    ("admin.browser", "Administratrice Navigateur", "administrator"),
)


@dataclass(frozen=True)
class Site:
    url: str
    file_number: str
    file_barcode: str
    box_barcode: str
    shelf_barcode: str
    """A shelf holding boxes, none of them ``box_barcode`` (which tests move)."""
    db: Path | None = None
    """The served SQLite file (tests read it to choose what to move next)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "archive_svc", *args],
        env=env, input=stdin, text=True, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"archive-svc serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("archive-svc serve did not answer within 30 s")


def _sample(db: Path) -> tuple[str, str, str, str]:
    with sqlite3.connect(db) as conn:
        number, barcode = conn.execute(
            "SELECT i.number, i.barcode FROM item i JOIN position p ON p.item_id = i.id"
            " WHERE i.kind = 'file' ORDER BY i.number LIMIT 1"
        ).fetchone()
        (box,) = conn.execute(
            "SELECT i.barcode FROM item i JOIN position p ON p.item_id = i.id"
            " WHERE i.kind = 'box' AND p.state = 'in_storage' ORDER BY i.barcode LIMIT 1"
        ).fetchone()
        (shelf,) = conn.execute(
            "SELECT l.barcode FROM item i JOIN position p ON p.item_id = i.id"
            " JOIN location l ON l.id = p.custodian_id WHERE i.kind = 'box'"
            " AND p.custodian_kind = 'location' AND l.id NOT IN (SELECT p2.custodian_id"
            " FROM position p2 JOIN item b ON b.id = p2.item_id WHERE b.barcode = ?)"
            " ORDER BY i.barcode DESC LIMIT 1",
            (box,),
        ).fetchone()
    return number, barcode, box, shelf


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message + "; CI must provide it")
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Seed a small archive, create two people, run ``archive-svc serve``."""
    data = tmp_path_factory.mktemp("browser-site")
    db = data / "archive.db"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "PICCOLO"))
    }
    env |= {
        "ARCHIVE_DATABASE_URL": f"sqlite:///{db}",
        "ARCHIVE_DATA_DIR": str(data),
        "ARCHIVE_MQTT_BROKER": "off",
    }
    _cli(
        env,
        "seed",
        "--files",
        "40",
        "--boxes",
        "6",
        "--shelves",
        "4",
        "--storerooms",
        "1",
    )
    for pid, name, role in PEOPLE:
        _cli(env, "user", "create", "--id", pid, "--name", name, "--role", role,
             "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "archive_svc", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_until_up(url, server)
        yield Site(url, *_sample(db), db=db)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """Module-scoped: Playwright's sync API runs a loop in this thread until closed,
    which would break the asyncio tests that follow."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
        )
    context.close()
