"""Authentication (bearer tokens) and coarse role guards; default deny."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from archive_svc.access import rules
from archive_svc.services import registry
from archive_svc.services.ports import AbstractUnitOfWork

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
    """Every API route names its ``action`` in ``opt``; a route without one is denied."""
    authenticator: TokenAuthenticator = connection.app.state.authenticator
    caller = await authenticator.caller(connection)
    connection.scope["state"]["caller"] = caller
    action = handler.opt.get("action")
    if not isinstance(action, rules.Action) or not rules.may({caller.role}, action):
        raise PermissionDeniedException(
            f"role {caller.role!r} may not {action or 'use this route'}"
        )
