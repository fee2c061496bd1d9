"""The one typed caller: a person, an API token or a scanner station."""

from archive_svc.api.auth import Caller, CallerKind
from archive_svc.domain.model import Principal
from archive_svc.services.ports.people import ApiTokenRecord


def _token(role: str) -> ApiTokenRecord:
    return ApiTokenRecord("t1", f"{role}-token", role, "hash", revoked=False)


def test_a_gateway_token_calls_as_a_station():
    caller = Caller.token(_token("gateway"))
    assert (caller.id, caller.roles, caller.kind) == (
        "gateway-token",
        frozenset({"gateway"}),
        CallerKind.STATION,
    )


def test_any_other_token_calls_as_a_token_under_its_name():
    caller = Caller.token(_token("archive_agent"))
    assert (caller.id, caller.display_name, caller.kind) == (
        "archive_agent-token",
        "archive_agent-token",
        CallerKind.TOKEN,
    )


def test_a_person_calls_with_their_roles_listed_as_the_journal_writes_them():
    person = Principal("agent.x", "Agent X", frozenset({"secretary", "archive_agent"}))
    caller = Caller.person(person)
    assert (caller.id, caller.display_name, caller.kind) == (
        "agent.x",
        "Agent X",
        CallerKind.PERSON,
    )
    assert caller.role_list == "archive_agent,secretary"
