"""Route-level rules (pure): default deny, roles of access-rules.md §2."""

from __future__ import annotations

import pytest

from archive_svc.access import principals, rules
from archive_svc.access.rules import Action


def test_a_route_without_an_action_is_denied_to_everyone():
    decision = rules.decide_route({"administrator"}, None)
    assert (decision.allowed, decision.rule, decision.reason) == (False, "Z", "no_rule")


def test_nobody_signed_in_is_denied_as_unauthenticated():
    decision = rules.decide_route(frozenset(), Action.USE_CONSOLE)
    assert (decision.allowed, decision.reason) == (False, "unauthenticated")


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("archive_agent", Action.USE_CONSOLE, True),
        ("archive_manager", Action.READ_ACCESS_JOURNAL, True),
        ("dpo_auditor", Action.READ_ACCESS_JOURNAL, True),
        ("dpo_auditor", Action.USE_CONSOLE, False),
        ("archive_agent", Action.READ_ACCESS_JOURNAL, False),
        ("administrator", Action.MANAGE_USERS, True),
        ("archive_manager", Action.MANAGE_USERS, False),
        ("gateway", Action.USE_HOME, False),
        ("researcher", Action.USE_HOME, True),
    ],
)
def test_roles_get_their_row(role, action, allowed):
    assert rules.decide_route({role}, action).allowed is allowed


def test_people_hold_person_roles_only_and_known_divisions():
    assert principals.parse_roles("archive_agent, dpo_auditor") == {
        "archive_agent",
        "dpo_auditor",
    }
    for bad in ("gateway", "public", "wizard", ""):
        with pytest.raises(ValueError):
            principals.parse_roles(bad)
    assert principals.parse_division("americas_maghreb") == "americas_maghreb"
    with pytest.raises(ValueError):
        principals.parse_division("antarctica")
