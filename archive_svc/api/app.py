"""Application factory: ``create_app(deps) -> Litestar``."""

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from archive_svc import __version__
from archive_svc.api.errors import EXCEPTION_HANDLERS, http_error_handler
from archive_svc.api.guards import TokenAuthenticator, requires_access
from archive_svc.api.json.controllers import (
    ItemController,
    LocationController,
    MovementController,
)
from archive_svc.api.portals import wiring as portals
from archive_svc.api.portals.common import page_error
from archive_svc.api.security import WebSecurity
from archive_svc.services import people
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import AbstractUnitOfWork, Clock, CustodyQueries


@dataclass
class AppDeps:
    """What the web app needs, chosen by the composition root."""

    uow_factory: Callable[[], AbstractUnitOfWork]
    queries: CustodyQueries
    clock: Clock
    policy: LedgerPolicy
    on_startup: Callable[[], Awaitable[None]] | None = None
    on_shutdown: Callable[[], Awaitable[None]] | None = None
    web: WebSecurity | None = None
    """Sessions and CSRF; ``None`` (tests) means a random secret and memory sessions."""
    ui_locale: str = "fr"
    login_throttle: people.AddressThrottle | None = None
    """Failed sign-ins per client address (per process); a default one when None."""


@get("/healthz", include_in_schema=False, opt={"public": True})
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _unrouted_error(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Any]:
    """Errors raised before any router (no such path, wrong method): JSON for API
    clients, a page for people."""
    path = request.scope.get("path", "")
    if path.startswith(("/api/", "/schema")) or path in ("/api", "/healthz"):
        return http_error_handler(request, exc)
    return page_error(request, exc)


def create_app(deps: AppDeps) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if deps.on_startup is not None:
            await deps.on_startup()
        try:
            yield
        finally:
            if deps.on_shutdown is not None:
                await deps.on_shutdown()

    state = State(
        {
            "uow_factory": deps.uow_factory,
            "queries": deps.queries,
            "clock": deps.clock,
            "policy": deps.policy,
            "authenticator": TokenAuthenticator(deps.uow_factory),
            "access_journal": (
                deps.uow_factory().access_journal
                if deps.uow_factory is not None
                else None
            ),
            "login_throttle": deps.login_throttle or people.AddressThrottle(),
        }
    )
    web = deps.web or WebSecurity(secret=secrets.token_urlsafe(32))
    return Litestar(
        route_handlers=[
            MovementController,
            ItemController,
            LocationController,
            healthz,
            portals.page_router(),
            portals.static_router(),
        ],
        guards=[requires_access],
        **portals.app_kwargs(web, deps.ui_locale),
        state=state,
        lifespan=[lifespan],
        exception_handlers={**EXCEPTION_HANDLERS, HTTPException: _unrouted_error},  # type: ignore[dict-item]
        request_max_body_size=2 * 1024 * 1024,
        response_cache_config=ResponseCacheConfig(),
        openapi_config=OpenAPIConfig(
            title="archive-svc",
            version=__version__,
            path="/schema",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer")
                }
            ),
            security=[{"bearer": []}],
            openapi_router=Router(
                path="/schema",
                route_handlers=[],
                opt={"public": True},
                include_in_schema=False,
            ),
        ),
    )
