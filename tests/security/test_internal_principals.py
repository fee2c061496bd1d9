"""Issue 10, finding 7: an administrator does not become a manager.

Internal principals (``system``) never get a password and never sign in; an
administrator changes neither their own roles nor their own status; every role
granted or withdrawn is journaled with who, whom and which role.
"""

from __future__ import annotations

from archive_svc.services import people
from archive_svc.services.ports.journal import JournalQuery
from archive_svc.services.ports.people import Credential
from tests.integration.web_support import (
    PASSWORD,
    add_people,
    csrf,
    password_hash,
    sign_in,
    web_client,
)

ADMIN = "admin.x"


async def _journal(runtime, principal: str) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    rows, _ = await runtime.queries.journal_entries(
        JournalQuery(principal_ref=principal), 0, 100
    )
    return sorted(
        (r.action, r.object_ref, r.reason, r.role)
        for r in rows
        if r.action in ("grant_role", "withdraw_role")
    )


def _post(client, path: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={**form, "_csrf_token": csrf(client)}, follow_redirects=False
    )


async def test_an_administrator_cannot_give_the_system_principal_a_password(runtime):
    await add_people(runtime, {ADMIN: "administrator"})
    with web_client(runtime) as client:
        assert sign_in(client, ADMIN).status_code == 303
        r = _post(client, "/admin/users/system/password", password=PASSWORD)
        assert r.status_code == 403
        assert sign_in(client, "system").status_code == 401


async def test_the_system_principal_never_signs_in_even_with_a_credential(runtime):
    uow = runtime.uow()
    async with uow:
        await uow.credentials.put(
            Credential("system", password_hash()), runtime.clock.now()
        )
        await uow.commit()
    with web_client(runtime) as client:
        assert sign_in(client, "system").status_code == 401
        assert client.get("/journal/", follow_redirects=False).status_code in (
            302,
            303,
        )


async def test_an_administrator_cannot_grant_roles_to_or_disable_themselves(
    runtime,
):
    await add_people(runtime, {ADMIN: "administrator"})
    with web_client(runtime) as client:
        assert sign_in(client, ADMIN).status_code == 303
        grant = _post(
            client, f"/admin/users/{ADMIN}/roles", roles="administrator,archive_manager"
        )
        assert grant.status_code == 403
        assert _post(client, f"/admin/users/{ADMIN}/disable").status_code == 403
        assert client.get("/journal/", follow_redirects=False).status_code == 403
    (admin,) = (await runtime.queries.principals([ADMIN])).values()
    assert admin.roles == frozenset({"administrator"}) and admin.active
    assert await _journal(runtime, ADMIN) == []


async def test_role_grants_are_journaled_with_who_whom_and_which_roles(runtime):
    await add_people(runtime, {ADMIN: "administrator"})
    with web_client(runtime) as client:
        assert sign_in(client, ADMIN).status_code == 303
        created = _post(
            client, "/admin/users/", id="agent.new", name="Agent New",
            role="archive_agent", password=PASSWORD,
        )  # fmt: skip
        assert created.status_code == 303
        changed = _post(
            client, "/admin/users/agent.new/roles", roles="archive_manager,secretary"
        )
        assert changed.status_code == 303
        system = _post(client, "/admin/users/system/roles", roles="archive_agent")
        assert system.status_code == 403
    created_rows, _ = await runtime.queries.journal_entries(
        JournalQuery(principal_ref=ADMIN, action="create_person"), 0, 10
    )
    assert [(r.object_ref, r.reason) for r in created_rows] == [
        ("agent.new", "roles=archive_agent")
    ]
    assert await _journal(runtime, ADMIN) == [
        ("grant_role", "person:agent.new", "archive_manager", "administrator"),
        ("grant_role", "person:agent.new", "secretary", "administrator"),
        ("withdraw_role", "person:agent.new", "archive_agent", "administrator"),
    ]


async def test_the_command_line_journals_its_grants_too(runtime):
    await add_people(runtime, {"agent.cli": "archive_agent"})
    await people.set_roles(
        "agent.cli",
        "archive_manager",
        runtime.uow(),
        runtime.clock,
        people.Administrator.command_line(),
    )
    assert await _journal(runtime, "cli") == [
        ("grant_role", "person:agent.cli", "archive_manager", ""),
        ("withdraw_role", "person:agent.cli", "archive_agent", ""),
    ]
