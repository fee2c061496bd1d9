"""Model profiles carry framing, speed and host commands."""

import pytest

from devices.scanner.frames import ScanRead
from devices.scanner.models import PROFILES, get_profile


def test_generic_cr_is_the_default_profile_without_host_commands():
    p = get_profile("generic-cr")
    assert (p.terminator, p.baudrate, p.good_read, p.bad_read) == (
        b"\r",
        9600,
        None,
        None,
    )


def test_known_profiles():
    assert set(PROFILES) == {
        "generic-cr",
        "generic-crlf",
        "honeywell-like",
        "zebra-like",
    }


@pytest.mark.parametrize("name", ["honeywell-like", "zebra-like"])
def test_vendor_profiles_have_distinct_good_and_bad_read_commands(name):
    p = get_profile(name)
    assert p.good_read and p.bad_read and p.good_read != p.bad_read


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_each_profile_builds_a_decoder_for_its_terminator(name):
    p = get_profile(name)
    events = p.decoder().feed(b"]C0BX1" + p.terminator)
    assert events == [ScanRead("BX1", "]C0", "]C0BX1")]


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(KeyError, match="generic-cr"):
        get_profile("acme-9000")


def test_profiles_are_read_only():
    with pytest.raises(TypeError):
        PROFILES["x"] = PROFILES["generic-cr"]  # type: ignore[index]
