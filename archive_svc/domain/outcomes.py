"""How a submitted input was answered: one vocabulary for scans and movements.

The values are wire values (API responses, the scan inbox, station feedback):
never rename one.
"""

from __future__ import annotations

import enum


class Outcome(enum.StrEnum):
    RECORDED = "recorded"
    """A submitted movement entered the ledger."""
    ACCEPTED = "accepted"
    """A scanner read was taken (it may have recorded a movement)."""
    DUPLICATE = "duplicate"
    """Seen before with the same content: answered as the first time."""
    REJECTED = "rejected"
    """Refused, with a code saying why (journaled)."""
    CONFLICT = "conflict"
    """Contradicts what the service holds; stations know this answer."""
    DEFERRED = "deferred"
    """Held back after a sequence gap: no answer yet, the gateway resends it."""
