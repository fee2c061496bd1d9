"""Signing people in to the pages from tests: shared by the page test modules."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator

from litestar.testing import TestClient

from archive_svc.api.app import AppDeps, create_app
from archive_svc.domain.model import Principal
from archive_svc.services import people, registry
from archive_svc.services.ports.people import Credential

PASSWORD = "a long enough password"
BASE_URL = "http://testserver.local"


@functools.cache
def password_hash() -> str:
    """argon2 is slow by design: hash the shared test password once."""
    return people.hash_password(PASSWORD)


async def add_people(runtime, roles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """One person per ``{id: role}``, named ``<b>id</b>`` (escaping checks), with PASSWORD."""
    for pid, role in roles.items():
        await registry.add_principal(
            Principal(pid, f"<b>{pid}</b>", frozenset({role})), runtime.uow()
        )
        uow = runtime.uow()
        async with uow:
            await uow.credentials.put(
                Credential(pid, password_hash()), runtime.clock.now()
            )
            await uow.commit()


@contextlib.contextmanager
def web_client(runtime, throttle_limit: int = 100) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(
        AppDeps(
            runtime.uow,
            runtime.queries,
            runtime.clock,
            runtime.policy,
            console=runtime.console,
            login_throttle=people.AddressThrottle(limit=throttle_limit),
        )
    )
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def csrf(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)


def sign_in(client, login: str, password: str = PASSWORD, next_: str = "/"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={
            "login": login,
            "password": password,
            "next": next_,
            "_csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
