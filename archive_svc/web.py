"""Run the web service under uvicorn (one worker: see architecture §7)."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from archive_svc import bootstrap
from archive_svc.api.app import AppDeps, create_app
from archive_svc.config import Settings


def build_app(runtime: bootstrap.Runtime) -> Litestar:
    return create_app(
        AppDeps(
            uow_factory=runtime.uow,
            queries=runtime.queries,
            clock=runtime.clock,
            policy=runtime.policy,
            on_startup=runtime.start_pool,
            on_shutdown=runtime.close_pool,
        )
    )


def serve(settings: Settings, host: str, port: int) -> int:
    runtime = bootstrap.build_runtime(settings)
    config = uvicorn.Config(
        build_app(runtime), host=host, port=port, log_level="info", workers=1
    )
    uvicorn.Server(config).run()
    return 0
