"""Issue 10, finding 9: tokens are revocable at once, machine-only, and expire.

A revoked token is refused at its next request on every instance (no cache);
``token list`` / ``token revoke`` exist; a token carries a machine role or a
person, never a person's role; every token has an expiry date.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from archive_svc import cli
from archive_svc.domain import errors
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import registry
from archive_svc.services.ports.people import ApiTokenRecord
from tests import builders as b
from tests.security import support as s


async def _cli(*argv: str) -> int:
    """The command line, on a thread of its own (it runs its own event loop)."""
    return await asyncio.to_thread(cli.main, list(argv))


def _where_is(client, token: str, barcode: str) -> int:  # type: ignore[no-untyped-def]
    return client.get(f"/api/items/{barcode}", headers=s.auth(token)).status_code


async def _box(runtime):  # type: ignore[no-untyped-def]
    await b.people(runtime)
    (box,) = await b.items(runtime, "box", 1)
    return box


async def test_a_token_revoked_in_the_database_is_refused_at_its_next_request(
    runtime,
):
    box = await _box(runtime)
    token = await registry.create_token("reader", "integration", runtime.uow())
    with s.api_client(runtime) as client, s.api_client(runtime) as other_instance:
        assert _where_is(client, token, box.barcode) == 200
        assert _where_is(other_instance, token, box.barcode) == 200
        client.blocking_portal.call(
            fetch,
            current(),
            "UPDATE api_token SET revoked = TRUE WHERE name = 'reader'",
        )
        assert _where_is(client, token, box.barcode) == 401
        assert _where_is(other_instance, token, box.barcode) == 401


async def test_token_revoke_by_name_or_id_takes_effect_at_once(
    runtime, database_url, monkeypatch, capsys
):
    box = await _box(runtime)
    first = await registry.create_token("first", "integration", runtime.uow())
    second = await registry.create_token("second", "integration", runtime.uow())
    (record,) = [t for t in await registry.tokens(runtime.uow()) if t.name == "second"]
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    with s.api_client(runtime) as client:
        assert _where_is(client, first, box.barcode) == 200
        assert await _cli("token", "revoke", "first") == 0
        assert await _cli("token", "revoke", record.id) == 0
        assert _where_is(client, first, box.barcode) == 401
        assert _where_is(client, second, box.barcode) == 401
    assert await _cli("token", "revoke", "nope") == 1


async def test_token_list_shows_holder_expiry_and_status(
    runtime, database_url, monkeypatch, capsys
):
    await b.people(runtime)
    await registry.create_token("st-list", "gateway", runtime.uow(), runtime.clock)
    await registry.create_token(
        "agent-list", None, runtime.uow(), runtime.clock, person=b.AGENT
    )
    await registry.revoke_token("agent-list", runtime.uow())
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    capsys.readouterr()
    assert await _cli("token", "list") == 0
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()}
    year_later = (b.T0 + timedelta(days=365)).date().isoformat()
    assert "role=gateway" in lines["st-list"] and "valid" in lines["st-list"]
    assert f"expires={year_later}" in lines["st-list"]
    assert f"person={b.AGENT}" in lines["agent-list"]
    assert lines["agent-list"].endswith("revoked")


@pytest.mark.parametrize("role", ["archive_manager", "administrator", "public"])
async def test_a_token_never_carries_a_persons_role(runtime, role):
    with pytest.raises(errors.InvalidInput, match="machine roles only"):
        await registry.create_token(f"t-{role}", role, runtime.uow())


async def test_a_token_made_with_a_persons_role_before_the_fix_no_longer_works(
    runtime,
):
    box = await _box(runtime)
    legacy = "as_legacy-manager-token"
    uow = runtime.uow()
    async with uow:
        await uow.tokens.add(
            ApiTokenRecord(
                b.uid(),
                "legacy",
                "archive_manager",
                registry.hash_token(legacy),
                False,
                None,
                runtime.clock.now(),
                None,
            )
        )
        await uow.commit()
    with s.api_client(runtime) as client:
        assert _where_is(client, legacy, box.barcode) == 401


async def test_a_token_expires(runtime):
    box = await _box(runtime)
    token = await registry.create_token(
        "short", "integration", runtime.uow(), runtime.clock,
        expires_at=b.T0 + timedelta(days=2),
    )  # fmt: skip
    default = await registry.create_token(
        "default", "integration", runtime.uow(), runtime.clock
    )
    with s.api_client(runtime) as client:
        assert _where_is(client, token, box.barcode) == 200
        runtime.clock.advance(days=3)
        assert _where_is(client, token, box.barcode) == 401
        assert _where_is(client, default, box.barcode) == 200
        runtime.clock.advance(days=363)
        assert _where_is(client, default, box.barcode) == 401


async def test_a_personal_token_stops_with_its_person(runtime):
    box = await _box(runtime)
    token = await s.personal_token(runtime, b.AGENT)
    from archive_svc.services import people

    with s.api_client(runtime) as client:
        assert _where_is(client, token, box.barcode) == 200
        client.blocking_portal.call(
            people.set_active,
            b.AGENT,
            False,
            runtime.uow(),
            people.Administrator.command_line(),
        )
        assert _where_is(client, token, box.barcode) == 401


async def test_the_system_principal_gets_no_token(runtime):
    with pytest.raises(errors.AccessDenied):
        await registry.create_token("sys", None, runtime.uow(), person="system")
