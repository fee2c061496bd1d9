"""The route policy: one app-wide guard, default deny; what JSON routes accept."""

import re
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from archive_svc.access import rules
from archive_svc.api import auth, deps, inputs
from archive_svc.api.journal import RequestJournal

MAX_BODY_DEPTH = inputs.MAX_JSON_DEPTH + 8
"""Deepest nesting of a JSON body: a payload's bound plus the batch envelope."""
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


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


async def requires_json_body(
    connection: ASGIConnection[Any, Any, Any, Any],
    handler: BaseRouteHandler,
) -> None:
    """A JSON route's body is ``application/json`` (else 415) and nests at most
    :data:`MAX_BODY_DEPTH` levels (else 400, before the decoder recurses into it)."""
    if connection.scope.get("method") not in ("POST", "PUT", "PATCH"):
        return
    media_type = connection.headers.get("content-type", "").partition(";")[0]
    if media_type.strip().lower() != "application/json":
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="the body must be application/json",
        )
    body = await Request[Any, Any, Any](connection.scope, connection.receive).body()
    if _depth(body) > MAX_BODY_DEPTH:
        raise ValidationException(f"JSON nested deeper than {MAX_BODY_DEPTH} levels")


def _depth(body: bytes) -> int:
    """How deep objects and arrays nest in a JSON text (strings skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if match.group() in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
