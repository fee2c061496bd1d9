"""Signing in, sessions, CSRF, the console, the admin and journal pages, bad input."""

from __future__ import annotations

import csv
import html
import io

import pytest
from litestar.testing import TestClient

from archive_svc.api.app import AppDeps, create_app
from archive_svc.services import people
from tests import builders as b
from tests.integration.web_support import (
    PASSWORD,
    add_people,
    csrf,
    sign_in,
    web_client,
)


@pytest.fixture
async def site(runtime):
    shelves = await b.storeroom(runtime, shelves=2, capacity_mm=300)
    (box,) = await b.items(runtime, "box", 1)
    await add_people(
        runtime,
        {
            "agent.x": "archive_agent",
            "admin.x": "administrator",
            "dpo.x": "dpo_auditor",
            "officer.x": "protection_officer",
        },
    )
    with web_client(runtime) as client:
        yield client, runtime, shelves, box


def test_an_agent_signs_in_and_lands_where_they_were_going(site):
    client, *_ = site
    r = client.get("/console/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/console")
    r = sign_in(client, "agent.x", next_="/console/")
    assert (r.status_code, r.headers["location"]) == (303, "/console/")
    cookie = next(
        c for c in r.headers.get_list("set-cookie") if c.startswith("archive_session=")
    )
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/console/").status_code == 200


def test_signing_in_issues_a_new_session_id(site):
    client, *_ = site
    client.cookies.set(
        "archive_session", "planted-by-someone-else", domain="testserver.local"
    )
    r = sign_in(client, "agent.x")
    issued = r.cookies.get("archive_session")
    assert issued and issued != "planted-by-someone-else"
    assert client.get("/console/").status_code == 200


