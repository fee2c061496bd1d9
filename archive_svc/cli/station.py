"""``station register|disable|list|mosquitto-config``: scanner stations' MQTT access."""

from __future__ import annotations

import argparse
from pathlib import Path

from archive_svc import bootstrap, ingest, station
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings
from archive_svc.services import stations
from devices.mqtt import access


async def cmd_station_register(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    password = await station.register_station(
        args.id, args.site or settings.site, runtime.stations(), runtime.clock,
        settings.mqtt.username,
    )  # fmt: skip
    console.print(
        f"station {args.id} registered; its MQTT username is {args.id} and its "
        "password, shown once, follows on standard output. Regenerate the broker "
        "files (station mosquitto-config) and reload the broker."
    )
    print(password)
    return 0


async def cmd_station_disable(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await stations.disable(args.id, runtime.stations(), runtime.clock)
    console.print(
        f"station {args.id} disabled: the service refuses its reads from now on; "
        "regenerate the broker files and reload the broker to shut it out there too"
    )
    return 0


async def cmd_station_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    for s in await runtime.stations().all():
        state = "active" if s.active else f"disabled {s.disabled_at:%Y-%m-%d %H:%M}"
        print(
            f"{s.device_id}\t{s.site}\t{state}\tregistered {s.registered_at:%Y-%m-%d}"
        )
    return 0


async def cmd_station_mosquitto_config(
    args: argparse.Namespace, settings: Settings
) -> int:
    runtime = bootstrap.build_runtime(settings)
    secret = station.service_password(settings.mqtt, create=True)
    broker = await ingest.broker_access(
        runtime.stations(), settings.site, settings.mqtt.username,
        access.hash_password(secret),
    )  # fmt: skip
    for path in ingest.write_mosquitto_files(broker, Path(args.output)):
        console.print(f"wrote {path}")
    console.print(
        f"{len(broker.users) - 1} active station(s) and the service account "
        f"{settings.mqtt.username!r}; reload Mosquitto (SIGHUP) to apply"
    )
    return 0


def register(sub: Subcommands) -> None:
    group = sub.add_parser("station", help="scanner stations and their MQTT access")
    actions = group.add_subparsers(dest="action", required=True)
    reg = actions.add_parser(
        "register",
        help="register a station (or give it a new password): prints it once",
    )
    reg.add_argument("id", help="station id [a-z0-9-]+ (its MQTT username)")
    reg.add_argument("--site", help="site id (default: from settings)")
    reg.set_defaults(run=cmd_station_register)
    dis = actions.add_parser("disable", help="refuse a station's reads from now on")
    dis.add_argument("id")
    dis.set_defaults(run=cmd_station_disable)
    actions.add_parser("list", help="registered stations").set_defaults(
        run=cmd_station_list
    )
    conf = actions.add_parser(
        "mosquitto-config",
        help="write Mosquitto's password file and ACL for the service and the stations",
    )
    conf.add_argument("-o", "--output", required=True, help="directory to write to")
    conf.set_defaults(run=cmd_station_mosquitto_config)
