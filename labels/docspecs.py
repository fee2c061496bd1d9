"""Document specifications: plain data for out-cards, pick lists, delivery receipts.

They carry file numbers, never applicants' names.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Priority = Literal["urgent", "normal"]


@dataclass(frozen=True, slots=True)
class OutCard:
    """An out-card (*fantôme*) left in the slot of an item that is out.

    Attributes:
        barcode: the out-card's own ``FT…`` code.
        item_barcode: the item that left (``BX…``, ``DS…``, ``PL…``).
        file_number: office file number.
        destination: where it went (requester unit, digitisation, …).
        taken_by: who took it (agent or requester display name).
        taken_at: when it left.
        request_ref: request reference.
        due_on: expected return date, if any.
    """

    barcode: str
    item_barcode: str
    file_number: str
    destination: str
    taken_by: str
    taken_at: datetime
    request_ref: str
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class PickLine:
    """One item to fetch; lines are printed in the order given (walk path)."""

    shelf_code: str
    item_barcode: str
    file_number: str
    requester_unit: str
    priority: Priority = "normal"


@dataclass(frozen=True, slots=True)
class PickList:
    """The pick list of one storeroom for one run, lines already in walk order."""

    storeroom: str
    run_ref: str
    lines: tuple[PickLine, ...]


@dataclass(frozen=True, slots=True)
class DeliveryLine:
    """One item handed over."""

    item_barcode: str
    file_number: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """Items handed over to a requester, signed by both sides."""

    request_ref: str
    destination: str
    handed_over_by: str
    received_by: str
    delivered_at: datetime
    lines: tuple[DeliveryLine, ...]
