"""Finding 8: bad input is a 4xx with the project's error body, never a 500.

On PostgreSQL a NUL byte in any text reached the database (500); page numbers,
a deep JSON payload, a static path and an accession span at the ends of the
calendar broke too, some with litestar's default body. And an error nobody
foresaw is logged with a request id, which is all the person is shown.
"""

from __future__ import annotations

import copy
import logging
import re
import typing
from collections.abc import Iterator

import msgspec
import pytest

from archive_svc import printing
from archive_svc.api import inputs
from archive_svc.api.app import AppDeps, create_app
from archive_svc.services.ports.journal import JournalQuery
from tests.integration.web_support import csrf, sign_in


def _is_error_body(response, code: str) -> bool:  # type: ignore[no-untyped-def]
    body = response.json()
    return body["code"] == code and isinstance(body["message"], str)


def test_a_nul_byte_in_the_sign_in_form_is_refused_as_bad_input(client):
    for form in ({"login": "agent\x00.x"}, {"login": "agent.x", "password": "a\x00"}):
        data = {"password": "whatever at all", **form, "_csrf_token": csrf(client)}
        response = client.post("/login", data=data)
        assert response.status_code == 400, form
        assert "La demande est invalide." in response.text


async def test_a_control_character_in_an_api_path_is_refused_and_journaled(
    site, client
):
    response = client.get("/api/items/a%00b", headers=site.bearer)
    assert response.status_code == 400 and _is_error_body(response, "invalid_request")
    rows, _ = await site.runtime.queries.journal_entries(
        JournalQuery(decision="deny"), 0, 10
    )
    assert [(r.principal_ref, r.object_ref, r.rule, r.reason) for r in rows] == [
        ("manager.x", "/api/items/a\\x00b", "input", "control_character")
    ]


def test_control_characters_in_static_paths_and_query_strings_are_400(client):
    assert client.get("/static/%00app.css").status_code == 400
    assert client.get("/login?next=%00").status_code == 400
    sign_in(client, "agent.x")
    for url in ("/console/search?q=a%00b", "/console/search?q=a%1bb"):
        assert client.get(url).status_code == 400, url
    client.post("/logout", data={"_csrf_token": csrf(client)})
    sign_in(client, "dpo.x")
    assert client.get("/journal/?who=%00").status_code == 400


@pytest.mark.parametrize("page_no", ["0", "-1", "100001", "99999999999999999999"])
def test_page_numbers_out_of_range_are_400(site, client, page_no):
    sign_in(client, "agent.x")
    item = client.get(f"/console/items/{site.box.barcode}?page_no={page_no}")
    assert item.status_code == 400
    client.post("/logout", data={"_csrf_token": csrf(client)})
    sign_in(client, "dpo.x")
    assert client.get(f"/journal/?page_no={page_no}").status_code == 400


def _movement(site, payload: str) -> str:  # type: ignore[no-untyped-def]
    movement = (
        f'{{"id": "m-1", "item": "{site.box.barcode}", "kind": "shelve",'
        f' "to": "{site.shelves[0].barcode}", "payload": {payload}}}'
    )
    return f'{{"movements": [{movement}]}}'


@pytest.mark.parametrize(
    "payload",
    [
        '{"a": ' * 1000 + "{}" + "}" * 1000,
        '{"a": ' * 20 + "{}" + "}" * 20,
        "[" * 5000 + "]" * 5000,
        "[" * 1000,
        '{"note": "a\\u0000b"}',
        '{"a\\u0000": 1}',
    ],
    ids=[
        "1000-deep",
        "20-deep",
        "5000-deep-array",
        "1000-unclosed",
        "nul-in-value",
        "nul-in-key",
    ],
)
def test_a_deep_or_nul_bearing_payload_is_400(site, client, payload):
    response = client.post(
        "/api/movements",
        content=_movement(site, payload),
        headers={**site.bearer, "content-type": "application/json"},
    )
    assert response.status_code == 400 and _is_error_body(response, "invalid_request")