def test_a_wrong_password_gets_a_generic_answer_and_the_account_locks(site):
    client, *_ = site
    unknown = sign_in(client, "nobody.here", "whatever at all")
    wrong = sign_in(client, "agent.x", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in wrong.text
    assert "Identifiant ou mot de passe incorrect." in unknown.text
    for _ in range(people.ACCOUNT_FAILURES - 1):
        sign_in(client, "agent.x", "not the password")
    locked = sign_in(client, "agent.x")
    assert locked.status_code == 401, "locked even with the right password"


def test_an_address_that_keeps_failing_is_throttled(site):
    _, runtime, *_ = site
    deps = AppDeps(
        runtime.uow,
        runtime.queries,
        runtime.clock,
        runtime.policy,
        console=runtime.console,
        login_throttle=people.AddressThrottle(limit=3),
    )
    with TestClient(create_app(deps), base_url="http://testserver.local") as client:
        for i in range(3):
            sign_in(client, f"ghost{i}", "wrong password")
        r = sign_in(client, "agent.x")
    assert r.status_code == 429
    assert "Trop de tentatives" in r.text


def test_a_session_expires_and_a_disabled_person_is_out_at_once(site):
    client, runtime, *_ = site
    sign_in(client, "agent.x")
    assert client.get("/console/").status_code == 200
    runtime.clock.advance(hours=11)
    r = client.get("/console/", follow_redirects=False)
    assert r.headers["location"].startswith("/login?next=")
    sign_in(client, "agent.x")
    assert client.get("/console/").status_code == 200
    client.blocking_portal.call(
        people.set_active,
        "agent.x",
        False,
        runtime.uow(),
        people.Administrator.command_line(),
    )
    r = client.get("/console/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert sign_in(client, "agent.x").status_code == 401


def test_an_htmx_request_after_expiry_asks_the_browser_to_sign_in_again(site):
    client, *_ = site
    r = client.get(
        "/console/feed",
        headers={
            "hx-request": "true",
            "referer": "http://testserver.local/console/record",
        },
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert r.headers["hx-redirect"] == "/login?next=/console/record"


def test_a_completion_after_expiry_leaves_the_page_alone(site):
    """Typing a destination must not carry the agent off mid-scan: the form's own
    submit takes them to sign in, what they typed kept."""
    client, *_ = site
    r = client.get(
        "/console/suggest",
        params={"to": "M1"},
        headers={"hx-request": "true"},
        follow_redirects=False,
    )
    assert r.status_code == 401 and "hx-redirect" not in r.headers


def test_forms_without_a_csrf_token_are_refused_with_a_page(site):
    client, *_ = site
    csrf(client)
    r = client.post("/login", data={"login": "agent.x", "password": PASSWORD})
    assert r.status_code == 403 and "Le formulaire a expiré" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_every_response_carries_the_security_headers(site):
    client, *_ = site
    for path in ("/login", "/nowhere", "/api/items/BX1", "/static/app.js"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_markup_typed_anywhere_comes_back_escaped(site):
    client, *_ = site
    sign_in(client, "agent.x")
    r = client.get("/console/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "&lt;b&gt;agent.x&lt;/b&gt;" in r.text


def test_oversized_forms_and_traversal_attempts_are_refused(site):
    client, *_ = site
    sign_in(client, "agent.x")
    token = csrf(client)
    big = client.post(
        "/console/record", data={"item": "x" * 70_000, "_csrf_token": token}
    )
    assert big.status_code == 413 and "trop volumineux" in big.text
    for path in (
        "/console/items/..%2F..%2Fetc%2Fpasswd",
        "/console/locations/..%2F..",
        "/static/..%2F..%2Fconfig.py",
        "/static/../../archive_svc/config.py",
    ):
        r = client.get(path)
        assert r.status_code in (400, 404), path
        assert "SettingsError" not in r.text
    r = client.post(
        "/lang",
        data={"lang": "en", "next": "//evil.example/x", "_csrf_token": token},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_the_console_finds_an_item_records_a_movement_and_journals_the_read(site):
    client, runtime, shelves, box = site
    sign_in(client, "agent.x")
    token = csrf(client)
    r = client.post(
        "/console/record",
        data={
            "item": box.barcode,
            "kind": "accession",
            "to": shelves[0].barcode,
            "_csrf_token": token,
        },
        headers={"hx-request": "true"},
    )
    assert 'data-outcome="ok"' in r.text and "<html" not in r.text
    refused = client.post(
        "/console/record",
        data={
            "item": box.barcode,
            "kind": "accession",
            "to": shelves[0].barcode,
            "_csrf_token": token,
        },
    )
    assert 'data-outcome="error"' in refused.text
    found = client.get("/console/search", params={"q": box.number.lower()})
    assert found.url.path == f"/console/items/{box.barcode}"
    assert f">{shelves[0].code}</a>" in found.text  # its shelf, a link
    assert "Entrée (versement)" in found.text and "accession" not in found.text
    feed = client.get("/console/feed").text
    assert box.barcode in feed and f">{shelves[0].code}</a>" in feed
    contents = client.get(f"/console/locations/{shelves[0].barcode}")
    assert box.barcode in contents.text
    assert 'id="total-used">0,10 m' in contents.text  # 100 mm of 300 mm
    assert 'id="total-fill">33 %' in contents.text
    rows, _ = client.blocking_portal.call(
        runtime.queries.journal_entries,
        _query(principal_ref="agent.x", action="read_item"),
        0,
        10,
    )
    assert [r.object_ref for r in rows] == [box.barcode]


def test_every_decision_is_journaled_before_the_answer_even_on_errors(site):
    """Allowed decisions are written with the request's read, or before the answer
    starts when there is none (a 404 included); refusals at once."""
    client, runtime, shelves, box = site
    sign_in(client, "agent.x")
    client.get(f"/console/items/{box.barcode}")
    client.get("/console/items/BX99999999Z")
    client.get(f"/console/locations/{shelves[0].barcode}")
    sign_in(client, "officer.x")
    client.get(f"/console/items/{box.barcode}")
    rows, _ = client.blocking_portal.call(
        runtime.queries.journal_entries,
        _query(action="use_console"),
        0,
        50,
    )
    seen = [(r.principal_ref, r.object_ref, r.decision) for r in reversed(rows)]
    assert seen == [
        ("agent.x", f"/console/items/{box.barcode}", "allow"),
        ("agent.x", "/console/items/BX99999999Z", "allow"),
        ("agent.x", f"/console/locations/{shelves[0].barcode}", "allow"),
        ("officer.x", f"/console/items/{box.barcode}", "deny"),
    ]
    reads, _ = client.blocking_portal.call(
        runtime.queries.journal_entries, _query(principal_ref="agent.x"), 0, 50
    )
    actions = [r.action for r in reversed(reads)]
    first = actions.index("use_console")
    assert actions[first : first + 3] == ["use_console", "read_item", "read_history"]


def _query(**kw):
    from archive_svc.services.ports.journal import JournalQuery

    return JournalQuery(**kw)


def test_the_journal_is_for_supervisors_and_exports_csv(site):
    client, *_ = site
    sign_in(client, "officer.x")
    assert client.get("/journal/").status_code == 403
    client.post("/logout", data={"_csrf_token": csrf(client)})
    sign_in(client, "dpo.x")
    page = client.get("/journal/", params={"who": "officer.x", "decision": "deny"})
    assert page.status_code == 200 and "read_access_journal" in page.text
    export = client.get("/journal/export.csv", params={"who": "officer.x"})
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {r["decision"] for r in rows} >= {"deny"}
    assert all(r["principal"] == "officer.x" for r in rows)


def test_the_journal_is_append_only(site):
    client, *_ = site
    from archive_svc.persistence.engine import current
    from archive_svc.persistence.sql import fetch

    sign_in(client, "officer.x")
    client.get("/journal/")
    with pytest.raises(Exception, match="append-only"):
        client.blocking_portal.call(fetch, current(), "DELETE FROM access_journal")


def test_an_administrator_creates_and_disables_people(site):
    client, runtime, *_ = site
    sign_in(client, "admin.x")
    token = csrf(client)
    form = {
        "id": "new.agent",
        "name": "Nouvel <i>Agent</i>",
        "role": "archive_agent",
        "division": "",
        "unit": "archives",
        "password": "short",
        "_csrf_token": token,
    }
    bad = client.post("/admin/users/", data=form)
    assert bad.status_code == 400 and "Nouvel &lt;i&gt;Agent&lt;/i&gt;" in bad.text
    ok = client.post("/admin/users/", data={**form, "password": PASSWORD})
    assert ok.status_code == 200 and "new.agent" in ok.text
    created, _ = client.blocking_portal.call(
        runtime.queries.journal_entries, _query(action="create_person"), 0, 5
    )
    assert [(e.principal_ref, e.object_ref, e.reason, e.channel) for e in created] == [
        ("admin.x", "new.agent", "roles=archive_agent", "web")
    ]
    client.post("/admin/users/new.agent/disable", data={"_csrf_token": token})
    other = TestClient(client.app, base_url="http://testserver.local")
    with other:
        assert sign_in(other, "new.agent").status_code == 401
    page = client.post("/admin/users/new.agent/enable", data={"_csrf_token": token})
    assert 'id="disable-new.agent"' in page.text
    with TestClient(client.app, base_url="http://testserver.local") as other:
        assert sign_in(other, "new.agent").status_code == 303


def test_an_administrator_cannot_disable_themself_or_the_system_account(site):
    client, runtime, *_ = site
    sign_in(client, "admin.x")
    token = csrf(client)
    listing = client.get("/admin/users/")
    assert 'id="disable-admin.x"' not in listing.text
    assert 'id="disable-system"' not in listing.text
    assert '<option value="" selected disabled>' in listing.text, "no default role"
    assert "Administrateur" in listing.text and ">administrator<" not in listing.text
    for person in ("admin.x", "system"):
        r = client.post(f"/admin/users/{person}/disable", data={"_csrf_token": token})
        assert r.status_code == 403
        assert "ni le compte système" in html.unescape(r.text)
    people = client.blocking_portal.call(
        runtime.queries.principals, ["admin.x", "system"]
    )
    assert all(p.active for p in people.values()) and len(people) == 2


def test_an_administrator_resets_a_password_and_lifts_the_lockout(site):
    client, *_ = site
    with TestClient(client.app, base_url="http://testserver.local") as agent:
        for _ in range(people.ACCOUNT_FAILURES):
            sign_in(agent, "agent.x", "not the password")
        assert sign_in(agent, "agent.x").status_code == 401, "locked"
    sign_in(client, "admin.x")
    token = csrf(client)
    weak = client.post(
        "/admin/users/agent.x/password",
        data={"password": "short", "_csrf_token": token},
    )
    assert weak.status_code == 400 and "agent.x: Un mot de passe a de" in weak.text
    unknown = client.post(
        "/admin/users/nobody.x/password",
        data={"password": "another long password", "_csrf_token": token},
    )
    assert unknown.status_code == 404
    done = client.post(
        "/admin/users/agent.x/password",
        data={"password": "another long password", "_csrf_token": token},
    )
    assert done.status_code == 200 and 'id="reset-done"' in done.text
    with TestClient(client.app, base_url="http://testserver.local") as agent:
        assert sign_in(agent, "agent.x").status_code == 401, "old password"
        assert sign_in(agent, "agent.x", "another long password").status_code == 303


def test_a_password_reset_ends_the_sessions_opened_before_it(site):
    client, runtime, *_ = site
    with TestClient(client.app, base_url="http://testserver.local") as agent:
        assert sign_in(agent, "agent.x").status_code == 303
        assert agent.get("/console/").status_code == 200
        runtime.clock.advance(seconds=5)
        sign_in(client, "admin.x")
        done = client.post(
            "/admin/users/agent.x/password",
            data={"password": "a brand new password", "_csrf_token": csrf(client)},
        )
        assert done.status_code == 200
        r = agent.get("/console/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        runtime.clock.advance(seconds=5)
        assert sign_in(agent, "agent.x", "a brand new password").status_code == 303
        assert agent.get("/console/").status_code == 200


def test_unknown_pages_answer_a_page_and_unknown_api_paths_json(site):
    client, *_ = site
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Page introuvable." in r.text
    r = client.get("/api/no/such/thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_the_language_switch_sets_english(site):
    client, *_ = site
    token = csrf(client)
    client.post("/lang", data={"lang": "en", "next": "/login", "_csrf_token": token})
    page = client.get("/login")
    assert 'lang="en"' in page.text and "Sign in" in page.text
    wrong = sign_in(client, "agent.x", "nope nope nope")
    assert "Wrong user name or password." in wrong.text


def test_the_cli_creates_disables_and_resets_people(database_url, monkeypatch, capsys):
    from archive_svc import cli

    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    monkeypatch.setenv("ARCHIVE_MQTT_BROKER", "off")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        cli.main(
            [
                "user",
                "create",
                "--id",
                "cli.user",
                "--name",
                "Cli",
                "--role",
                "archive_agent",
                "--division",
                "asia",
                "--password-stdin",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            [
                "user",
                "create",
                "--id",
                "cli.bad",
                "--name",
                "B",
                "--role",
                "archive_agent",
                "--division",
                "mars",
                "--password-stdin",
            ]
        )
        == 1
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "2\n"))
    assert cli.main(["user", "reset-password", "cli.user", "--password-stdin"]) == 0
    assert cli.main(["user", "disable", "cli.user"]) == 0
    assert cli.main(["user", "enable", "cli.user"]) == 0
    assert cli.main(["user", "enable", "nobody"]) == 1
    assert cli.main(["user", "disable", "nobody"]) == 1


def test_sign_ins_are_journaled_under_the_person_or_a_placeholder(site):
    client, runtime, *_ = site
    assert sign_in(client, "agent.x").status_code == 303
    assert sign_in(client, "  Nobody.Y ", "wrong password here").status_code == 401
    assert sign_in(client, "Agent.X", "wrong password here").status_code == 401
    rows, _ = client.blocking_portal.call(
        runtime.queries.journal_entries, _query(action="sign_in"), 0, 10
    )
    assert [
        (r.principal_ref, r.role, r.object_ref, r.decision, r.reason, r.channel)
        for r in reversed(rows)
    ] == [
        ("agent.x", "archive_agent", "agent.x", "allow", "password_ok", "web"),
        ("unknown_account", "", "", "deny", "invalid", "web"),
        ("agent.x", "", "", "deny", "invalid", "web"),
    ]
