"""The JSON API through litestar's test client, on the engine of this run."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from archive_svc.api.app import AppDeps, create_app
from archive_svc.domain.barcodes import check_character
from archive_svc.services import registry
from archive_svc.services.ports.journal import JournalQuery
from tests import builders as b


@pytest.fixture
async def api(runtime):
    await b.people(runtime)
    shelves = await b.storeroom(runtime, shelves=2, capacity_mm=300)
    boxes = await b.items(runtime, "box", 3)
    holders = {
        "archive_agent": b.AGENT,
        "protection_officer": b.OFFICER_A,
        "archive_manager": b.MANAGER,
    }
    tokens = {
        role: await registry.create_token(
            f"{role}-{b.uid()[:8]}", None, runtime.uow(), person=person
        )
        for role, person in holders.items()
    }
    tokens["gateway"] = await registry.create_token(
        f"st-{b.uid()[:8]}", "gateway", runtime.uow()
    )
    app = create_app(
        AppDeps(runtime.uow, runtime.queries, runtime.clock, runtime.policy)
    )
    with TestClient(app) as client:
        yield client, tokens, shelves, boxes


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def movement(item: str, kind: str, to: str | None = None, **extra):
    return {
        "id": b.uid(),
        "item": item,
        "kind": kind,
        "to": to,
        **extra,
    }


def test_an_agent_records_a_batch_and_gets_one_answer_per_movement(api):
    client, tokens, shelves, boxes = api
    body = {
        "movements": [
            movement(boxes[0].barcode, "accession", shelves[0].barcode),
            movement("BX1", "accession", shelves[0].barcode),
        ]
    }
    r = client.post("/api/movements", json=body, headers=auth(tokens["archive_agent"]))
    assert r.status_code == 200
    data = r.json()
    assert [x["status"] for x in data["results"]] == ["recorded", "rejected"]
    assert data["results"][1]["code"] == "malformed_barcode"
    assert (data["recorded"], data["rejected"]) == (1, 1)
    again = client.post(
        "/api/movements",
        json={"movements": [body["movements"][0]]},
        headers=auth(tokens["archive_agent"]),
    )
    assert again.json()["results"][0]["status"] == "duplicate"


def test_where_is_history_and_contents(api):
    client, tokens, shelves, boxes = api
    moves = [movement(x.barcode, "accession", shelves[0].barcode) for x in boxes[:2]]
    client.post(
        "/api/movements",
        json={"movements": moves},
        headers=auth(tokens["archive_agent"]),
    )
    client.post(
        "/api/movements",
        json={
            "movements": [movement(boxes[0].barcode, "relocate", shelves[1].barcode)]
        },
        headers=auth(tokens["archive_agent"]),
    )
    where = client.get(
        f"/api/items/{boxes[0].barcode}", headers=auth(tokens["archive_agent"])
    ).json()
    assert where["location"]["barcode"] == shelves[1].barcode
    assert where["movement"]["kind"] == "relocate" and where["state"] == "in_storage"
    history = client.get(
        f"/api/items/{boxes[0].barcode}/history?page_size=1",
        headers=auth(tokens["archive_agent"]),
    ).json()
    assert history["total"] == 2 and [h["kind"] for h in history["items"]] == [
        "relocate"
    ]
    page2 = client.get(
        f"/api/items/{boxes[0].barcode}/history?page_size=1&page=2",
        headers=auth(tokens["archive_agent"]),
    ).json()
    assert [h["kind"] for h in page2["items"]] == ["accession"]
    contents = client.get(
        f"/api/locations/{shelves[0].barcode}/contents",
        headers=auth(tokens["archive_agent"]),
    ).json()
    assert [i["barcode"] for i in contents["items"]] == [boxes[1].barcode]
    assert contents["occupied_mm"] == 100 and contents["free_mm"] == 200


def test_lowercase_and_spaced_barcodes_are_normalised(api):
    client, tokens, shelves, boxes = api
    client.post(
        "/api/movements",
        json={
            "movements": [movement(boxes[0].barcode, "accession", shelves[0].barcode)]
        },
        headers=auth(tokens["archive_agent"]),
    )
    typed = " ".join(
        [boxes[0].barcode[:2], boxes[0].barcode[2:6], boxes[0].barcode[6:]]
    ).lower()
    r = client.get(f"/api/items/{typed}", headers=auth(tokens["archive_agent"]))
    assert r.status_code == 200 and r.json()["barcode"] == boxes[0].barcode


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/items/BX00000000", 400, "bad_check_character"),
        ("/api/items/ZZ123", 400, "malformed_barcode"),
        (
            "/api/items/BX99999999" + check_character("BX99999999"),
            404,
            "unknown_barcode",
        ),
        ("/api/locations/NOWHERE/contents", 404, "unknown_barcode"),
        ("/api/items/BX00000001X/history?page=0", 400, "invalid_request"),
    ],
)
def test_bad_reads_get_specific_errors(api, path, status, code):
    client, tokens, _, _ = api
    r = client.get(path, headers=auth(tokens["archive_agent"]))
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_missing_token_wrong_token_and_wrong_role_are_refused(api):
    client, tokens, _shelves, boxes = api
    url = f"/api/items/{boxes[0].barcode}"
    assert client.get(url).json()["code"] == "unauthenticated"
    assert client.get(url, headers=auth("as_nope")).status_code == 401
    r = client.get(url, headers=auth(tokens["protection_officer"]))
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = client.post(
        "/api/movements",
        json={"movements": []},
        headers=auth(tokens["protection_officer"]),
    )
    assert r.status_code == 403
    r = client.post(
        "/api/locations",
        json={"kind": "shelf", "code": "X-1"},
        headers=auth(tokens["archive_agent"]),
    )
    assert r.status_code == 403


def test_malformed_json_unknown_fields_and_oversized_batches_are_refused(api):
    client, tokens, shelves, boxes = api
    h = {**auth(tokens["gateway"]), "content-type": "application/json"}
    r = client.post("/api/movements", content=b"{nope", headers=h)
    assert (r.status_code, r.json()["code"]) == (400, "malformed_json")
    r = client.post(
        "/api/movements",
        json={"movements": [{**movement(boxes[0].barcode, "verify"), "extra": 1}]},
        headers=h,
    )
    assert (r.status_code, r.json()["code"]) == (400, "invalid_request")
    too_many = {
        "movements": [movement(boxes[0].barcode, "verify", shelves[0].barcode)] * 501
    }
    r = client.post("/api/movements", json=too_many, headers=h)
    assert (r.status_code, r.json()["code"]) == (413, "batch_too_large")


def test_registering_items_and_locations(api):
    client, tokens, shelves, _ = api
    r = client.post(
        "/api/items",
        json={"kind": "file", "number": "2024-12 345", "division": "asia"},
        headers=auth(tokens["archive_agent"]),
    )
    assert r.status_code == 201 and r.json()["barcode"].startswith("DS202412345")
    dup = client.post(
        "/api/items",
        json={"kind": "file", "number": "2024-12 345"},
        headers=auth(tokens["archive_agent"]),
    )
    assert (dup.status_code, dup.json()["code"]) == (409, "already_exists")
    loc = client.post(
        "/api/locations",
        json={
            "kind": "shelf",
            "code": f"NEW-{b.uid()[:6]}",
            "parent": shelves[0].barcode,
            "capacity_mm": 900,
        },
        headers=auth(tokens["archive_manager"]),
    )
    assert loc.status_code == 201 and loc.json()["barcode"].startswith("LC")
    orphan = client.post(
        "/api/locations",
        json={"kind": "shelf", "code": "ORPHAN", "parent": "NOPE"},
        headers=auth(tokens["archive_manager"]),
    )
    assert (orphan.status_code, orphan.json()["code"]) == (404, "unknown_target")


def test_openapi_document_lists_every_json_route(api):
    client, _, _, _ = api
    doc = client.get("/schema/openapi.json").json()
    assert {
        "/api/movements",
        "/api/items/{barcode}",
        "/api/items/{barcode}/history",
        "/api/locations/{barcode}/contents",
        "/api/items",
        "/api/locations",
    } <= set(doc["paths"])


def test_api_calls_are_journaled_once_under_the_token_on_the_api_channel(api, runtime):
    client, _tokens, _shelves, boxes = api
    name = f"reader-{b.uid()[:8]}"
    token = client.blocking_portal.call(
        registry.create_token, name, "integration", runtime.uow()
    )
    assert client.get(f"/api/items/{boxes[0].barcode}", headers=auth(token)).is_success
    assert client.get(f"/api/items/{boxes[1].barcode}").status_code == 401
    mine, _ = client.blocking_portal.call(
        runtime.queries.journal_entries, JournalQuery(principal_ref=name), 0, 10
    )
    rows = [
        (r.role, r.action, r.object_ref, r.decision, r.rule, r.reason, r.channel)
        for r in reversed(mine)
    ]
    route = f"/api/items/{boxes[0].barcode}"
    assert rows == [
        (
            "integration",
            "read_custody",
            route,
            "allow",
            "route:read_custody",
            "role_allowed",
            "api",
        ),
        (
            "integration",
            "read_item",
            boxes[0].barcode,
            "allow",
            "route:read_custody",
            "read",
            "api",
        ),
    ]
    anonymous, _ = client.blocking_portal.call(
        runtime.queries.journal_entries, JournalQuery(principal_ref="anonymous"), 0, 10
    )
    assert [
        (r.role, r.object_ref, r.decision, r.rule, r.reason) for r in anonymous
    ] == [("", f"/api/items/{boxes[1].barcode}", "deny", "Z", "unauthenticated")]
