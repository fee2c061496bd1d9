"""Typed settings, read once: defaults < TOML file < ``ARCHIVE_<SECTION>_<KEY>`` variables.

Only this module reads the environment. Everything else receives a frozen
:class:`Settings` value (or plain parameters taken from it).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A configuration key is unknown or has the wrong type; the message names it."""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///var/archive.db"
    """``sqlite:///relative/or//absolute.db`` or ``postgresql://user@host:port/db``."""
    busy_timeout_s: float = 30.0
    pool_min: int = 2
    pool_max: int = 10


@dataclass(frozen=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    secret: str = ""
    """Signing secret for sessions; generated into the data dir when empty."""
    cookie_secure: bool = False
    """Send cookies with ``Secure`` (set it behind an HTTPS reverse proxy)."""
    hsts_max_age: int = 0
    """``Strict-Transport-Security`` max-age in seconds (e.g. 31536000 behind TLS);
    0, the default, sends no HSTS header."""
    trusted_proxies: str = ""
    """Comma-separated addresses or networks of the reverse proxies whose
    ``X-Forwarded-For``/``X-Forwarded-Proto`` are believed; empty (the default)
    trusts none, so the client address is always the connection's peer."""

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies, each checked to be an address or a network."""
        proxies = [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    f"setting [http] trusted_proxies: {proxy!r} is not an address"
                    " or a network (such as 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return proxies


@dataclass(frozen=True)
class MqttSettings:
    broker: str = "embedded"
    """``embedded`` (loopback broker inside serve), ``external`` or ``off``."""
    url: str = ""
    """Broker URL for ``external`` (``mqtt://host:port``; default 127.0.0.1:1883)."""
    protocol: int = 311
    embedded_port: int = 11883
    """Port of the embedded broker (never 1883, so it cannot clash with Mosquitto)."""
    gap_wait_s: float = 30.0
    """How long a read after a device sequence gap waits for the missing reads."""
    max_scan_age_days: int = 30
    """Oldest accepted read: ``scanned_at`` this many days before reception is
    refused (``scan_too_old``) and the station told."""
    share_group: str = ""
    """Shared-subscription group (``$share/{group}/...``) when several ``serve``
    instances split the scans; empty for one instance (the embedded broker has none)."""
    username: str = "archive-svc"
    """The service's MQTT account (the one that may read every station's topics);
    a station may not be registered under this name."""
    password_file: str = ""
    """File holding the MQTT password (service, or a gateway's own), mode 600;
    ``station mosquitto-config`` creates the service's when missing."""
    password: str = ""
    """The MQTT password itself, for ``ARCHIVE_MQTT_PASSWORD`` (never a command-line
    argument: ``ps`` shows those); ``password_file`` is preferred."""
    ca_file: str = ""
    """CA bundle (PEM) checking the broker's certificate with ``mqtts://`` URLs;
    empty for the system's trusted CAs."""
    cert_file: str = ""
    """Client certificate (PEM), for brokers that require one; empty for none."""
    key_file: str = ""
    """The client certificate's private key (PEM)."""

    def read_password(self) -> str | None:
        """``password``, else the first line of ``password_file``, else None.

        Raises:
            SettingsError: ``password_file`` cannot be read.
        """
        if self.password:
            return self.password
        if not self.password_file:
            return None
        try:
            text = Path(self.password_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"setting [mqtt] password_file: {exc}") from exc
        return text.strip().splitlines()[0] if text.strip() else None

    @property
    def broker_url(self) -> str | None:
        """Where the service connects, or None when MQTT ingest is off."""
        if self.broker not in ("embedded", "external", "off"):
            raise SettingsError(
                f"setting [mqtt] broker: embedded, external or off, not {self.broker!r}"
            )
        if self.broker == "off":
            return None
        if self.broker == "embedded":
            return f"mqtt://127.0.0.1:{self.embedded_port}"
        return self.url or "mqtt://127.0.0.1:1883"


@dataclass(frozen=True)
class LedgerSettings:
    max_batch: int = 500
    """Largest movement batch the API accepts."""
    future_tolerance_s: int = 300
    """How far a device clock may run ahead before ``scanned_at`` is refused."""


@dataclass(frozen=True)
class AuditSettings:
    key_file: str = ""
    """Ed25519 checkpoint key (PEM, mode 600), outside the database; default
    ``<data_dir>/audit/checkpoint.key``. Created by ``archive-svc audit keygen``."""
    retired_keys_file: str = ""
    """Public keys retired by ``audit keygen --rotate``; default ``<key_file>.retired``."""
    checkpoint_interval_s: float = 3600.0
    """How often ``serve`` signs the ledger and journal heads."""
    seal_interval_s: float = 1.0
    """How often ``serve`` chains the access-journal rows written since."""
    journal_retention_days: int = 365
    """Access-journal rows older than this are purged (CNIL: 6 to 12 months)."""
    purge_interval_s: float = 86400.0

    def key_path(self, data_dir: str) -> Path:
        return Path(self.key_file or f"{data_dir}/audit/checkpoint.key")

    def retired_path(self, data_dir: str) -> Path:
        if self.retired_keys_file:
            return Path(self.retired_keys_file)
        key = self.key_path(data_dir)
        return key.with_name(key.name + ".retired")


@dataclass(frozen=True)
class Settings:
    site: str = "main"
    instance: str = "svc1"
    data_dir: str = "var"
    ui_locale: str = "fr"
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    mqtt: MqttSettings = field(default_factory=MqttSettings)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)

    @property
    def is_postgres(self) -> bool:
        return self.database.url.startswith(("postgres://", "postgresql://"))


def _coerce(key: str, raw: Any, target: type[Any]) -> Any:
    try:
        if target is bool:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in {"1", "true", "yes", "on"}:
                return True
            if str(raw).lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if target in (int, float) and isinstance(raw, bool):
            raise ValueError(raw)
        return target(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(
            f"setting {key}: expected {target.__name__}, got {raw!r}"
        ) from exc


_TYPES: dict[str, type[Any]] = {"str": str, "int": int, "float": float, "bool": bool}


def _section_values(
    cls: type[Any], name: str, toml: dict[str, Any], env: dict[str, str]
) -> dict[str, Any]:
    known = {f.name: _TYPES[str(f.type)] for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in toml.items():
        if key not in known:
            raise SettingsError(f"unknown setting [{name}] {key}")
        values[key] = _coerce(f"[{name}] {key}", raw, known[key])
    prefix = f"ARCHIVE_{name.upper()}_"
    for var, raw in env.items():
        if var.startswith(prefix):
            key = var[len(prefix) :].lower()
            if key not in known:
                raise SettingsError(f"unknown setting {var}")
            values[key] = _coerce(var, raw, known[key])
    return values


_NESTED: dict[str, type[Any]] = {
    "database": DatabaseSettings,
    "http": HttpSettings,
    "mqtt": MqttSettings,
    "ledger": LedgerSettings,
    "audit": AuditSettings,
}
_TOP = {"site": str, "instance": str, "data_dir": str, "ui_locale": str}


def load_settings(
    env: dict[str, str] | None = None, config_file: str | Path | None = None
) -> Settings:
    """Build settings from defaults, an optional TOML file and ``ARCHIVE_*`` variables.

    Raises:
        SettingsError: naming the first unknown key or badly typed value.
    """
    env = dict(os.environ if env is None else env)
    path = config_file or env.get("ARCHIVE_CONFIG")
    toml: dict[str, Any] = {}
    if path:
        try:
            toml = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read config file {path}: {exc}") from exc
    env = {
        k: v
        for k, v in env.items()
        if k.startswith("ARCHIVE_") and k != "ARCHIVE_CONFIG"
    }
    top: dict[str, Any] = {}
    for key, raw in toml.items():
        if key in _NESTED:
            continue
        if key not in _TOP:
            raise SettingsError(f"unknown setting {key}")
        top[key] = _coerce(key, raw, _TOP[key])
    nested_env = {k for k in env if k.split("_")[1].lower() in _NESTED}
    for var in set(env) - nested_env:
        key = var[len("ARCHIVE_") :].lower()
        if key not in _TOP:
            raise SettingsError(f"unknown setting {var}")
        top[key] = _coerce(var, env[var], _TOP[key])
    sections = {
        name: cls(**_section_values(cls, name, toml.get(name, {}), env))
        for name, cls in _NESTED.items()
    }
    return Settings(**top, **sections)
