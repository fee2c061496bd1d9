"""Printing labels from the agents' console: selections, the preview, the PDF, bad input.

Every PDF is read back with a real barcode reader: a selection is right only when
the barcodes on the sheet are exactly the ones it names.
"""

from __future__ import annotations

import html
import re

import pytest

import labels
from archive_svc import printing
from archive_svc.services import custody
from tests import builders as b
from tests.decoding import decode_pdf
from tests.integration.web_support import add_people, csrf, sign_in, web_client


async def record(runtime, *moves) -> None:  # type: ignore[no-untyped-def]
    results = await custody.record_movements(
        b.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )
    assert [r.status for r in results] == ["recorded"] * len(moves), results


@pytest.fixture
async def store(runtime):
    """Five shelves; boxes 0-2 on shelf 0 (box 0 holds files 0-3), box 3 on shelf 2."""
    shelves = await b.storeroom(runtime, shelves=5, capacity_mm=2000)
    boxes = await b.items(runtime, "box", 4)
    files = await b.items(runtime, "file", 5)
    await b.people(runtime)
    await record(
        runtime,
        *(b.move(x.barcode, "accession", shelves[0].barcode) for x in boxes[:3]),
        b.move(boxes[3].barcode, "accession", shelves[2].barcode),
        *(b.move(f.barcode, "accession", boxes[0].barcode) for f in files[:4]),
    )
    await add_people(
        runtime, {"agent.p": "archive_agent", "officer.p": "protection_officer"}
    )
    return runtime, shelves, boxes, files


@pytest.fixture
def agent(store):
    runtime, *_ = store
    with web_client(runtime) as client:
        assert sign_in(client, "agent.p").status_code == 303
        yield client


def post(client, path: str = "/console/labels/", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"_csrf_token": csrf(client), **fields})


def pdf_codes(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    return decode_pdf(response.content)


def test_box_labels_for_what_a_shelf_holds(store, agent):
    _, shelves, boxes, _ = store
    r = post(agent, selection="contents", ref=shelves[0].barcode, kind="box")
    assert sorted(pdf_codes(r)) == sorted(x.barcode for x in boxes[:3])


async def test_box_labels_for_a_whole_bay_follow_the_walk_order(store):
    runtime, shelves, boxes, _ = store
    bay = shelves[0].code.rsplit("-S", 1)[0]
    job = printing.PrintJob("box", "avery-l7163", query=f"contents:{bay}")
    result = await printing.render(job, runtime.queries)
    on_first = sorted(x.barcode for x in boxes[:3])
    assert sorted(decode_pdf(result.pdf)) == sorted([*on_first, boxes[3].barcode])
    selected = await printing._query(job.query, "box", runtime.queries)
    assert selected == [*on_first, boxes[3].barcode], "shelf by shelf"


def test_file_labels_for_what_a_box_holds(store, agent):
    _, _, boxes, files = store
    r = post(agent, selection="contents", ref=boxes[0].barcode, kind="file")
    assert sorted(pdf_codes(r)) == sorted(f.barcode for f in files[:4])


def test_a_shelf_range_prints_the_shelves_between_in_walk_order(store, agent):
    _, shelves, _, _ = store
    r = post(
        agent,
        selection="range",
        first=shelves[3].barcode,
        last=shelves[1].code,
        layout="avery-l7163",
    )
    assert pdf_codes(r) == [s.barcode for s in shelves[1:4]]


def test_every_shelf_below_a_location(store, agent):
    _, shelves, _, _ = store
    storeroom = shelves[0].code.rsplit("-E1", 1)[0]
    r = post(agent, selection="shelves", ref=storeroom)
    assert sorted(pdf_codes(r)) == sorted(s.barcode for s in shelves)


async def test_new_accessions_of_the_day_and_only_those(store):
    runtime, shelves, boxes, _ = store
    runtime.clock.advance(days=3)
    late = await b.items(runtime, "box", 2)
    await record(
        runtime, *(b.move(x.barcode, "accession", shelves[4].barcode) for x in late)
    )
    day = runtime.clock.now().date()
    job = printing.PrintJob("box", "avery-l7160", query=f"accessions:{day}")
    result = await printing.render(job, runtime.queries)
    assert sorted(decode_pdf(result.pdf)) == sorted(x.barcode for x in late)
    span = f"accessions:{day.replace(day=1)}..{day}"
    result = await printing.render(
        printing.PrintJob("box", "avery-l7160", query=span), runtime.queries
    )
    assert sorted(decode_pdf(result.pdf)) == sorted(x.barcode for x in [*boxes, *late])


def test_the_accessions_form_prints_the_day_s_boxes(store, agent):
    runtime, _, boxes, _ = store
    day = runtime.clock.now().date().isoformat()
    r = post(agent, selection="accessions", since=day, until=day, kind="box")
    assert sorted(pdf_codes(r)) == sorted(x.barcode for x in boxes)


def test_typed_codes_and_the_command_sheet(store, agent):
    _, _, boxes, _ = store
    typed = f"{boxes[1].barcode}\n{boxes[3].barcode.lower()}, "
    r = post(agent, selection="codes", codes=typed, kind="box", start="5")
    assert pdf_codes(r) == [boxes[1].barcode, boxes[3].barcode]
    command = pdf_codes(post(agent, selection="command", layout="avery-l7163"))
    assert "CMD-SHELVE" in command and "CMD-CANCEL" in command


def test_the_preview_counts_labels_and_pages(store, agent):
    _, shelves, _, _ = store
    r = post(
        agent,
        "/console/labels/preview",
        selection="contents",
        ref=shelves[0].barcode,
        kind="box",
        start="20",
        layout="avery-l7160",
    )
    assert r.status_code == 200
    assert 'data-labels="3"' in r.text
    assert re.search(r"pages : 2|pages: 2", r.text), "slots 20, 21 then a new sheet"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"selection": "contents", "ref": "NOWHERE-42"}, "NOWHERE-42"),
        ({"selection": "contents", "ref": ""}, "Indiquez le lieu ou la boîte"),
        ({"selection": "range", "first": "x", "last": ""}, "la dernière tablette"),
        ({"selection": "accessions", "since": "31/12/2026"}, "31/12/2026 » n'est pas"),
        ({"selection": "codes", "codes": "", "kind": "box"}, "vide : rien à imprimer"),
        ({"selection": "command", "layout": "letter-us"}, "« letter-us » n'existe"),
        ({"selection": "command", "start": "99"}, "un nombre de 1 à 21"),
        ({"selection": "command", "start": "two"}, "doit être un nombre"),
        ({"selection": "teleport"}, "Cette sélection n'existe pas."),
    ],
)
def test_bad_selections_say_what_is_wrong(store, agent, fields, message):
    r = post(agent, **fields)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert message in html.unescape(r.text)
    preview = post(agent, "/console/labels/preview", **fields)
    incomplete = any(v == "" for k, v in fields.items() if k in ("ref", "last"))
    summary = "empty" if incomplete else "error"  # a field not filled yet is no error
    assert f'data-summary="{summary}"' in preview.text
    assert message in html.unescape(preview.text)