def test_a_shallow_payload_is_still_recorded(site, client):
    brackets_in_text = '\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{'
    payload = (
        '{"a": ' * inputs.MAX_JSON_DEPTH
        + f'"x\\ty {brackets_in_text}"'
        + "}" * inputs.MAX_JSON_DEPTH
    )
    response = client.post(
        "/api/movements",
        content=_movement(site, payload),
        headers={**site.bearer, "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] in ("recorded", "rejected")


def test_a_nul_byte_in_a_json_field_is_400(site, client):
    body = {"kind": "box", "number": "B-\x00-1"}
    response = client.post("/api/items", json=body, headers=site.bearer)
    assert response.status_code == 400 and _is_error_body(response, "invalid_request")


def test_an_accession_span_at_the_ends_of_the_calendar_is_refused(client):
    sign_in(client, "agent.x")
    form = {
        "selection": "accessions",
        "since": "0001-01-01",
        "until": "9999-12-31",
        "kind": "box",
        "layout": "avery-l7160",
        "start": "1",
        "_csrf_token": csrf(client),
    }
    assert client.post("/console/labels/", data=form).status_code == 400
    preview = client.post("/console/labels/preview", data=form)
    assert preview.status_code == 200 and "9998-12-31" in preview.text
    for span in ("0001-01-01", "2026-01-01..9999-12-31", "1899-12-31..2026-01-01"):
        with pytest.raises(printing.SelectionError):
            printing.day_span(span)


def _queries_that_fail(real):  # type: ignore[no-untyped-def]
    """The real read side, except that ``where_is`` fails as a bug would."""

    class QueriesThatFail(type(real)):  # type: ignore[misc]
        async def where_is(self, code: str) -> typing.NoReturn:
            raise RuntimeError("secret detail of the failure")

    failing = copy.copy(real)
    failing.__class__ = QueriesThatFail
    return failing


@pytest.fixture
def failing_client(site) -> Iterator:  # type: ignore[type-arg]
    with site.client(queries=_queries_that_fail(site.runtime.queries)) as client:
        yield client


def _logged_ids(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for record in caplog.records:
        match = re.search(r"request id ([0-9a-f]{12})", record.getMessage())
        if match and record.exc_info and "secret detail" in str(record.exc_info[1]):
            found.append(match.group(1))
    return found


def test_an_unforeseen_api_error_is_logged_with_a_request_id_shown_alone(
    site, failing_client, caplog
):
    caplog.set_level(logging.ERROR)
    response = failing_client.get(f"/api/items/{site.box.barcode}", headers=site.bearer)
    assert response.status_code == 500 and _is_error_body(response, "server_error")
    request_id = response.json()["details"]["request_id"]
    assert _logged_ids(caplog) == [request_id]
    assert "secret" not in response.text and "Traceback" not in response.text


def test_an_unforeseen_page_error_is_logged_with_a_request_id_shown_alone(
    site, failing_client, caplog
):
    caplog.set_level(logging.ERROR)
    sign_in(failing_client, "agent.x")
    response = failing_client.get(f"/console/items/{site.box.barcode}")
    assert response.status_code == 500
    (request_id,) = _logged_ids(caplog)
    assert 'id="request-id"' in response.text and request_id in response.text
    assert "secret" not in response.text and "Traceback" not in response.text


def _input_structs() -> set[type[msgspec.Struct]]:
    """Every Struct a route decodes from a body, nested ones included."""
    app = create_app(AppDeps(None, None, None, None))  # type: ignore[arg-type]
    found: set[type[msgspec.Struct]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                _collect(data.annotation, found)
    return found


def _collect(annotation: object, found: set[type[msgspec.Struct]]) -> None:
    for arg in typing.get_args(annotation):
        _collect(arg, found)
    if (
        isinstance(annotation, type)
        and issubclass(annotation, msgspec.Struct)
        and annotation not in found
    ):
        found.add(annotation)
        for hint in typing.get_type_hints(annotation, include_extras=True).values():
            _collect(hint, found)


def _unguarded_text_fields(struct: type[msgspec.Struct]) -> list[str]:
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    bad = []
    for field in info.fields:
        types = getattr(field.type, "types", (field.type,))
        for kind in types:
            if isinstance(kind, msgspec.inspect.StrType) and (
                kind.pattern is None or re.search(kind.pattern, "a\x00b")
            ):
                bad.append(f"{struct.__name__}.{field.name}")
    return bad


def test_every_text_field_of_every_body_refuses_control_characters():
    structs = _input_structs()
    assert {s.__name__ for s in structs} >= {
        "LoginForm",
        "MovementIn",
        "ItemCreate",
        "LocationCreate",
        "PersonCreate",
        "RecordForm",
        "LabelForm",
    }
    assert [
        f for s in sorted(structs, key=str) for f in _unguarded_text_fields(s)
    ] == []
