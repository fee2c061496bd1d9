"""Barcode scheme: ``PREFIX + BODY + CHECK`` with an ISO 7064 MOD 37-2 check character.

Prefixes differ in both letters so that one mistyped prefix letter never yields
another valid kind. Input normalisation strips an AIM symbology identifier
(``]C0``), spaces and hyphens, and upper-cases before validating.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TypeVar

from archive_svc.domain import errors

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_BODY = re.compile(r"^[0-9A-Z]+$")
_T = TypeVar("_T")


class Kind(enum.Enum):
    LOCATION = "LC"
    BOX = "BX"
    FILE = "DS"
    ENVELOPE = "PL"
    OUT_CARD = "FT"
    BADGE = "AG"


def check_character(payload: str) -> str:
    """MOD 37-2 check character of ``payload`` (characters of ``0-9A-Z*``)."""
    p = 0
    for c in payload:
        p = ((p + _VALUE[c]) * 2) % 37
    return ALPHABET[(38 - p) % 37]


def strip_aim(raw: str) -> tuple[str, str | None]:
    """Split a leading AIM symbology identifier (``]C0``) from a read."""
    match = _AIM.match(raw)
    if match:
        return raw[3:], match.group(0)
    return raw, None


def normalise(raw: str) -> str:
    """Canonical form of typed or scanned input, without validating it."""
    code, _ = strip_aim(raw.strip())
    return code.replace(" ", "").replace("-", "").upper()


def lookup_keys(ref: str) -> tuple[str, ...]:
    """How a typed reference is looked up: as written (stripped), else as a
    normalised barcode (a location code or a person id is not a barcode)."""
    stripped, code = ref.strip(), normalise(ref)
    return (stripped,) if code == stripped else (stripped, code)


def find(found: Mapping[str, _T], ref: str) -> _T | None:
    """The entry of ``found`` for ``ref``, by :func:`lookup_keys` in order."""
    for key in lookup_keys(ref):
        if key in found:
            return found[key]
    return None


async def look_up(query: Callable[[str], Awaitable[_T | None]], ref: str) -> _T | None:
    """``query`` by :func:`lookup_keys` in order; the first answer found."""
    for key in lookup_keys(ref):
        answer = await query(key)
        if answer is not None:
            return answer
    return None


def parse(raw: str) -> tuple[Kind, str]:
    """Normalise and validate a barcode; return its kind and canonical form.

    Raises:
        errors.MalformedBarcode: not of the form PREFIX + BODY + CHECK.
        errors.BadCheckCharacter: the check character does not match.
    """
    code = normalise(raw)
    if len(code) < 4 or not _BODY.match(code[:-1]) or code[-1] not in _VALUE:
        raise errors.MalformedBarcode(code or raw)
    try:
        kind = Kind(code[:2])
    except ValueError:
        raise errors.MalformedBarcode(code) from None
    if check_character(code[:-1]) != code[-1]:
        raise errors.BadCheckCharacter(code)
    return kind, code


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except errors.InvalidBarcode:
        return False
    return True


def validation_error(raw: str) -> str | None:
    """Reason a read is not a valid barcode, or None (injected into gateways)."""
    try:
        parse(raw)
    except errors.InvalidBarcode as exc:
        return exc.code
    return None


def make(kind: Kind, serial: int) -> str:
    """Barcode for a serial of a numbered kind (8-digit body)."""
    payload = f"{kind.value}{serial:08d}"
    return payload + check_character(payload)


def keyable_serials(kind: Kind, start: int = 1) -> Iterator[tuple[int, str]]:
    """Serials from ``start`` whose check character is not ``*`` (keyable labels)."""
    serial = start
    while True:
        payload = f"{kind.value}{serial:08d}"
        if check_character(payload) != "*":
            yield serial, payload + check_character(payload)
        serial += 1


def file_barcode(file_number: str) -> str:
    """Barcode of a case file from its office file number (separators removed)."""
    body = re.sub(r"[^0-9A-Za-z]", "", file_number).upper()
    if not body:
        raise errors.MalformedBarcode(file_number)
    payload = Kind.FILE.value + body.rjust(8, "0")
    return payload + check_character(payload)


def grouped(code: str) -> str:
    """Human-readable form for typing: ``BX 0001 2345 W``."""
    body = code[2:-1]
    groups = [body[i : i + 4] for i in range(0, len(body), 4)]
    return " ".join([code[:2], *groups, code[-1]])
