"""Cookies, CSRF, server-side sessions and the security headers of every response."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.types import Empty, Message, Scope, ScopeSession

SESSION_COOKIE = "archive_session"
SESSION_IDLE_S = 2 * 3600
"""A session unused for this long is gone (the store expires it)."""
SESSION_ABSOLUTE_S = 10 * 3600
"""A session older than this is refused even when in use (checked by the guard)."""
MACHINE_PATHS = ("^/api/", "^/api$", "^/schema", "^/healthz")
"""Bearer-token or read-only routes: no cookies, no CSRF token."""

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""The interactive API docs (``/schema/swagger``): Swagger UI from our own static
files, started by an inline script; nothing is loaded from outside."""


@dataclass(frozen=True)
class WebSecurity:
    secret: str
    cookie_secure: bool = False
    session_dir: Path | None = None
    hsts_max_age: int = 0
    """``Strict-Transport-Security`` max-age in seconds; 0 sends none (plain HTTP)."""


def csrf_config(web: WebSecurity) -> CSRFConfig:
    return CSRFConfig(
        secret=web.secret,
        cookie_secure=web.cookie_secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=list(MACHINE_PATHS),
    )


NEW_SESSION_ID = "archive_new_session_id"
"""Connection-state key: set at sign-in (:func:`rotate_session_id`), it holds the
fresh session id the response carries (empty until the backend draws it)."""


def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Have this response store the session under a new id (at sign-in)."""
    connection.scope["state"][NEW_SESSION_ID] = ""


class RotatingSessionBackend(ServerSideSessionBackend):
    """Issues a new session id at sign-in, so an id planted before it is useless."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        state = connection.scope["state"]
        new_id = state.get(NEW_SESSION_ID)
        if not isinstance(new_id, str):
            return super().get_session_id(connection)
        if not new_id:
            new_id = state[NEW_SESSION_ID] = self.generate_session_id()
        return new_id

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        """Write nothing for a request without a session (anonymous pages and
        static files get no cookie and no stored session); an emptied one is
        deleted with its cookie."""
        if not scope_session:
            if self.config.key not in connection.cookies:
                return
            scope_session = Empty
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def session_config(web: WebSecurity) -> ServerSideSessionConfig:
    return RotatingSessionConfig(
        key=SESSION_COOKIE,
        secure=web.cookie_secure,
        max_age=SESSION_IDLE_S,
        httponly=True,
        samesite="lax",
        exclude=list(MACHINE_PATHS),
        store="sessions",
    )


def session_store(web: WebSecurity) -> Store:
    if web.session_dir is None:
        return MemoryStore()
    return FileStore(web.session_dir, create_directories=True)


def security_headers(web: WebSecurity) -> Callable[[Message, Scope], Awaitable[None]]:
    """The ``before_send`` hook adding the security headers to every response,
    errors and 404s included; HSTS only when ``web.hsts_max_age`` is set (behind TLS)."""

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        docs = str(scope.get("path", "")).startswith("/schema")
        headers["content-security-policy"] = DOCS_CSP if docs else PAGE_CSP
        headers["x-content-type-options"] = "nosniff"
        headers["x-frame-options"] = "DENY"
        headers["referrer-policy"] = "same-origin"
        headers["permissions-policy"] = "camera=(), microphone=(), geolocation=()"
        headers["cross-origin-opener-policy"] = "same-origin"
        if web.hsts_max_age > 0:
            headers["strict-transport-security"] = (
                f"max-age={web.hsts_max_age}; includeSubDomains"
            )
        if "cache-control" not in headers:
            headers["cache-control"] = "no-store"

    return add_security_headers
