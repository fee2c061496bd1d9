"""Run the web service under uvicorn (one worker: see architecture §7)."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from litestar import Litestar

from archive_svc import bootstrap
from archive_svc.api.app import AppDeps, create_app
from archive_svc.api.security import WebSecurity
from archive_svc.config import Settings

Job = Callable[[bootstrap.Runtime], Coroutine[Any, Any, None]]
"""A background coroutine run beside the app for as long as it serves (the demo's
simulated stations)."""


class Jobs:
    """Starts the jobs once the runtime is up, cancels them before it goes down."""

    def __init__(self, runtime: bootstrap.Runtime, jobs: Sequence[Job]) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self.tasks: list[asyncio.Task[None]] = []

    async def startup(self) -> None:
        await self.runtime.startup()
        self.tasks = [asyncio.create_task(job(self.runtime)) for job in self.jobs]

    async def shutdown(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.runtime.shutdown()


def build_app(runtime: bootstrap.Runtime, jobs: Sequence[Job] = ()) -> Litestar:
    lifecycle = Jobs(runtime, jobs)
    return create_app(
        AppDeps(
            uow_factory=runtime.uow,
            queries=runtime.queries,
            console=runtime.console,
            clock=runtime.clock,
            policy=runtime.policy,
            on_startup=lifecycle.startup,
            on_shutdown=lifecycle.shutdown,
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


def serve(settings: Settings, host: str, port: int, jobs: Sequence[Job] = ()) -> int:
    runtime = bootstrap.build_runtime(settings)
    uvicorn.Server(uvicorn_config(build_app(runtime, jobs), settings, host, port)).run()
    return 0
