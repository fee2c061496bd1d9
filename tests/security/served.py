"""The app behind a real uvicorn, configured as ``archive-svc serve`` configures it."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn
from litestar import Litestar

from archive_svc import web
from archive_svc.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(app: Litestar, settings: Settings) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(web.uvicorn_config(app, settings, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def failed_sign_in(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    """A sign-in with a wrong password, the form's CSRF token included."""
    page = client.get("/login", headers=headers)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/login",
        data={
            "login": "agent.x",
            "password": "not the password",
            "_csrf_token": token.group(1),
        },
        headers=headers,
    )
