"""Authentication (bearer tokens) and coarse role guards; default deny."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

from archive_svc.access import rules
from archive_svc.api.security import SESSION_ABSOLUTE_S
from archive_svc.domain.model import Principal
from archive_svc.services import access_log, registry
from archive_svc.services.ports import AbstractUnitOfWork, CustodyQueries, JournalEntry

TOKEN_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's name and role."""

    name: str
    role: str


class TokenAuthenticator:
    """Resolves bearer tokens, caching hits for a few seconds (revocation delay)."""

    def __init__(self, uow_factory: Callable[[], AbstractUnitOfWork]) -> None:
        self._uow_factory = uow_factory
        self._cache: dict[str, tuple[float, Caller]] = {}

    async def caller(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Caller:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(
                "missing bearer token (Authorization: Bearer <token>)"
            )
        token = token.strip()
        now = time.monotonic()
        hit = self._cache.get(token)
        if hit is not None and hit[0] > now:
            return hit[1]
        record = await registry.authenticate(token, self._uow_factory())
        if record is None:
            raise NotAuthorizedException("unknown or revoked token")
        caller = Caller(record.name, record.role)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = (now + TOKEN_CACHE_SECONDS, caller)
        return caller


async def requires_permission(
    connection: ASGIConnection[Any, Any, Any, Any],
    handler: BaseRouteHandler,
) -> None:
    """Kept for controllers that name it; the app-wide :func:`requires_access` decides."""
    await requires_access(connection, handler)


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else ""


def _is_api(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    path = connection.scope["path"]
    return path == "/api" or path.startswith("/api/")


async def session_person(
    connection: ASGIConnection[Any, Any, Any, Any],
) -> Principal | None:
    """The signed-in person, re-read on every request: disabled, or a password set
    since the session began (a reset by an administrator), means out at once."""
    session = connection.scope.get("session")
    if not isinstance(session, dict) or "pid" not in session:
        return None
    issued = session.get("iat")
    now = connection.app.state.clock.now().timestamp()
    if not isinstance(issued, int | float) or now - issued > SESSION_ABSOLUTE_S:
        connection.clear_session()
        return None
    queries: CustodyQueries = connection.app.state.queries
    pid = str(session["pid"])
    person = (await queries.principals([pid])).get(pid)
    if person is None or not person.active:
        connection.clear_session()
        return None
    credential = await connection.app.state.uow_factory().credentials.get(pid)
    changed = credential.changed_at if credential else None
    if changed is not None and changed.timestamp() > issued:
        connection.clear_session()
        return None
    return person


PENDING = "journal_pending"
"""Scope-state key of the request's journal rows not written yet (allowed decisions)."""


async def journal(
    connection: ASGIConnection[Any, Any, Any, Any],
    action: str,
    object_ref: str,
    allowed: bool,
    rule: str,
    reason: str = "",
    *,
    defer: bool = False,
) -> None:
    """Journal one access-journal row for the caller of this connection.

    Written at once, together with the rows this request deferred; ``defer`` keeps
    it for the next write, at the latest :func:`flush_journal` before the response
    starts: nothing reaches the client before its journal rows are stored.
    """
    state = connection.scope["state"]
    who, roles = state.get("who", ("anonymous", ""))
    entry = JournalEntry(
        at=connection.app.state.clock.now(),
        principal_ref=who,
        role=roles,
        action=action,
        object_ref=object_ref,
        decision="allow" if allowed else "deny",
        rule=rule,
        reason=reason,
        client=client_address(connection),
        channel="api" if _is_api(connection) else "web",
    )
    if defer:
        state.setdefault(PENDING, []).append(entry)
        return
    pending = state.pop(PENDING, [])
    await access_log.record([*pending, entry], connection.app.state.access_journal)


async def flush_journal(message: Message, scope: Scope) -> None:
    """``before_send`` hook: store the request's deferred rows before it answers."""
    if message["type"] != "http.response.start":
        return
    state = scope.get("state")
    pending = state.pop(PENDING, None) if isinstance(state, dict) else None
    if pending:
        await access_log.record(pending, scope["app"].state.access_journal)


async def journal_read(
    connection: ASGIConnection[Any, Any, Any, Any], action: str, object_ref: str
) -> None:
    """Journal a read of a confidential record (file detail, history), allowed."""
    rule = connection.route_handler.opt.get("action")
    await journal(connection, action, object_ref, True, f"route:{rule}", "read")


async def _identify(connection: ASGIConnection[Any, Any, Any, Any]) -> frozenset[str]:
    """Roles of the caller: bearer token under ``/api``, else the session (or none)."""
    state = connection.scope["state"]
    if _is_api(connection):
        try:
            caller = await connection.app.state.authenticator.caller(connection)
        except NotAuthorizedException:
            action = str(connection.route_handler.opt.get("action"))
            path = connection.scope["path"]
            await journal(connection, action, path, False, "Z", "unauthenticated")
            raise
        state["caller"] = caller
        state["who"] = (caller.name, caller.role)
        return frozenset({caller.role})
    person = await session_person(connection)
    if person is None:
        return frozenset()
    state["person"] = person
    state["who"] = (person.id, ",".join(sorted(person.roles)))
    return person.roles


async def requires_access(
    connection: ASGIConnection[Any, Any, Any, Any],
    handler: BaseRouteHandler,
) -> None:
    """App-wide default deny: a route is public or names an ``action`` in ``opt``.

    JSON API routes authenticate with a bearer token, pages with the session. Every
    decision on a non-public route is journaled, allow and deny alike.
    """
    state = connection.scope["state"]
    if state.get("access_checked") or handler.opt.get("public") is True:
        return
    state["access_checked"] = True
    action = handler.opt.get("action")
    roles = await _identify(connection)
    decision = rules.decide_route(roles, action)
    path = connection.scope["path"]
    await journal(
        connection,
        str(action),
        path,
        decision.allowed,
        decision.rule,
        decision.reason,
        defer=decision.allowed,
    )
    if decision.allowed:
        return
    if not roles:
        raise NotAuthorizedException("sign-in required")
    role = ", ".join(sorted(roles))
    raise PermissionDeniedException(
        f"role {role!r} may not {action or 'use this route'}"
    )
