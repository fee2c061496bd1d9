"""Build and parse MQTT topic names (pure). The only place topics are spelt.

Scheme (architecture.md section 4), every id matching ``[a-z0-9-]+``::

    archive/{site}/scanners/{device_id}/scans | feedback | status | resend | missing
    archive/{site}/sensors/{sensor_id}/reading | status
    archive/{site}/services/{instance}/status
    archive/{site}/alerts/{sensor_id}/{rule}

Alert rule names also accept ``_`` (``sensor_stale``); everything else is strict.

Shared subscriptions (MQTT 5, also accepted by Mosquitto on 3.1.1):
``$share/{group}/{filter}`` spreads the messages matching ``filter`` over the clients
of ``group``. :func:`matches` sees through that prefix, since messages arrive on their
own topic name, never on the ``$share/...`` filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ROOT = "archive"
SHARE = "$share"
_ID = re.compile(r"[a-z0-9-]+")
_RULE = re.compile(r"[a-z0-9_-]+")

ScannerKind = Literal["scans", "feedback", "status", "resend", "missing"]
SensorKind = Literal["reading", "status"]
_SCANNER_KINDS: tuple[ScannerKind, ...] = (
    "scans", "feedback", "status", "resend", "missing",
)  # fmt: skip
_SENSOR_KINDS: tuple[SensorKind, ...] = ("reading", "status")


class TopicError(ValueError):
    """A topic or id that does not follow the scheme."""


@dataclass(frozen=True)
class ScannerTopic:
    site: str
    device_id: str
    kind: ScannerKind


@dataclass(frozen=True)
class SensorTopic:
    site: str
    sensor_id: str
    kind: SensorKind


@dataclass(frozen=True)
class ServiceTopic:
    site: str
    instance: str


@dataclass(frozen=True)
class AlertTopic:
    site: str
    sensor_id: str
    rule: str


Topic = ScannerTopic | SensorTopic | ServiceTopic | AlertTopic


def _id(value: str, what: str, pattern: re.Pattern[str] = _ID) -> str:
    if not pattern.fullmatch(value):
        raise TopicError(f"{what} must match {pattern.pattern}: {value!r}")
    return value


def _join(site: str, *parts: str) -> str:
    return "/".join((ROOT, _id(site, "site"), *parts))


def scan(site: str, device_id: str) -> str:
    """``archive/{site}/scanners/{device_id}/scans`` (gateway -> service)."""
    return _join(site, "scanners", _id(device_id, "device_id"), "scans")


def feedback(site: str, device_id: str) -> str:
    """``archive/{site}/scanners/{device_id}/feedback`` (service -> gateway)."""
    return _join(site, "scanners", _id(device_id, "device_id"), "feedback")


def resend(site: str, device_id: str) -> str:
    """``archive/{site}/scanners/{device_id}/resend`` (service -> gateway: reads to
    publish again after a sequence gap)."""
    return _join(site, "scanners", _id(device_id, "device_id"), "resend")


def missing(site: str, device_id: str) -> str:
    """``archive/{site}/scanners/{device_id}/missing`` (gateway -> service: reads
    asked again that the station does not have)."""
    return _join(site, "scanners", _id(device_id, "device_id"), "missing")


def scanner_status(site: str, device_id: str) -> str:
    """``archive/{site}/scanners/{device_id}/status`` (retained online/offline)."""
    return _join(site, "scanners", _id(device_id, "device_id"), "status")


def sensor_reading(site: str, sensor_id: str) -> str:
    """``archive/{site}/sensors/{sensor_id}/reading``."""
    return _join(site, "sensors", _id(sensor_id, "sensor_id"), "reading")


def sensor_status(site: str, sensor_id: str) -> str:
    """``archive/{site}/sensors/{sensor_id}/status``."""
    return _join(site, "sensors", _id(sensor_id, "sensor_id"), "status")


def service_status(site: str, instance: str) -> str:
    """``archive/{site}/services/{instance}/status``."""
    return _join(site, "services", _id(instance, "instance"), "status")


def alert(site: str, sensor_id: str, rule: str) -> str:
    """``archive/{site}/alerts/{sensor_id}/{rule}`` (retained current state)."""
    return _join(site, "alerts", _id(sensor_id, "sensor_id"), _id(rule, "rule", _RULE))


def all_scans(site: str) -> str:
    """Subscription filter for every scanner's scans on a site."""
    return _join(site, "scanners", "+", "scans")


def all_missing(site: str) -> str:
    """Subscription filter for every scanner's missing-reads answers on a site."""
    return _join(site, "scanners", "+", "missing")


def all_sensor_readings(site: str) -> str:
    """Subscription filter for every sensor's readings on a site."""
    return _join(site, "sensors", "+", "reading")


def shared(group: str, topic_filter: str) -> str:
    """``$share/{group}/{topic_filter}``: one subscriber of ``group`` gets each message."""
    return f"{SHARE}/{_id(group, 'share group')}/{topic_filter}"


def unshared(topic_filter: str) -> str:
    """The filter without a ``$share/{group}/`` prefix (unchanged if it has none)."""
    if not topic_filter.startswith(SHARE + "/"):
        return topic_filter
    parts = topic_filter.split("/", 2)
    if len(parts) < 3 or not parts[1] or not parts[2]:
        raise TopicError(f"bad shared subscription: {topic_filter!r}")
    return parts[2]


def matches(topic_filter: str, topic: str) -> bool:
    """Whether a concrete ``topic`` matches ``topic_filter`` (``+``, ``#``, ``$share``).

    Topics starting with ``$`` match no filter starting with a wildcard (MQTT rule).
    """
    want = unshared(topic_filter).split("/")
    have = topic.split("/")
    if topic.startswith("$") and want[0] in ("+", "#"):
        return False
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or (level != "+" and level != have[i]):
            return False
    return len(want) == len(have)


def parse(topic: str) -> Topic:
    """Parse a concrete topic name (no wildcards).

    Raises:
        TopicError: not one of the topics of the scheme.
    """
    parts = topic.split("/")
    if len(parts) < 4 or parts[0] != ROOT:
        raise TopicError(f"not an {ROOT}/ topic: {topic!r}")
    site = _id(parts[1], "site")
    family, rest = parts[2], parts[3:]
    if family == "scanners" and len(rest) == 2 and rest[1] in _SCANNER_KINDS:
        return ScannerTopic(site, _id(rest[0], "device_id"), _scanner_kind(rest[1]))
    if family == "sensors" and len(rest) == 2 and rest[1] in _SENSOR_KINDS:
        kind: SensorKind = "reading" if rest[1] == "reading" else "status"
        return SensorTopic(site, _id(rest[0], "sensor_id"), kind)
    if family == "services" and rest[1:] == ["status"]:
        return ServiceTopic(site, _id(rest[0], "instance"))
    if family == "alerts" and len(rest) == 2:
        return AlertTopic(site, _id(rest[0], "sensor_id"), _id(rest[1], "rule", _RULE))
    raise TopicError(f"unknown topic: {topic!r}")


def _scanner_kind(value: str) -> ScannerKind:
    for kind in _SCANNER_KINDS:
        if kind == value:
            return kind
    raise TopicError(f"unknown scanner topic kind {value!r}")  # pragma: no cover
