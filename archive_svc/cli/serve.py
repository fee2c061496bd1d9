"""``serve``, ``demo`` and ``migrate``: run the service, the laptop demo, the schema."""

from __future__ import annotations

import argparse
import dataclasses

from archive_svc import bootstrap
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from archive_svc import web

    return web.serve(
        settings, args.host or settings.http.host, args.port or settings.http.port
    )


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from archive_svc.demo import launch

    if args.mqtt_port is not None:  # a second demo beside the first one
        mqtt = dataclasses.replace(settings.mqtt, embedded_port=args.mqtt_port)
        settings = dataclasses.replace(settings, mqtt=mqtt)
    return launch.run(settings, args.port)


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    console.print(await runtime.migrate())
    return 0


def register(sub: Subcommands) -> None:
    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(sync=cmd_serve)
    demo = sub.add_parser(
        "demo", help="migrate, seed a small set, serve with simulators"
    )
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--mqtt-port",
        type=int,
        help="port of the embedded MQTT broker (default 11883; "
        "ARCHIVE_MQTT_EMBEDDED_PORT too)",
    )
    demo.set_defaults(sync=cmd_demo)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(
        run=cmd_migrate
    )
