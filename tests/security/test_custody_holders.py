"""Issue 10, finding 2: custody goes only to a principal who may hold files.

A ``hand_over`` or ``pick`` to a foreign authority (access-rules D1) or a
researcher is refused with ``not_a_holder``, from the API, the console and a
scanner station alike.
"""

from __future__ import annotations

import pytest

from archive_svc.access.principals import Role
from archive_svc.domain import custody
from archive_svc.domain.model import Item, Principal
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from tests import builders as b
from tests.integration.web_support import add_people, csrf, sign_in, web_client
from tests.security import support as s


async def _kinds() -> list[str]:
    rows = await fetch(current(), "SELECT kind FROM movement ORDER BY seq")
    return [r["kind"] for r in rows]


def _as_agent(item: Item, kind: str, to: str | None = None, **extra: str) -> dict:
    """A movement naming the token's own person (allowed: it is the caller)."""
    return s.movement(item.barcode, kind, to, actor=b.AGENT, **extra)


async def _picked_box(runtime):  # type: ignore[no-untyped-def]
    """A box an agent holds (picked), ready to be handed over."""
    await s.cast(runtime)
    shelves = await b.storeroom(runtime, shelves=1)
    boxes = await b.items(runtime, "box", 2)
    await s.accession(runtime, boxes, shelves[0])
    return boxes


@pytest.mark.parametrize("whom", [s.FOREIGN, s.READER])
async def test_the_api_refuses_a_hand_over_to_a_principal_who_may_not_hold(
    runtime, whom
):
    boxes = await _picked_box(runtime)
    token = await s.personal_token(runtime, b.AGENT)
    with s.api_client(runtime) as client:
        (picked,) = s.post(client, token, _as_agent(boxes[0], "pick", reason="a"))
        assert picked["status"] == "recorded"
        (handed,) = s.post(client, token, _as_agent(boxes[0], "hand_over", whom))
        (officer,) = s.post(
            client, token, _as_agent(boxes[0], "hand_over", b.OFFICER_A)
        )
    assert (handed["status"], handed["code"]) == ("rejected", "not_a_holder")
    assert officer["status"] == "recorded"
    assert (await _kinds())[-2:] == ["pick", "hand_over"]


async def test_the_api_refuses_a_pick_into_a_researchers_hands(runtime):
    boxes = await _picked_box(runtime)
    token = await s.personal_token(runtime, b.AGENT)
    with s.api_client(runtime) as client:
        (picked,) = s.post(
            client, token, _as_agent(boxes[0], "pick", s.READER, reason="a")
        )
    assert (picked["status"], picked["code"]) == ("rejected", "not_a_holder")
    assert await _kinds() == ["accession", "accession"]


async def test_the_console_refuses_a_hand_over_to_a_foreign_authority_in_french(
    runtime,
):
    boxes = await _picked_box(runtime)
    await add_people(runtime, {"agent.web": "archive_agent"})
    with web_client(runtime) as client:
        assert sign_in(client, "agent.web").status_code == 303
        token = csrf(client)

        def record(kind: str, to: str = "", reason: str = "") -> str:
            form = {"item": boxes[0].barcode, "kind": kind, "to": to, "reason": reason}
            r = client.post("/console/record", data={**form, "_csrf_token": token})
            assert r.status_code == 200
            return r.text

        assert 'data-outcome="ok"' in record("pick", reason="audit")
        refused = record("hand_over", s.FOREIGN)
    assert "not_a_holder" in refused
    assert "ne peut pas recevoir la garde de dossiers" in refused
    assert (await _kinds())[-1] == "pick"


async def test_a_station_refuses_a_foreign_badge_as_requester(runtime):
    boxes = await _picked_box(runtime)
    station = s.new_station()
    replies = await s.scan(
        runtime, station, s.AGENT_BADGE, "CMD-PICK", "RSN-AUDIT", boxes[0].barcode,
        "CMD-HANDOVER", s.FOREIGN_BADGE, s.READER_BADGE, s.OFFICER_BADGE,
        boxes[0].barcode,
    )  # fmt: skip
    assert replies == [
        "agent_set", "mode_set", "reason_set", "recorded",
        "mode_set", "not_a_holder", "not_a_holder", "requester_set", "recorded",
    ]  # fmt: skip


def test_the_holder_table_excludes_foreign_authorities_researchers_and_machines():
    holders = custody.HOLDER_ROLES
    assert holders <= {r.value for r in Role}
    for never in ("foreign_authority", "researcher", "public", "police", "gateway",
                  "integration", "administrator", "dpo_auditor"):  # fmt: skip
        assert never not in holders
    assert {"archive_agent", "archive_manager", "protection_officer"} <= holders
    system = Principal("system", "s", frozenset({"archive_manager"}), internal=True)
    assert not custody.may_hold(system)
