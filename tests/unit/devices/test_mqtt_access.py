"""Broker access rules (pure): filter coverage, hashes, Mosquitto file contents."""

import pytest

from devices.mqtt import access


@pytest.mark.parametrize(
    ("allowed", "requested", "covered"),
    [
        ("archive/s/#", "archive/s/scanners/+/scans", True),
        ("archive/s/#", "archive/s/#", True),
        (
            "archive/s/scanners/st-01/feedback",
            "archive/s/scanners/st-01/feedback",
            True,
        ),
        ("archive/s/scanners/st-01/feedback", "archive/s/scanners/+/feedback", False),
        ("archive/s/scanners/st-01/feedback", "archive/s/#", False),
        ("archive/s/scanners/+/scans", "archive/s/scanners/#", False),
        ("archive/s/scanners/+/scans", "archive/s/scanners/st-9/scans", True),
        ("archive/s/scanners/st-01/scans", "archive/s/scanners/st-01", False),
    ],
)
def test_a_subscription_is_allowed_only_when_its_filter_is_covered(
    allowed, requested, covered
):
    assert access.covers(allowed, requested) is covered


def test_a_hash_verifies_its_password_only():
    hashed = access.hash_password("pw", iterations=101)
    assert hashed.startswith("$7$101$")
    assert access.verify_password("pw", hashed)
    assert not access.verify_password("pw2", hashed)
    assert not access.verify_password("pw", "$7$101$not base64$x")


def test_a_station_is_granted_its_own_topics_and_nothing_for_anonymous():
    acl = access.mosquitto_acl(
        [access.service_rules("s", "archive-svc"), access.station_rules("s", "st-01")]
    )
    assert acl.splitlines()[1:] == [
        "",
        "user archive-svc",
        "topic read $share/+/archive/s/#",
        "topic readwrite archive/s/#",
        "",
        "user st-01",
        "topic write archive/s/scanners/st-01/scans",
        "topic write archive/s/scanners/st-01/status",
        "topic write archive/s/scanners/st-01/missing",
        "topic read archive/s/scanners/st-01/feedback",
        "topic read archive/s/scanners/st-01/resend",
    ]


def test_a_username_that_would_break_the_password_file_is_refused():
    with pytest.raises(ValueError, match="username"):
        access.mosquitto_passwd({"a:b": "$7$1$x$y"})
