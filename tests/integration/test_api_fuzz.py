"""Schemathesis over the whole JSON API: no server error, every answer as documented."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

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
    await b.storeroom(runtime, shelves=1)
    await b.items(runtime, "box", 2)
    token = await registry.create_token("fuzz", "archive_manager", runtime.uow())
    app = create_app(
        AppDeps(runtime.uow, runtime.queries, runtime.clock, runtime.policy)
    )
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
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


async def _in_thread(fn) -> None:
    """The ASGI transport drives its own loop: keep it off the test's loop."""
    import asyncio

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
