"""Piccolo tables. Foreign keys restrict deletes: nothing with history can vanish.

Identifiers are application-made UUID strings; barcodes and file numbers are the
unique business keys. The ledger (``movement``) is append-only: triggers installed
by the migrations reject UPDATE and DELETE on both engines.
"""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    OnUpdate,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


def _fk(references: type[Table] | str, null: bool = False) -> ForeignKey[Table]:
    return ForeignKey(
        references=references,
        null=null,
        on_delete=OnDelete.restrict,
        on_update=OnUpdate.restrict,
        index=True,
    )


class Location(Table, tablename="location"):
    id = Varchar(length=36, primary_key=True)
    barcode = Varchar(length=32, unique=True)
    kind = Varchar(
        length=16, help_text="site|building|storeroom|range|bay|shelf|virtual"
    )
    code = Varchar(length=128, unique=True)
    path = Text(help_text="Human-readable path from the site down, ' > ' separated")
    parent = _fk("self", null=True)
    capacity_mm = Integer(null=True, default=None)
    reserved_mm = Integer(default=0)
    neutralised = Boolean(default=False)
    walk_order = Integer(default=0)
    created_at = Timestamptz()


class Item(Table, tablename="item"):
    id = Varchar(length=36, primary_key=True)
    barcode = Varchar(length=40, unique=True)
    kind = Varchar(length=16, help_text="box|file|envelope")
    number = Varchar(
        length=64, index=True, help_text="box number, file number, seal no."
    )
    division = Varchar(length=32, default="")
    width_mm = Integer(null=True, default=None)
    home_location = _fk(Location, null=True)
    home_container = _fk("self", null=True)
    created_at = Timestamptz()


class Principal(Table, tablename="principal"):
    id = Varchar(length=64, primary_key=True)
    display_name = Varchar(length=200)
    roles = Varchar(length=400, help_text="comma-separated snake_case role names")
    division = Varchar(length=32, default="")
    unit = Varchar(length=64, default="")
    badge_barcode = Varchar(length=32, null=True, default=None, unique=True)
    active = Boolean(default=True)
    internal = Boolean(
        default=False, help_text="the service itself (system): never signs in"
    )
    created_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    id = Varchar(length=36, primary_key=True)
    name = Varchar(length=100, unique=True)
    role = Varchar(length=64)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the token")
    created_at = Timestamptz()
    revoked = Boolean(default=False)
    person = Varchar(
        length=64,
        null=True,
        default=None,
        help_text="The person a personal token signs in as (its role is then empty)",
    )
    expires_at = Timestamptz(
        null=True, default=None, help_text="None: created before expiry dates existed"
    )


class Movement(Table, tablename="movement"):
    event_id = Varchar(length=36, primary_key=True)
    seq = BigInt(unique=True)
    kind = Varchar(length=40)
    item = _fk(Item)
    from_ref = Varchar(length=120, null=True, default=None)
    to_ref = Varchar(length=120, null=True, default=None)
    actor_ref = Varchar(length=64, null=True, default=None)
    device_id = Varchar(length=64, null=True, default=None)
    device_seq = BigInt(null=True, default=None)
    scanned_at = Timestamptz(null=True, default=None)
    recorded_at = Timestamptz()
    effective_at = Timestamptz()
    time_source = Varchar(length=16)
    entry_mode = Varchar(length=16)
    request_id = Varchar(length=64, null=True, default=None)
    task_ref = Varchar(length=64, null=True, default=None)
    reason = Text(default="")
    payload = Text(default="{}")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    submitter_kind = Varchar(length=16, null=True, default=None)
    submitter_ref = Varchar(length=100, null=True, default=None)
    hash_format = Integer(
        default=1, help_text="canonical form of the hash (domain.chain)"
    )


class ChainHead(Table, tablename="chain_head"):
    id = Integer(primary_key=True)
    seq = BigInt(default=0)
    hash = Varchar(length=64)


class Position(Table, tablename="position"):
    item_id = Varchar(length=36, primary_key=True)
    state = Varchar(length=24)
    custodian_kind = Varchar(length=16)
    custodian_id = Varchar(length=64, index=True)
    custodian_label = Varchar(length=200, default="")
    since = Timestamptz()
    last_seq = BigInt()
    event_id = Varchar(length=36)
    destination = Varchar(length=120, default="")
    last_verified_at = Timestamptz(null=True, default=None)


class MovementInbox(Table, tablename="movement_inbox"):
    """First outcome of every submitted movement id (the idempotency key)."""

    event_id = Varchar(length=36, primary_key=True)
    digest = Varchar(length=64)
    outcome = Varchar(length=16, help_text="recorded|rejected")
    code = Varchar(length=64, default="")
    message = Text(default="")
    seq = BigInt(null=True, default=None)
    source = Varchar(length=16, default="api")
    submitted_by = Varchar(length=100, default="")
    received_at = Timestamptz()


class RejectionJournal(Table, tablename="rejection_journal"):
    """Append-only journal of every refused movement, scan or row, with its reason."""

    id = Serial(primary_key=True)
    event_id = Varchar(length=64, null=True, default=None)
    source = Varchar(length=16, default="api")
    code = Varchar(length=64)
    message = Text()
    body = Text(default="")
    submitted_by = Varchar(length=100, default="")
    received_at = Timestamptz()


class SerialCounter(Table, tablename="serial_counter"):
    """Next free serial per barcode prefix (labels are never reused)."""

    prefix = Varchar(length=4, primary_key=True)
    next_value = BigInt(default=1)


class ScanInbox(Table, tablename="scan_inbox"):
    """One outcome per scanner read, keyed by the gateway's ``scan_id``."""

    scan_id = Varchar(length=64, primary_key=True)
    device_id = Varchar(length=64)
    device_seq = BigInt()
    code = Varchar(length=128)
    aim = Varchar(length=8, null=True, default=None)
    source = Varchar(length=16, default="scan")
    scanned_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz()
    outcome = Varchar(length=16, help_text="accepted|rejected")
    reason_code = Varchar(length=64, default="")
    message = Text(default="")
    movement_event_id = Varchar(length=36, null=True, default=None)
    flags = Varchar(length=200, default="", help_text="e.g. gap:3, late")


class DeviceSession(Table, tablename="device_session"):
    """Scanning state of each station (``domain.stations.DeviceSession`` as JSON)."""

    device_id = Varchar(length=64, primary_key=True)
    state = Text()
    last_seq = BigInt(default=0)
    updated_at = Timestamptz()


class Station(Table, tablename="station"):
    """A registered scanner station and the hash of its MQTT password (``$7$``)."""

    device_id = Varchar(length=64, primary_key=True)
    site = Varchar(length=64)
    password_hash = Text(help_text="Mosquitto $7$ PBKDF2-SHA512 hash")
    active = Boolean(default=True)
    registered_at = Timestamptz()
    disabled_at = Timestamptz(null=True, default=None)


TABLES: tuple[type[Table], ...] = (
    Location,
    Item,
    Principal,
    ApiToken,
    Movement,
    ChainHead,
    Position,
    MovementInbox,
    RejectionJournal,
    SerialCounter,
    ScanInbox,
    DeviceSession,
    Station,
)
