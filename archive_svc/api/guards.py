"""The route policy: one app-wide guard, default deny."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler

from archive_svc.access import rules
from archive_svc.api import auth, deps, inputs
from archive_svc.api.journal import RequestJournal


async def requires_access(
    connection: ASGIConnection[Any, Any, Any, Any],
    handler: BaseRouteHandler,
) -> None:
    """A route is public or names an ``action`` in ``opt`` that the caller's roles allow.

    JSON API routes authenticate with a bearer token, pages with the session. Every
    decision on a non-public route is journaled, allow and deny alike.
    """
    if handler.opt.get("public") is True:
        inputs.refuse_control_characters(connection)
        return
    action = handler.opt.get("action")
    path = inputs.escape_controls(connection.scope["path"])
    journal = deps.request_journal(connection)
    caller = await _identify(connection, journal, str(action), path)
    try:
        inputs.refuse_control_characters(connection)
    except ValidationException:
        await journal.record(str(action), path, False, "input", "control_character")
        raise
    roles = caller.roles if caller else frozenset()
    decision = rules.decide_route(roles, action)
    await journal.record(
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


async def _identify(
    connection: ASGIConnection[Any, Any, Any, Any],
    journal: RequestJournal,
    action: str,
    path: str,
) -> auth.Caller | None:
    """The caller; a missing or bad bearer token is journaled, then refused."""
    context = deps.app_context(connection)
    try:
        return await auth.identify(
            connection, context.tokens, context.uow_factory, context.clock
        )
    except NotAuthorizedException:
        await journal.record(action, path, False, "Z", "unauthenticated")
        raise
