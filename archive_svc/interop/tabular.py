"""CSV rows <-> registration commands (inventory import and export). Stdlib only."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from archive_svc.domain import commands

EXPORT_COLUMNS = ("barcode", "kind", "number", "location")
REQUIRED_COLUMNS = frozenset({"kind", "number"})
ITEM_KINDS = frozenset({"box", "file", "envelope"})
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>]")
"""Control characters (line breaks inside a field included) and markup: they have
no place in a number, a code or a division, and would reach labels and pages."""


@dataclass(frozen=True)
class ImportRow:
    line: int
    item: commands.RegisterItem
    location: str
    container: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class HeaderError(ValueError):
    """The file has no usable header row; the message names what is missing."""


def parse_inventory(text: Iterable[str]) -> Iterator[ImportRow | RowError | None]:
    """Parse an inventory CSV; yields a row, an error (with its line) or None (skipped).

    ``text`` is read as the csv module wants it: a file opened with ``newline=""``
    (``str.splitlines`` would also split on form feeds and other separators).
    """
    reader = csv.DictReader(text)
    header = set(reader.fieldnames or ())
    missing = REQUIRED_COLUMNS - header
    if missing:
        raise HeaderError(f"header row lacks column(s): {', '.join(sorted(missing))}")
    for record in reader:
        yield _row(reader.line_num, record)


def _row(line: int, record: dict[str, str | None]) -> ImportRow | RowError | None:
    if None in record:
        return RowError(line, "more fields than header columns")
    for column, value in record.items():
        if column and value and _FORBIDDEN.search(value):
            return RowError(
                line,
                f"{column}: control characters and markup (< >) are not accepted",
            )
    get = {k: (v or "").strip() for k, v in record.items() if k}
    kind = get.get("kind", "")
    if kind == "location":
        return None
    if kind not in ITEM_KINDS:
        return RowError(
            line, f"kind {kind!r} is not one of box, file, envelope, location"
        )
    if not get.get("number"):
        return RowError(line, "number is empty")
    width = get.get("width_mm", "")
    if width and not width.isdigit():
        return RowError(
            line, f"width_mm {width!r} is not a whole number of millimetres"
        )
    item = commands.RegisterItem(
        kind=kind,
        number=get["number"],
        division=get.get("division", ""),
        width_mm=int(width) if width else None,
        barcode=get.get("barcode") or None,
    )
    return ImportRow(line, item, get.get("location", ""), get.get("container", ""))


def write_inventory(rows: Iterable[tuple[str, str, str, str]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
