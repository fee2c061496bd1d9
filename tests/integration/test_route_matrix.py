"""Every route of the app x every role (and anonymous): allowed or refused, from ONE table.

A route added to the app without a row here fails ``test_every_route_has_a_row``.
Pages are reached with a real session (signed in through ``/login``), the JSON API
with a bearer token of the same role.
"""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from archive_svc.access import rules
from archive_svc.access.principals import MACHINE_ROLES, Role
from archive_svc.api.app import AppDeps, create_app
from archive_svc.api.guards import requires_access
from archive_svc.domain.model import Principal
from archive_svc.services import people, registry
from archive_svc.services.ports.people import Credential
from tests import builders as b

ALL_ROLES = frozenset(r.value for r in Role)
PEOPLE = ALL_ROLES - {"gateway", "integration", "public"}
STAFF = frozenset({"archive_agent", "archive_manager"})
READERS = STAFF | {"history_mission_staff", "integration"}
PUBLIC = "public route"
NOBODY: frozenset[str] = frozenset()
DOCS = (
    "",
    "/openapi.json",
    "/openapi.yaml",
    "/openapi.yml",
    "/swagger",  # the only viewer: from our own static files, no CDN
    "/oauth2-redirect.html",
    "/{path:str}",
)

#: "METHOD path" -> roles allowed (anonymous never is), or PUBLIC (everyone, signed in or not).
MATRIX: dict[str, frozenset[str] | str] = {
    "POST /api/movements": STAFF | {"gateway"},
    "GET /api/items/{barcode:str}": READERS,
    "GET /api/items/{barcode:str}/history": READERS,
    "POST /api/items": STAFF | {"digitisation_secretary", "integration"},
    "GET /api/locations/{barcode:str}/contents": READERS,
    "POST /api/locations": frozenset({"archive_manager", "administrator"}),
    "GET /healthz": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": PUBLIC,
    "POST /lang": PUBLIC,
    "GET /": PEOPLE,
    "GET /console": STAFF,
    "GET /console/search": STAFF,
    "GET /console/items/{barcode:str}": STAFF,
    "GET /console/locations/{ref:str}": STAFF,
    "GET /console/feed": STAFF,
    "GET /console/out": STAFF,
    "GET /console/people/{person_id:str}": STAFF,
    "GET /console/suggest": STAFF,
    "GET /console/record": STAFF,
    "POST /console/record": STAFF,
    "GET /console/labels": STAFF,
    "POST /console/labels": STAFF,
    "POST /console/labels/preview": STAFF,
    "GET /admin/users": frozenset({"administrator"}),
    "POST /admin/users": frozenset({"administrator"}),
    "POST /admin/users/{person_id:str}/disable": frozenset({"administrator"}),
    "POST /admin/users/{person_id:str}/enable": frozenset({"administrator"}),
    "POST /admin/users/{person_id:str}/password": frozenset({"administrator"}),
    "POST /admin/users/{person_id:str}/roles": frozenset({"administrator"}),
    "GET /journal": frozenset({"archive_manager", "dpo_auditor"}),
    "GET /journal/export.csv": frozenset({"archive_manager", "dpo_auditor"}),
    "GET /static/{file_path:path}": PUBLIC,
    "HEAD /static/{file_path:path}": PUBLIC,
    # Automatic OPTIONS answers carry no action of their own: denied unless the
    # controller names one (default deny), public where the route is public.
    "OPTIONS /api/movements": NOBODY,
    "OPTIONS /api/items": NOBODY,
    "OPTIONS /api/items/{barcode:str}": NOBODY,
    "OPTIONS /api/items/{barcode:str}/history": NOBODY,
    "OPTIONS /api/locations": NOBODY,
    "OPTIONS /api/locations/{barcode:str}/contents": NOBODY,
    "OPTIONS /healthz": NOBODY,
    "OPTIONS /": NOBODY,
    "OPTIONS /login": NOBODY,
    "OPTIONS /logout": NOBODY,
    "OPTIONS /lang": NOBODY,
    "OPTIONS /console": STAFF,
    "OPTIONS /console/search": STAFF,
    "OPTIONS /console/items/{barcode:str}": STAFF,
    "OPTIONS /console/locations/{ref:str}": STAFF,
    "OPTIONS /console/feed": STAFF,
    "OPTIONS /console/out": STAFF,
    "OPTIONS /console/people/{person_id:str}": STAFF,
    "OPTIONS /console/suggest": STAFF,
    "OPTIONS /console/record": STAFF,
    "OPTIONS /console/labels": STAFF,
    "OPTIONS /console/labels/preview": STAFF,
    "OPTIONS /admin/users": frozenset({"administrator"}),
    "OPTIONS /admin/users/{person_id:str}/disable": frozenset({"administrator"}),
    "OPTIONS /admin/users/{person_id:str}/enable": frozenset({"administrator"}),
    "OPTIONS /admin/users/{person_id:str}/password": frozenset({"administrator"}),
    "OPTIONS /admin/users/{person_id:str}/roles": frozenset({"administrator"}),
    "OPTIONS /journal": frozenset({"archive_manager", "dpo_auditor"}),
    "OPTIONS /journal/export.csv": frozenset({"archive_manager", "dpo_auditor"}),
    "OPTIONS /static/{file_path:path}": PUBLIC,
    "GET /static/swagger/{file_path:path}": PUBLIC,
    "HEAD /static/swagger/{file_path:path}": PUBLIC,
    "OPTIONS /static/swagger/{file_path:path}": PUBLIC,
    **{f"GET /schema{p}": PUBLIC for p in DOCS},
    **{f"OPTIONS /schema{p}": PUBLIC for p in DOCS},
}
PASSWORD = "matrix password 123"


