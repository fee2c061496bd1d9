"""Finding 10: passwords, lockout, what a failed sign-in stores, anonymous sessions,
HSTS and the server banner, 415 on JSON routes, control characters and markup in
imported CSV fields."""

from __future__ import annotations

import json

import httpx
import pytest
from litestar.testing import TestClient

from archive_svc import cli, web
from archive_svc.api.app import AppDeps, create_app
from archive_svc.api.security import WebSecurity
from archive_svc.config import load_settings
from archive_svc.domain import commands, errors
from archive_svc.services import people
from archive_svc.services.ports.journal import JournalQuery
from tests.integration.web_support import BASE_URL, PASSWORD, csrf, sign_in
from tests.security.served import served


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("new.agent.x", "length"),
        ("new.agent.x.12", "common"),
        ("New.Agent.X.Long", "same_as_id"),
        ("zzzzzzzzzzzzzzzz", "repeated"),
        ("password1234", "common"),
        ("azertyuiop123", "common"),
        ("iloveyou2026", "common"),
        ("123456789012", "common"),
    ],
)
def test_weak_passwords_are_refused_with_their_reason(password, reason):
    principal = "new.agent.x.long" if reason == "same_as_id" else "new.agent.x"
    with pytest.raises(errors.WeakPassword) as refused:
        people.check_password(password, principal)
    assert refused.value.reason == reason


def test_long_passwords_are_judged_without_failing():
    people.check_password("Correct horse, battery staple! " * 8, "agent.x")
    with pytest.raises(errors.WeakPassword):
        people.check_password("password" * 32, "agent.x")


async def test_creating_a_person_with_a_common_password_is_refused(runtime):
    cmd = commands.CreatePerson("new.agent", "New Agent", "archive_agent", "", "")
    admin = people.Administrator.command_line()
    with pytest.raises(errors.WeakPassword):
        await people.create_person(
            cmd, "password1234", runtime.uow(), runtime.clock, admin
        )
    with pytest.raises(errors.WeakPassword):
        await people.reset_password(
            "agent.x", "agent.xagent.x", runtime.uow(), runtime.clock
        )


def test_the_administration_page_gives_the_reason_in_french(site, client):
    sign_in(client, "admin.x")
    form = {"password": "azertyuiop123", "_csrf_token": csrf(client)}
    weak = client.post("/admin/users/agent.x/password", data=form)
    assert weak.status_code == 400
    assert "Ce mot de passe est trop courant ou trop facile à deviner." in weak.text


async def test_failures_lock_an_account_only_for_the_address_they_came_from(site):
    runtime, throttle = site.runtime, people.AddressThrottle()

    async def attempt(password: str, address: str) -> str:
        result = await people.sign_in(
            "agent.x", password, address, runtime.uow(), runtime.clock, throttle
        )
        return result.outcome

    for _ in range(people.ACCOUNT_FAILURES):
        assert await attempt("not the password", "10.0.0.66") == "invalid"
    assert await attempt(PASSWORD, "10.0.0.66") == "invalid", "locked from there"
    assert await attempt(PASSWORD, "10.0.0.7") == "ok", "not from the owner's desk"


async def test_a_failed_sign_in_on_no_known_account_stores_a_placeholder(site, client):
    typed = "Tr0ub4dor&3 typed in the login field"
    response = client.post(
        "/login",
        data={"login": typed, "password": "x", "_csrf_token": csrf(client)},
    )
    assert response.status_code == 401
    rows, _ = await site.runtime.queries.journal_entries(JournalQuery(), 0, 50)
    assert [r.principal_ref for r in rows] == [people.UNKNOWN_ACCOUNT]
    stored = json.dumps([vars(r) for r in rows], default=str).lower()
    assert "tr0ub4dor" not in stored


def test_anonymous_requests_get_no_session(site, tmp_path):
    rt = site.runtime
    web_security = WebSecurity(secret="s" * 32, session_dir=tmp_path / "sessions")
    app = create_app(AppDeps(rt.uow, rt.queries, rt.clock, rt.policy, web=web_security))
    with TestClient(app, base_url=BASE_URL) as client:
        for url in ("/login", "/static/app.css", "/healthz", "/nowhere"):
            response = client.get(url)
            cookies = response.headers.get_list("set-cookie")
            assert not [c for c in cookies if c.startswith("archive_session=")], url
        assert not list((tmp_path / "sessions").glob("*"))
        assert sign_in(client, "agent.x").status_code == 303
        assert len(list((tmp_path / "sessions").glob("*"))) == 1


def _served_headers(site, settings) -> httpx.Headers:  # type: ignore[no-untyped-def]
    rt = site.runtime
    app = create_app(
        AppDeps(rt.uow, rt.queries, rt.clock, rt.policy, web=web.web_security(settings))
    )
    with served(app, settings) as base:
        return httpx.get(base + "/login").headers


def test_no_server_banner_and_hsts_only_when_set(site, tmp_path):
    plain = load_settings(env={"ARCHIVE_DATA_DIR": str(tmp_path)})
    headers = _served_headers(site, plain)
    assert "server" not in headers
    assert "strict-transport-security" not in headers
    behind_tls = load_settings(
        env={"ARCHIVE_DATA_DIR": str(tmp_path), "ARCHIVE_HTTP_HSTS_MAX_AGE": "31536000"}
    )
    headers = _served_headers(site, behind_tls)
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "server" not in headers


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None]
)
def test_a_json_route_refuses_another_content_type_with_415(site, client, content_type):
    headers = dict(site.bearer)
    if content_type:
        headers["content-type"] = content_type
    for path, body in (
        ("/api/movements", {"movements": []}),
        ("/api/items", {"kind": "box", "number": "B-415"}),
        ("/api/locations", {"kind": "site", "code": "S-415"}),
    ):
        response = client.post(path, content=json.dumps(body), headers=headers)
        assert response.status_code == 415, path
        assert response.json()["code"] == "unsupported_media_type"


def test_import_refuses_control_characters_and_markup_with_their_line(
    site, capsys, tmp_path, database_url, monkeypatch
):
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    source = tmp_path / "in.csv"
    source.write_text(
        "kind,number,division\n"
        "box,IMP-OK-1,\n"
        "box,IMP-\x00-2,\n"
        "box,IMP-3\x0c,\n"
        "file,<script>alert(1)</script>,\n"
        "box,IMP-5,a>b\n"
        "box,IMP-\x1b[31m-6,\n"
        "box,IMP-OK-7,\n",
        encoding="utf-8",
        newline="",
    )
    assert cli.main(["import", "inventory", str(source)]) == 1
    err = capsys.readouterr().err
    for line in (3, 4, 5, 6, 7):
        assert f"in.csv:{line}:" in err and "markup" in err, line
    assert "in.csv:2:" not in err and "in.csv:8:" not in err
    assert "registered 2," in err
