"""Finding 8: fuzzing the edge finds no server error, on either engine.

Hypothesis fills every HTML form and filter of the pages with arbitrary text
(control characters, markup, any Unicode); schemathesis sends the JSON API
requests that break its schema (the positive run is tests/integration/test_api_fuzz).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import quote

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests.integration.web_support import csrf, sign_in

EXAMPLES = 30
"""Per form; the whole module stays under a minute on PostgreSQL."""
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
NASTY = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "\x1b[31m",
        "<script>",
        "0",
        "-1",
        "99999999999999999999",
        "0001-01-01",
        "9999-12-31",
        "2026-03-02..9999-12-31",
        "../../etc/passwd",
        "é" * 60,
    ]
)
TEXT = ANY_TEXT | NASTY
LONG_TEXT = st.text(st.characters(codec="utf-8"), min_size=60, max_size=300) | TEXT
NUMBER = st.integers().map(str) | TEXT
DAY = st.dates().map(str) | TEXT
SPAN = st.tuples(st.dates(), st.dates()).map(lambda d: f"{d[0]}..{d[1]}") | DAY


def _fuzz(strategy: st.SearchStrategy, call: Callable[[dict[str, str]], int]) -> None:
    @given(fields=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(fields: dict[str, str]) -> None:
        status = call(fields)
        assert status < 500, (status, fields)

    check()


def _form(*names: str, **fixed: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries({name: TEXT for name in names} | fixed)


def _poster(client, path: str) -> Callable[[dict[str, str]], int]:  # type: ignore[no-untyped-def]
    token = csrf(client)
    return lambda data: (
        client.post(path, data={**data, "_csrf_token": token}).status_code
    )


def _getter(client, path: str) -> Callable[[dict[str, str]], int]:  # type: ignore[no-untyped-def]
    return lambda params: client.get(path, params=params).status_code


def test_the_sign_in_and_language_forms_never_answer_a_server_error(client):
    _fuzz(_form("login", "password", "next"), _poster(client, "/login"))
    _fuzz(_form("lang", "next"), _poster(client, "/lang"))
    _fuzz(_form("next"), _getter(client, "/login"))


def test_the_console_forms_never_answer_a_server_error(site, client):
    sign_in(client, "agent.x")
    item = st.sampled_from([site.box.barcode, site.shelves[0].barcode]) | TEXT
    kinds = st.sampled_from(["verify", "shelve", "pick", "hand_over"]) | TEXT
    record = _form("to", "reason", "event_id", item=item, kind=kinds)
    _fuzz(record, _poster(client, "/console/record"))
    _fuzz(_form("q"), _getter(client, "/console/search"))
    page = _form(page_no=NUMBER)
    _fuzz(page, _getter(client, f"/console/items/{site.box.barcode}"))
    selection = st.sampled_from(["contents", "shelves", "range", "accessions", "codes"])
    labels = _form(
        "ref",
        "first",
        "last",
        "since",
        "until",
        "codes",
        "layout",
        "start",
        selection=selection | TEXT,
        kind=st.sampled_from(["box", "file", "location"]) | TEXT,
    )
    _fuzz(labels, _poster(client, "/console/labels/preview"))
    _fuzz(labels, _poster(client, "/console/labels/"))
    _fuzz(_form("selection", "ref", "kind"), _getter(client, "/console/labels/"))


def test_the_administration_forms_never_answer_a_server_error(client):
    sign_in(client, "admin.x")
    person = _form("id", "name", "role", "division", "unit", password=LONG_TEXT)
    _fuzz(person, _poster(client, "/admin/users/"))
    reset = _form(password=LONG_TEXT)
    _fuzz(reset, _poster(client, "/admin/users/agent.x/password"))
    token = csrf(client)
    _fuzz(
        _form("person"),
        lambda f: (
            client.post(
                f"/admin/users/{quote(f['person'], safe='')}/disable",
                data={"_csrf_token": token},
            ).status_code
        ),
    )


def test_the_journal_filters_never_answer_a_server_error(client):
    sign_in(client, "dpo.x")
    filters = _form("who", "action", "decision", since=DAY, until=DAY, page_no=NUMBER)
    _fuzz(filters, _getter(client, "/journal/"))
    _fuzz(filters, _getter(client, "/journal/export.csv"))


async def test_requests_that_break_the_api_schema_never_answer_a_server_error(site):
    app = site.client().app
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=site.bearer, checks=[not_a_server_error])

        await asyncio.to_thread(check)
