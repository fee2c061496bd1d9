"""Finding 6: proxy headers are believed only from the configured trusted proxies.

uvicorn's own default trusts ``X-Forwarded-For`` from 127.0.0.1, so anything on
the host could pick the address the sign-in throttle counts and the journal
stores. These tests run the app behind a real uvicorn, configured as
``archive-svc serve`` configures it.
"""

from __future__ import annotations

import httpx
import pytest

from archive_svc.api.app import AppDeps, create_app
from archive_svc.config import SettingsError, load_settings
from archive_svc.services import people
from archive_svc.services.ports.journal import JournalQuery
from tests.integration.web_support import add_people
from tests.security.served import failed_sign_in, served

LIMIT = 3


def _app(runtime):  # type: ignore[no-untyped-def]
    return create_app(
        AppDeps(
            runtime.uow,
            runtime.queries,
            runtime.clock,
            runtime.policy,
            login_throttle=people.AddressThrottle(limit=LIMIT),
            console=runtime.console,
        )
    )


async def _sign_in_clients(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    rows, _ = await runtime.queries.journal_entries(
        JournalQuery(action="sign_in"), 0, 50
    )
    return [r.client for r in reversed(rows)]


async def test_a_forged_forwarded_for_neither_escapes_the_throttle_nor_reaches_the_journal(
    runtime,
):
    await add_people(runtime, {"agent.x": "archive_agent"})
    with (
        served(_app(runtime), load_settings(env={})) as base,
        httpx.Client(base_url=base) as client,
    ):
        statuses = [
            failed_sign_in(client, {"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(LIMIT + 1)
        ]
    assert statuses == [401] * LIMIT + [429]
    assert set(await _sign_in_clients(runtime)) == {"127.0.0.1"}


async def test_a_configured_proxy_is_believed(runtime):
    await add_people(runtime, {"agent.x": "archive_agent"})
    settings = load_settings(env={"ARCHIVE_HTTP_TRUSTED_PROXIES": "127.0.0.1"})
    with served(_app(runtime), settings) as base, httpx.Client(base_url=base) as client:
        first = failed_sign_in(client, {"X-Forwarded-For": "198.51.100.7"})
        second = failed_sign_in(client, {"X-Forwarded-For": "198.51.100.8"})
    assert (first.status_code, second.status_code) == (401, 401)
    assert await _sign_in_clients(runtime) == ["198.51.100.7", "198.51.100.8"]


def test_no_proxy_is_trusted_by_default_and_a_bad_entry_is_named():
    assert load_settings(env={}).http.trusted_proxy_list == []
    assert load_settings(
        env={"ARCHIVE_HTTP_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"}
    ).http.trusted_proxy_list == ["10.0.0.5", "10.1.0.0/16"]
    with pytest.raises(SettingsError, match=r"proxy\.example"):
        _ = load_settings(
            env={"ARCHIVE_HTTP_TRUSTED_PROXIES": "proxy.example"}
        ).http.trusted_proxy_list
