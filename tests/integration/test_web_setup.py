"""What ``serve`` and ``demo`` wire for people: secret, file sessions, demo sign-in."""

from __future__ import annotations

import stat

from litestar.testing import TestClient

from archive_svc import web
from archive_svc.api.app import AppDeps, create_app
from archive_svc.config import load_settings
from archive_svc.demo import launch, seeding, simulation
from tests.integration.web_support import sign_in


def test_the_http_secret_is_generated_once_into_the_data_dir(tmp_path):
    settings = load_settings(env={"ARCHIVE_DATA_DIR": str(tmp_path)})
    first = web.http_secret(settings)
    assert len(first) >= 32 and web.http_secret(settings) == first
    mode = (tmp_path / "http_secret").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    configured = load_settings(env={"ARCHIVE_HTTP_SECRET": "from-the-environment"})
    assert web.http_secret(configured) == "from-the-environment"


async def test_the_demo_agent_signs_in_and_sees_seeded_data(runtime, tmp_path):
    plan = seeding.SeedPlan(storerooms=1, shelves=2, boxes=2, files=4)
    await seeding.seed(plan, runtime.uow, runtime.clock, runtime.policy)
    passwords = await launch.demo_passwords(runtime)
    assert len(set(passwords.values())) == len(launch.DEMO_SIGN_INS), "one each"
    settings = load_settings(
        env={"ARCHIVE_DATA_DIR": str(tmp_path), "ARCHIVE_HTTP_COOKIE_SECURE": "true"}
    )
    deps = AppDeps(
        runtime.uow,
        runtime.queries,
        runtime.clock,
        runtime.policy,
        console=runtime.console,
        web=web.web_security(settings),
    )
    with TestClient(create_app(deps), base_url="https://testserver.local") as client:
        r = sign_in(client, "agent.martin", passwords["agent.martin"])
        assert r.status_code == 303
        assert "secure" in r.headers["set-cookie"].lower()
        feed = client.get("/console/feed")
        assert feed.status_code == 200 and "Entrée (versement)" in feed.text
        labels = client.get("/console/labels/")
        assert labels.status_code == 200 and "avery-l7160" in labels.text
        assert client.get("/admin/users/").status_code == 403
    with TestClient(create_app(deps), base_url="https://testserver.local") as client:
        wrong = passwords["agent.martin"]
        assert sign_in(client, launch.DEMO_ADMIN.id, wrong).status_code == 401
        admin = passwords[launch.DEMO_ADMIN.id]
        assert sign_in(client, launch.DEMO_ADMIN.id, admin).status_code == 303
        people = client.get("/admin/users/")
        assert people.status_code == 200 and "manager.durand" in people.text
    assert any((tmp_path / "sessions").iterdir()), "sessions are kept in files"


def test_the_demo_banner_fits_80_columns_and_keeps_commands_whole():
    token = "as_" + "x" * 43
    passwords = {pid: "demo-" + "p" * 12 for pid, _ in launch.DEMO_SIGN_INS}
    lines = launch.banner(
        "http://127.0.0.1:65535",
        passwords,
        token,
        simulation.STATIONS,
        11883,
        "var/checkpoint.key",
    )
    assert max(len(line) for line in lines) <= launch.BANNER_WIDTH
    assert f"    export TOKEN={token}" in lines
    assert "    var/checkpoint.key" in lines
    curl = next(i for i, line in enumerate(lines) if "curl" in line)
    command = lines[curl].rstrip("\\").strip() + " " + lines[curl + 1].strip()
    assert command == (
        'curl -H "Authorization: Bearer $TOKEN"'
        " http://127.0.0.1:65535/api/locations/M1/contents"
    )
    for pid, password in passwords.items():
        assert any(pid in line and password in line for line in lines)