def app_routes(app) -> set[str]:
    return {
        f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }


@pytest.fixture
async def world(runtime):
    shelves = await b.storeroom(runtime, shelves=1)
    (box,) = await b.items(runtime, "box", 1)
    await b.people(runtime)
    password_hash = people.hash_password(PASSWORD)
    tokens = {}
    for role in sorted(ALL_ROLES):
        pid = f"m.{role}"
        await registry.add_principal(
            Principal(pid, role, frozenset({role})), runtime.uow()
        )
        uow = runtime.uow()
        async with uow:
            await uow.credentials.put(
                Credential(pid, password_hash), runtime.clock.now()
            )
            await uow.commit()
        if role in MACHINE_ROLES:
            tokens[role] = await registry.create_token(f"t-{role}", role, runtime.uow())
        elif role != "public":
            tokens[role] = await registry.create_token(
                f"t-{role}", None, runtime.uow(), person=pid
            )
    app = create_app(
        AppDeps(
            runtime.uow,
            runtime.queries,
            runtime.clock,
            runtime.policy,
            console=runtime.console,
        )
    )
    values = {
        "barcode": box.barcode,
        "ref": shelves[0].barcode,
        "person_id": b.AGENT,
        "file_path": "app.css",
        "path": "swagger",
    }
    return app, tokens, values


def _url(route: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: values[m.group(1)], route)


def _client_for(app, role: str | None) -> tuple[TestClient, str]:
    client = TestClient(app, base_url="http://testserver.local")
    client.__enter__()
    login = client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text).group(1)
    if role is not None:
        r = client.post(
            "/login",
            data={"login": f"m.{role}", "password": PASSWORD, "_csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, role
        token = re.search(
            r'name="_csrf_token" value="([^"]+)"', client.get("/login").text
        ).group(1)
    return client, token


def _refused(response, api: bool) -> bool:
    if response.status_code in (401, 403):
        return not (response.status_code == 401 and "login-error" in response.text)
    location = response.headers.get("location", "")
    return response.status_code in (302, 303) and location.startswith("/login?next=")


@pytest.fixture(scope="module")
def bare_app():
    """The app as wired (no database needed to list routes and their policy)."""
    return create_app(AppDeps(None, None, None, None))  # type: ignore[arg-type]


def test_every_route_has_a_row(bare_app):
    app = bare_app
    routes = app_routes(app)
    assert sorted(routes - MATRIX.keys()) == [], "routes without a row in MATRIX"
    assert sorted(MATRIX.keys() - routes) == [], "rows for routes that do not exist"


def test_every_route_is_behind_the_app_wide_guard(bare_app):
    app = bare_app
    unguarded = [
        f"{sorted(h.http_methods)} {r.path}"
        for r in app.routes
        if isinstance(r, HTTPRoute)
        for h in r.route_handlers
        if requires_access not in h.resolve_guards()
    ]
    assert unguarded == []


def test_the_route_policy_gives_every_role_what_the_table_says(bare_app):
    """Every route x every role: the decision ``requires_access`` takes (pure part)."""
    app = bare_app
    wrong = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                allowed = MATRIX[f"{method} {route.path}"]
                for role in [None, *sorted(ALL_ROLES)]:
                    roles = frozenset({role}) if role else frozenset()
                    decided = handler.opt.get("public") is True or (
                        rules.decide_route(roles, handler.opt.get("action")).allowed
                    )
                    expected = allowed == PUBLIC or (
                        role is not None and role in allowed
                    )
                    if decided != expected:
                        wrong.append(f"{role or 'anonymous'}: {method} {route.path}")
    assert wrong == []


#: Signed-in identities driven over HTTP: together they tell every role set of the
#: table apart (the pure test above covers every role).
HTTP_IDENTITIES = (
    None,
    "archive_agent",
    "administrator",
    "dpo_auditor",
    "gateway",
    "protection_officer",
)


def test_http_answers_follow_the_table(world):
    app, tokens, values = world
    wrong: list[str] = []
    # /logout ends the session: run it last.
    rows = sorted(MATRIX.items(), key=lambda kv: kv[0] == "POST /logout")
    for role in HTTP_IDENTITIES:
        client, csrf = _client_for(app, role)
        try:
            for key, allowed in rows:
                method, route = key.split(" ", 1)
                api = route.startswith("/api")
                headers = {"x-csrftoken": csrf}
                if api and role is not None:
                    headers["authorization"] = f"Bearer {tokens[role]}"
                form = {"login": f"m.{role or 'public'}", "password": PASSWORD}
                r = client.request(
                    method,
                    _url(route, values),
                    headers=headers,
                    json={} if api and method == "POST" else None,
                    data=None if api or method != "POST" else form,
                    follow_redirects=False,
                )
                expected = allowed == PUBLIC or (role is not None and role in allowed)
                if _refused(r, api) == expected:
                    wrong.append(f"{role or 'anonymous'}: {key} -> {r.status_code}")
                assert r.status_code < 500, (role, key, r.text[:300])
        finally:
            client.__exit__(None, None, None)
    assert wrong == []
