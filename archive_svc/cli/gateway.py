"""``gateway``: one scanner station (serial -> outbox -> MQTT), wired by ``station``."""

from __future__ import annotations

import argparse
import dataclasses

from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings


def cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    from archive_svc import station
    from devices.scanner import SilentProfile

    mqtt = settings.mqtt
    if args.password_file:
        mqtt = dataclasses.replace(mqtt, password="", password_file=args.password_file)
    password = mqtt.read_password()
    credentials = (args.username or args.device_id, password) if password else None
    try:
        gateway = station.build_gateway(
            args.port, args.device_id,
            args.broker or settings.mqtt.broker_url or "mqtt://127.0.0.1:1883",
            args.site or settings.site,
            args.outbox or f"{settings.data_dir}/outbox-{args.device_id}.db",
            profile=args.profile, allow_silent=args.allow_silent,
            console=not args.no_console,
            resend_after=args.resend_after, protocol=settings.mqtt.protocol,
            credentials=credentials, tls=settings.mqtt,
        )  # fmt: skip
    except SilentProfile as exc:
        console.print(f"[red]gateway not started: {exc}[/red]")
        return 2
    return station.run_gateway(gateway)


def register(sub: Subcommands) -> None:
    gw = sub.add_parser(
        "gateway", help="scanner station: serial -> outbox -> MQTT",
        allow_abbrev=False,  # so "--password" is no prefix of "--password-file"
    )  # fmt: skip
    gw.add_argument("--port", required=True, help="scanner URL or device path")
    gw.add_argument("--device-id", required=True, help="station id [a-z0-9-]+")
    gw.add_argument(
        "--broker", help="mqtt://host:port or mqtts://host:port (default: settings)"
    )
    gw.add_argument(
        "--username", help="MQTT username (default: the station id, as registered)"
    )
    gw.add_argument(
        "--password-file",
        help="file holding the station's MQTT password (else [mqtt] password_file "
        "or ARCHIVE_MQTT_PASSWORD; never the password itself on the command line)",
    )
    gw.add_argument("--site", help="site id (default: from settings)")
    gw.add_argument("--outbox", help="outbox SQLite file")
    gw.add_argument(
        "--profile", default="generic-cr",
        help="scanner model profile; one without good/bad-read beeps is refused",
    )  # fmt: skip
    gw.add_argument(
        "--allow-silent", action="store_true",
        help="run a profile that cannot beep (the scanner signals by itself)",
    )  # fmt: skip
    gw.add_argument("--no-console", action="store_true", help="no live console")
    gw.add_argument("--resend-after", type=float, default=5.0, help="seconds")
    gw.set_defaults(sync=cmd_gateway)
