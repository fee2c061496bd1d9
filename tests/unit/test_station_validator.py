"""The validator the CLI injects into gateways: command sheet codes pass, barcodes
need their check character, unknown CMD- codes are refused at the station."""

from archive_svc import station
from archive_svc.domain import barcodes, stations


def test_every_command_and_reason_code_passes_the_gateway_check():
    for code in stations.COMMAND_CODES + stations.REASON_CODES:
        assert station.validation_error(code) is None


def test_barcodes_need_a_valid_check_character():
    good = barcodes.make(barcodes.Kind.BOX, 12)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert station.validation_error(good) is None
    assert station.validation_error(bad) == "bad_check_character"


def test_an_unknown_command_code_is_refused_at_the_station():
    assert station.validation_error("CMD-DANCE") == "unknown_command"
