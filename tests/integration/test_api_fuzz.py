"""Schemathesis over the whole JSON API: no server error, every answer as documented."""

from __future__ import annotations

import asyncio
import uuid

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NOT_SET

from archive_svc.api.app import AppDeps, create_app
from archive_svc.services import registry
from tests import builders as b

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25
"""Per operation; six operations keep the whole run well under a minute."""


async def test_fuzzing_the_api_finds_no_server_error_and_no_schema_violation(runtime):
    (shelf,) = await b.storeroom(runtime, shelves=1)
    boxes = await b.items(runtime, "box", 2)
    await b.people(runtime)
    token = await registry.create_token("fuzz", None, runtime.uow(), person=b.MANAGER)
    app = create_app(
        AppDeps(runtime.uow, runtime.queries, runtime.clock, runtime.policy)
    )
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    known_shelf = shelf.barcode
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        await _in_thread(check)

    # Random barcodes rarely name a real item: also call every operation with real
    # data, so that the successful answers are checked against their schema too.
    known = {
        "barcode": boxes[0].barcode,
        "shelf": known_shelf,
        "movements": {
            "movements": [
                {
                    "id": str(uuid.uuid4()),
                    "item": boxes[0].barcode,
                    "kind": "accession",
                    "to": shelf.barcode,
                    "actor": b.AGENT,
                }
            ]
        },
    }
    statuses = await asyncio.to_thread(_real_calls, operations, known, headers)
    assert set(statuses.values()) <= {200, 201}, statuses
    assert len(statuses) == len(operations)


def _real_calls(operations, known, headers) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One call per operation with existing barcodes (items, then their shelf)."""
    statuses: dict[str, int] = {}
    for operation in sorted(operations, key=lambda o: o.method != "post"):
        params = {}
        if "{barcode}" in operation.path:
            params["barcode"] = (
                known["shelf"] if "locations" in operation.path else known["barcode"]
            )
        body = _real_body(operation.path, known)
        case = operation.Case(path_parameters=params, body=body)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[f"{operation.method.upper()} {operation.path}"] = response.status_code
    return statuses


def _real_body(path: str, known) -> object:  # type: ignore[no-untyped-def]
    suffix = uuid.uuid4().hex[:8].upper()
    if path == "/api/movements":
        return known["movements"]
    if path == "/api/items":
        return {"kind": "box", "number": f"B-REAL-{suffix}"}
    if path == "/api/locations":
        return {"kind": "site", "code": f"S-REAL-{suffix}"}
    return NOT_SET


async def _in_thread(fn) -> None:
    """The ASGI transport drives its own loop: keep it off the test's loop."""
    await asyncio.to_thread(fn)


def test_every_json_operation_documents_its_errors_with_the_error_body():
    app = create_app(AppDeps(None, None, None, None))  # type: ignore[arg-type]
    document = app.openapi_schema.to_schema()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403"):
                content = operation["responses"].get(status, {}).get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                if schema.get("$ref") != "#/components/schemas/ErrorBody":
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []
    assert all(p.startswith("/api/") for p in document["paths"])
