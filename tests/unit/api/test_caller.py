"""The one typed caller: a person, an API token or a scanner station."""

from archive_svc.api.auth import Caller, CallerKind
from archive_svc.domain import commands
from archive_svc.domain.model import Principal
from archive_svc.services.ports.people import ApiTokenRecord
from archive_svc.services.registry import TokenHolder

AGENT = Principal("agent.x", "Agent X", frozenset({"secretary", "archive_agent"}))


def _token(role: str, person: str | None = None) -> ApiTokenRecord:
    return ApiTokenRecord("t1", f"{role or person}-token", role, "hash", False, person)


def test_a_gateway_token_calls_as_a_station_that_submits_for_nobody_it_names():
    caller = Caller.token_holder(TokenHolder(_token("gateway")))
    assert (caller.id, caller.roles, caller.kind) == (
        "gateway-token",
        frozenset({"gateway"}),
        CallerKind.STATION,
    )
    assert caller.submitter == commands.Submitter(
        commands.SubmitterKind.STATION, "gateway-token", frozenset({"gateway"}), None
    )


def test_an_integration_token_calls_under_its_name_and_speaks_for_no_person():
    caller = Caller.token_holder(TokenHolder(_token("integration")))
    assert (caller.id, caller.display_name, caller.kind) == (
        "integration-token",
        "integration-token",
        CallerKind.TOKEN,
    )
    assert caller.submitter.person is None


def test_a_personal_token_calls_as_its_person_and_submits_under_its_name():
    caller = Caller.token_holder(TokenHolder(_token("", "agent.x"), AGENT))
    assert (caller.id, caller.roles, caller.kind) == (
        "agent.x",
        AGENT.roles,
        CallerKind.TOKEN,
    )
    assert caller.submitter == commands.Submitter(
        commands.SubmitterKind.TOKEN, "agent.x-token", AGENT.roles, "agent.x"
    )


def test_a_person_calls_with_their_roles_listed_as_the_journal_writes_them():
    caller = Caller.person_session(AGENT)
    assert (caller.id, caller.display_name, caller.kind) == (
        "agent.x",
        "Agent X",
        CallerKind.PERSON,
    )
    assert caller.role_list == "archive_agent,secretary"
    assert caller.submitter.person == "agent.x"
