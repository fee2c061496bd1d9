"""Application factory: ``create_app(deps) -> Litestar``."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.config.response_cache import ResponseCacheConfig
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from archive_svc import __version__
from archive_svc.api.deps import DEPENDENCIES, AppContext, AppDeps
from archive_svc.api.errors import (
    EXCEPTION_HANDLERS,
    http_error_handler,
    internal_error_handler,
)
from archive_svc.api.guards import requires_access
from archive_svc.api.json.controllers import (
    ItemController,
    LocationController,
    MovementController,
)
from archive_svc.api.portals import wiring as portals
from archive_svc.api.portals.common import page_error
from archive_svc.api.security import WebSecurity

__all__ = ["AppDeps", "create_app"]


@get("/healthz", include_in_schema=False, opt={"public": True})
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _is_machine_path(request: Request[Any, Any, Any]) -> bool:
    path = request.scope.get("path", "")
    return path.startswith(("/api/", "/schema")) or path in ("/api", "/healthz")


def _unrouted_error(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Any]:
    """Errors raised before any router (no such path, wrong method) and in routes
    outside the page router (static files): JSON for API clients, a page for people."""
    if _is_machine_path(request):
        return http_error_handler(request, exc)
    return page_error(request, exc)


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any other exception: logged with a request id, answered 500 without details."""
    if _is_machine_path(request):
        return internal_error_handler(request, exc)
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

    web = deps.web or WebSecurity(secret=secrets.token_urlsafe(32))
    return Litestar(
        route_handlers=[
            MovementController,
            ItemController,
            LocationController,
            healthz,
            portals.page_router(),
            portals.static_router(),
            portals.swagger_router(),
        ],
        guards=[requires_access],
        dependencies=DEPENDENCIES,
        **portals.app_kwargs(web, deps.ui_locale),
        state=AppContext.build(deps).state(),
        lifespan=[lifespan],
        exception_handlers={
            **EXCEPTION_HANDLERS,  # type: ignore[dict-item]
            HTTPException: _unrouted_error,
            Exception: _internal_error,
        },
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
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url=f"{portals.SWAGGER_URL}/swagger-ui-bundle.js",
                    css_url=f"{portals.SWAGGER_URL}/swagger-ui.css",
                    standalone_preset_js_url=(
                        f"{portals.SWAGGER_URL}/swagger-ui-standalone-preset.js"
                    ),
                    favicon="<link rel='icon' href='/static/favicon.svg'>",
                ),
                YamlRenderPlugin(),
            ],
            openapi_router=Router(
                path="/schema",
                route_handlers=[],
                opt={"public": True},
                include_in_schema=False,
            ),
        ),
    )
