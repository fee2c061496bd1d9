"""Coarse, role-level permissions of the JSON API (default deny).

Item-level decisions (``decide(principal, purpose, item, now)``) come with the
loan-request flow; this table only says which roles may call which operation.
"""

from __future__ import annotations

import enum

from archive_svc.access.principals import Role


class Action(enum.StrEnum):
    RECORD_MOVEMENTS = "record_movements"
    READ_CUSTODY = "read_custody"
    REGISTER_ITEMS = "register_items"
    REGISTER_LOCATIONS = "register_locations"


_ARCHIVE_STAFF = frozenset({Role.ARCHIVE_AGENT, Role.ARCHIVE_MANAGER})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.RECORD_MOVEMENTS: _ARCHIVE_STAFF | {Role.GATEWAY},
    Action.READ_CUSTODY: _ARCHIVE_STAFF | {Role.HISTORY_MISSION_STAFF},
    Action.REGISTER_ITEMS: _ARCHIVE_STAFF | {Role.DIGITISATION_SECRETARY},
    Action.REGISTER_LOCATIONS: frozenset({Role.ARCHIVE_MANAGER, Role.ADMINISTRATOR}),
}


def may(roles: frozenset[str] | set[str], action: Action) -> bool:
    """True when one of ``roles`` is allowed ``action``; unknown actions are denied."""
    allowed = PERMISSIONS.get(action, frozenset())
    return any(role in allowed for role in roles)
