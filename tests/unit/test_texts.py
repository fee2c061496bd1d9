"""Scanner replies in words: French for the station, English through the catalogue."""

from __future__ import annotations

import pytest

from archive_svc import texts
from archive_svc.api import i18n
from archive_svc.domain.outcomes import Outcome
from archive_svc.domain.scanning import Reply, Step
from archive_svc.domain.stations import Mode


def reply(code: str, /, **args: object) -> Reply:
    return Reply(Outcome.ACCEPTED, code, args)


@pytest.mark.parametrize(
    ("given", "french"),
    [
        (reply("mode_set", mode=Mode.SHELVE, next=Step.SHELF),
         "Rangement : scannez la tablette"),
        (reply("agent_set", who="Claire Martin", mode=Mode.PICK, next=Step.ITEMS),
         "Bonjour Claire Martin : scannez les articles"),
        (reply("recorded", kind="hand_over", item="BX00000001W"),
         "Remise : BX00000001W"),
        (reply("not_with_agent", code="BX00000001W", state=None),
         "BX00000001W n'est pas entre vos mains (jamais entré) :"
         " sortez-le d'abord (mode Sortir)"),
        (reply("shelf_full", code="M1-S1", free=0),
         "Tablette M1-S1 pleine (0 mm libres) : choisissez-en une autre"),
        (reply("sequence_gap", gap=2),
         "2 lecture(s) manquante(s) avant celle-ci : en attente"),
        (reply("nothing_to_cancel"), "Rien à annuler"),
    ],
)  # fmt: skip
def test_stations_are_answered_in_french(given, french):
    assert texts.render(given) == french
    assert texts.StationTexts().render(given) == french


def test_english_comes_from_the_pages_catalogue():
    given = reply("wrong_kind_for_mode", code="RSN-URGENT", mode=Mode.SHELVE,
                  next=Step.SHELF)  # fmt: skip
    assert texts.render(given, "en") == (
        "RSN-URGENT not expected in Shelve mode: scan the shelf"
    )
    assert i18n.catalogue("en")[texts.MESSAGES["wrong_kind_for_mode"]] == (
        "%(code)s not expected in %(mode)s mode: %(next)s"
    )


def test_every_reply_code_and_piece_has_an_english_text():
    english = i18n.catalogue("en")
    pieces = [*texts.MESSAGES.values(), *texts.RECORDED.values(),
              *texts.MODES.values(), *texts.STEPS.values(), texts.NEVER_MOVED]  # fmt: skip
    assert [p for p in pieces if not english.get(p)] == []