def test_a_box_label_is_refused_for_a_file_barcode(store, agent):
    _, _, _, files = store
    r = post(agent, selection="codes", codes=files[0].barcode, kind="box")
    assert r.status_code == 400
    assert (
        f"{files[0].barcode} n'est pas du type d'étiquettes choisi."
        in html.unescape(r.text)
    )


def test_a_shelf_range_across_kinds_is_refused(store, agent):
    _, shelves, _, _ = store
    bay = shelves[0].code.rsplit("-S", 1)[0]
    r = post(agent, selection="range", first=shelves[0].barcode, last=bay)
    assert r.status_code == 400 and "n'est pas une tablette." in html.unescape(r.text)


def test_location_and_box_pages_link_to_the_prefilled_form(store, agent):
    _, shelves, boxes, _ = store
    page = agent.get(f"/console/locations/{shelves[0].barcode}")
    link = (
        f"/console/labels/?selection=contents&amp;ref={shelves[0].barcode}&amp;kind=box"
    )
    assert link in page.text
    form = agent.get(link.replace("&amp;", "&"))
    assert f'value="{shelves[0].barcode}"' in form.text
    assert 'id="sel-contents" name="selection" value="contents" checked' in form.text
    box_page = agent.get(f"/console/items/{boxes[0].barcode}")
    assert "selection=contents&amp;ref=" + boxes[0].barcode in box_page.text


def test_people_outside_the_archives_cannot_print(store):
    runtime, shelves, _, _ = store
    with web_client(runtime) as client:
        sign_in(client, "officer.p")
        assert client.get("/console/labels/").status_code == 403
        r = post(client, selection="shelves", ref=shelves[0].barcode)
        assert r.status_code == 403
        assert "application/pdf" not in r.headers["content-type"]


def test_without_a_csrf_token_nothing_is_printed(agent):
    r = agent.post("/console/labels/", data={"selection": "command"})
    assert r.status_code == 403 and "application/pdf" not in r.headers["content-type"]


async def test_a_selection_over_the_limit_is_refused_not_cut(store, monkeypatch):
    runtime, shelves, _, _ = store
    monkeypatch.setattr(printing, "MAX_LABELS", 2)
    job = printing.PrintJob(
        "box", "avery-l7160", query=f"contents:{shelves[0].barcode}"
    )
    with pytest.raises(printing.SelectionError, match="more than 2 labels"):
        await printing.render(job, runtime.queries)
    assert isinstance(
        await printing.render(
            printing.PrintJob("location", "avery-l7160", (shelves[0].barcode,)),
            runtime.queries,
        ),
        labels.RenderResult,
    )
