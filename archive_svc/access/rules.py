"""Coarse, role-level permissions of the JSON API (default deny).

Item-level decisions (``decide(principal, purpose, item, now)``) come with the
loan-request flow; this table only says which roles may call which operation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from archive_svc.access.principals import Role


class Action(enum.StrEnum):
    RECORD_MOVEMENTS = "record_movements"
    READ_CUSTODY = "read_custody"
    REGISTER_ITEMS = "register_items"
    REGISTER_LOCATIONS = "register_locations"
    USE_HOME = "use_home"
    USE_CONSOLE = "use_console"
    PRINT_LABELS = "print_labels"
    MANAGE_USERS = "manage_users"
    READ_ACCESS_JOURNAL = "read_access_journal"


_ARCHIVE_STAFF = frozenset({Role.ARCHIVE_AGENT, Role.ARCHIVE_MANAGER})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.RECORD_MOVEMENTS: _ARCHIVE_STAFF | {Role.GATEWAY},
    Action.READ_CUSTODY: _ARCHIVE_STAFF
    | {Role.HISTORY_MISSION_STAFF, Role.INTEGRATION},
    Action.REGISTER_ITEMS: _ARCHIVE_STAFF
    | {Role.DIGITISATION_SECRETARY, Role.INTEGRATION},
    Action.REGISTER_LOCATIONS: frozenset({Role.ARCHIVE_MANAGER, Role.ADMINISTRATOR}),
    Action.USE_HOME: frozenset(Role) - {Role.GATEWAY, Role.INTEGRATION, Role.PUBLIC},
    Action.USE_CONSOLE: _ARCHIVE_STAFF,
    Action.PRINT_LABELS: _ARCHIVE_STAFF,
    Action.MANAGE_USERS: frozenset({Role.ADMINISTRATOR}),
    Action.READ_ACCESS_JOURNAL: frozenset({Role.ARCHIVE_MANAGER, Role.DPO_AUDITOR}),
}


def may(roles: frozenset[str] | set[str], action: Action) -> bool:
    """True when one of ``roles`` is allowed ``action``; unknown actions are denied."""
    allowed = PERMISSIONS.get(action, frozenset())
    return any(role in allowed for role in roles)


@dataclass(frozen=True)
class RouteDecision:
    """Outcome of a route-level check, as journaled (``rule`` names what matched)."""

    allowed: bool
    rule: str
    reason: str


def decide_route(roles: frozenset[str] | set[str], action: object) -> RouteDecision:
    """Default deny: a route without a known action, or a role outside its row, is refused."""
    if not isinstance(action, Action):
        return RouteDecision(False, "Z", "no_rule")
    if not roles:
        return RouteDecision(False, f"route:{action.value}", "unauthenticated")
    if may(roles, action):
        return RouteDecision(True, f"route:{action.value}", "role_allowed")
    return RouteDecision(False, f"route:{action.value}", "role_not_allowed")
