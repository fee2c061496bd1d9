"""The archive-svc command line, in-process, on the engine of this run."""

from __future__ import annotations

import csv
import io
import re

import pytest

from archive_svc import cli
from tests.decoding import decode_pdf


@pytest.fixture
def seeded(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    monkeypatch.setenv("ARCHIVE_AUDIT_KEY_FILE", str(tmp_path / "checkpoint.key"))
    assert cli.main(["audit", "keygen"]) == 0
    assert (
        cli.main(
            [
                "seed",
                "--files",
                "300",
                "--boxes",
                "30",
                "--shelves",
                "12",
                "--storerooms",
                "2",
            ]
        )
        == 0
    )
    return database_url


def export(capsys) -> list[dict[str, str]]:
    capsys.readouterr()
    assert cli.main(["export", "inventory"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_seed_then_export_lists_every_item_with_its_shelf(seeded, capsys):
    rows = export(capsys)
    assert list(rows[0]) == ["barcode", "kind", "number", "location"]
    kinds = {
        k: sum(1 for r in rows if r["kind"] == k)
        for k in ("location", "box", "file", "envelope")
    }
    assert kinds["box"] == 30 and kinds["file"] == 300 and kinds["envelope"] == 15
    shelves = {r["barcode"] for r in rows if r["kind"] == "location"}
    assert all(r["location"] in shelves for r in rows if r["kind"] in ("box", "file"))


def test_import_reports_bad_rows_by_line_and_keeps_the_good_ones(
    seeded, capsys, tmp_path
):
    shelf = next(
        r
        for r in export(capsys)
        if r["kind"] == "location" and r["number"].endswith("-S2")
    )
    source = tmp_path / "in.csv"
    source.write_text(
        "barcode,kind,number,location\n"
        f",box,IMP-1,{shelf['barcode']}\n"
        ",spaceship,X,\n"
        "BX00000001Y,box,IMP-2,\n"
        f",file,2031-000001,{shelf['barcode']}\n"
        ",box,IMP-3,LC99999999Z\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli.main(["import", "inventory", str(source)]) == 1
    err = capsys.readouterr().err
    assert "in.csv:3:" in err and "spaceship" in err
    assert "in.csv:4:" in err and "check character" in err
    assert "in.csv:6:" in err
    rows = {r["number"]: r for r in export(capsys)}
    assert rows["IMP-1"]["location"] == shelf["barcode"]
    assert rows["2031-000001"]["location"] == shelf["barcode"]
    assert "IMP-2" not in rows


def test_import_refuses_a_file_without_a_header(seeded, capsys, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("BX00000001X;box\n", encoding="utf-8")
    assert cli.main(["import", "inventory", str(source)]) == 2
    assert "header" in capsys.readouterr().err


def test_shelf_labels_from_a_query_decode_back_to_the_exported_barcodes(
    seeded, capsys, tmp_path
):
    shelves = [
        r["barcode"]
        for r in export(capsys)
        if r["kind"] == "location" and re.fullmatch(r"M1-E\d+-T\d+-S\d+", r["number"])
    ]
    out = tmp_path / "shelves.pdf"
    assert (
        cli.main(
            [
                "labels",
                "render",
                "--kind",
                "location",
                "--query",
                "shelves:M1",
                "--layout",
                "avery-l7160",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert len(shelves) == 6
    assert sorted(decode_pdf(out)) == sorted(shelves)


def test_box_labels_by_code_decode_and_command_sheet_prints(seeded, capsys, tmp_path):
    boxes = [r["barcode"] for r in export(capsys) if r["kind"] == "box"][:4]
    out = tmp_path / "boxes.pdf"
    assert (
        cli.main(
            [
                "labels",
                "render",
                "--kind",
                "box",
                "--codes",
                *boxes,
                "--layout",
                "avery-l7163",
                "--start",
                "13",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert decode_pdf(out) == boxes
    commands = tmp_path / "commands.pdf"
    assert (
        cli.main(
            [
                "labels",
                "render",
                "--kind",
                "command",
                "--layout",
                "avery-l7160",
                "-o",
                str(commands),
            ]
        )
        == 0
    )
    assert "CMD-SHELVE" in decode_pdf(commands)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--kind", "box", "--codes", "BX00000001X", "--layout", "nope"],
            "valid layouts",
        ),
        (
            ["--kind", "box", "--codes", "BX00000001Y", "--layout", "avery-l7160"],
            "bad_check_character",
        ),
        (
            [
                "--kind",
                "file",
                "--query",
                "contents:M1-E01-T01-S1",
                "--layout",
                "avery-l7160",
            ],
            "empty",
        ),
        (
            [
                "--kind",
                "box",
                "--codes",
                "BX00000001X",
                "--layout",
                "avery-l7160",
                "--start",
                "22",
            ],
            "1 to 21",
        ),
    ],
)
def test_label_errors_are_clear(seeded, capsys, tmp_path, argv, message):
    capsys.readouterr()
    assert cli.main(["labels", "render", *argv, "-o", str(tmp_path / "x.pdf")]) != 0
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_audit_verify_reports_an_intact_seeded_ledger(seeded, capsys):
    capsys.readouterr()
    assert cli.main(["audit", "verify", "--projection"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "registre des mouvements intact : 345 éléments vérifiés" in err
    assert "projection des positions conforme au registre" in err


def test_token_create_refuses_a_role_that_is_not_a_machine_role(
    database_url, monkeypatch, capsys
):
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    assert cli.main(["migrate"]) == 0
    assert cli.main(["token", "create", "--name", "x", "--role", "wizard"]) == 1
    assert "machine roles only (gateway, integration)" in capsys.readouterr().err


def test_gateway_refuses_to_start_with_a_scanner_that_cannot_beep(tmp_path, capsys):
    outbox = tmp_path / "o.db"
    code = cli.main(["gateway", "--port", "loop://", "--device-id", "st-01",
                     "--outbox", str(outbox), "--no-console"])  # fmt: skip
    assert code == 2
    said = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "'generic-cr' sends no good/bad-read signal" in said
    assert "zebra-like" in said
    assert not outbox.exists()
