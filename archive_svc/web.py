"""Run the web service under uvicorn (one worker: see architecture §7)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import uvicorn
from litestar import Litestar

from archive_svc import bootstrap
from archive_svc.api.app import AppDeps, create_app
from archive_svc.api.security import WebSecurity
from archive_svc.config import Settings


def build_app(runtime: bootstrap.Runtime) -> Litestar:
    return create_app(
        AppDeps(
            uow_factory=runtime.uow,
            queries=runtime.queries,
            clock=runtime.clock,
            policy=runtime.policy,
            on_startup=runtime.startup,
            on_shutdown=runtime.shutdown,
            web=web_security(runtime.settings),
            ui_locale=runtime.settings.ui_locale,
        )
    )


def http_secret(settings: Settings) -> str:
    """The configured secret, else one generated once into the data dir (mode 600)."""
    if settings.http.secret:
        return settings.http.secret
    path = Path(settings.data_dir) / "http_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def web_security(settings: Settings) -> WebSecurity:
    return WebSecurity(
        secret=http_secret(settings),
        cookie_secure=settings.http.cookie_secure,
        session_dir=Path(settings.data_dir) / "sessions",
        hsts_max_age=settings.http.hsts_max_age,
    )


def uvicorn_config(
    app: Litestar, settings: Settings, host: str, port: int
) -> uvicorn.Config:
    """How uvicorn runs the app: no ``server`` banner, and proxy headers believed
    only from ``[http] trusted_proxies`` (uvicorn's own default trusts 127.0.0.1,
    so anyone on the host could choose the client address the throttle and the
    journal see)."""
    proxies = settings.http.trusted_proxy_list
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        workers=1,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        server_header=False,
    )


def serve(settings: Settings, host: str, port: int) -> int:
    runtime = bootstrap.build_runtime(settings)
    uvicorn.Server(uvicorn_config(build_app(runtime), settings, host, port)).run()
    return 0
