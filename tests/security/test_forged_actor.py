"""Issue 10, finding 1: nobody signs a movement as somebody else.

A movement is recorded as done by the authenticated person (a personal token's
owner, the signed-in person, the agent whose badge signed in on the submitting
station); the submitter is hashed with it.
"""

from __future__ import annotations

from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from tests import builders as b
from tests.security import support as s


async def _ledger_rows() -> list[dict]:
    return await fetch(
        current(),
        "SELECT kind, actor_ref, submitter_kind, submitter_ref, hash_format"
        " FROM movement ORDER BY seq",
    )


async def _world(runtime):  # type: ignore[no-untyped-def]
    await s.cast(runtime)
    shelves = await b.storeroom(runtime, shelves=2, capacity_mm=1000)
    boxes = await b.items(runtime, "box", 2)
    await s.accession(runtime, boxes, shelves[0])
    return shelves, boxes


async def test_an_agent_token_naming_a_manager_as_actor_is_refused(runtime):
    _, boxes = await _world(runtime)
    token = await s.personal_token(runtime, b.AGENT)
    with s.api_client(runtime) as client:
        (result,) = s.post(
            client,
            token,
            s.movement(
                boxes[0].barcode, "declare_missing", actor=b.MANAGER, reason="lost"
            ),
        )
    assert (result["status"], result["code"]) == ("rejected", "actor_not_caller")
    assert [r["kind"] for r in await _ledger_rows()] == ["accession", "accession"]


async def test_a_gateway_token_naming_the_system_principal_records_nothing(runtime):
    _, boxes = await _world(runtime)
    station = s.new_station()
    token = await s.station_token(runtime, station)
    forged = [
        s.movement(boxes[0].barcode, "declare_missing", actor="system", reason="x"),
        s.movement(
            boxes[1].barcode, "correction", s.FOREIGN, actor="system", reason="x",
            payload={"corrects_seq": 1},
        ),
    ]  # fmt: skip
    with s.api_client(runtime) as client:
        results = s.post(client, token, *forged)
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert [r["kind"] for r in await _ledger_rows()] == ["accession", "accession"]


async def test_a_station_speaks_only_for_the_badge_signed_in_on_it(runtime):
    _shelves, boxes = await _world(runtime)
    station, other = s.new_station(), s.new_station()
    token = await s.station_token(runtime, station)
    with s.api_client(runtime) as client:
        (nobody,) = s.post(client, token, s.movement(boxes[0].barcode, "pick"))
        assert nobody["code"] == "actor_required"
        assert await s.scan(runtime, other, s.AGENT_BADGE) == ["agent_set"]
        (elsewhere,) = s.post(client, token, s.movement(boxes[0].barcode, "pick"))
        assert elsewhere["code"] == "actor_required"
        assert await s.scan(runtime, station, s.AGENT_BADGE) == ["agent_set"]
        (named_other,) = s.post(
            client,
            token,
            s.movement(boxes[0].barcode, "pick", actor=b.MANAGER, reason="RSN-AUDIT"),
        )
        assert named_other["code"] == "actor_not_caller"
        (other_device,) = s.post(
            client,
            token,
            s.movement(boxes[0].barcode, "pick", device_id=other, reason="audit"),
        )
        assert other_device["code"] == "actor_not_caller"
        (ok,) = s.post(
            client, token, s.movement(boxes[0].barcode, "pick", reason="audit")
        )
    assert ok["status"] == "recorded"
    last = (await _ledger_rows())[-1]
    assert (last["kind"], last["actor_ref"]) == ("pick", s.AGENT_ON_STATION)
    assert (last["submitter_kind"], last["submitter_ref"]) == ("station", station)


async def test_the_chained_row_names_the_token_that_submitted_it(runtime):
    shelves, boxes = await _world(runtime)
    token = await s.personal_token(runtime, b.AGENT)
    with s.api_client(runtime) as client:
        (result,) = s.post(
            client, token, s.movement(boxes[0].barcode, "relocate", shelves[1].barcode)
        )
    assert result["status"] == "recorded"
    last = (await _ledger_rows())[-1]
    assert last["actor_ref"] == b.AGENT
    assert last["submitter_kind"] == "token"
    assert last["submitter_ref"].startswith(f"{b.AGENT}-")
    assert last["hash_format"] == 2


async def test_role_rules_apply_to_the_station_even_with_a_manager_signed_in(
    runtime,
):
    _, boxes = await _world(runtime)
    station = s.new_station()
    token = await s.station_token(runtime, station)
    assert await s.scan(runtime, station, s.MANAGER_BADGE) == ["agent_set"]
    with s.api_client(runtime) as client:
        (result,) = s.post(
            client,
            token,
            s.movement(boxes[0].barcode, "declare_missing", reason="lost"),
        )
    assert (result["status"], result["code"]) == ("rejected", "role_required")


async def test_a_person_without_an_archive_role_cannot_sign_in_on_a_station(
    runtime,
):
    await _world(runtime)
    station = s.new_station()
    assert await s.scan(runtime, station, s.READER_BADGE) == ["not_an_agent"]


async def test_the_openapi_document_says_the_actor_field_is_not_trusted(runtime):
    with s.api_client(runtime) as client:
        doc = client.get("/schema/openapi.json").json()
    movement_in = doc["components"]["schemas"]["MovementIn"]["properties"]
    described = str(movement_in["actor"])
    assert "Not trusted" in described and "actor_not_caller" in described
