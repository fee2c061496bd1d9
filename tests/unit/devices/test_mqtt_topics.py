"""Topic names are built and parsed in one place, following architecture.md §4."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.mqtt import topics
from devices.mqtt.topics import (
    AlertTopic,
    ScannerTopic,
    SensorTopic,
    ServiceTopic,
    TopicError,
)


def test_scanner_topics_follow_the_scheme():
    assert topics.scan("main", "st-01") == "archive/main/scanners/st-01/scans"
    assert topics.feedback("main", "st-01") == "archive/main/scanners/st-01/feedback"
    assert (
        topics.scanner_status("main", "st-01") == "archive/main/scanners/st-01/status"
    )


def test_other_topics_follow_the_scheme():
    assert topics.sensor_reading("s", "t1") == "archive/s/sensors/t1/reading"
    assert topics.sensor_status("s", "t1") == "archive/s/sensors/t1/status"
    assert topics.service_status("s", "svc1") == "archive/s/services/svc1/status"
    assert topics.alert("s", "t1", "rh-high") == "archive/s/alerts/t1/rh-high"
    assert topics.alert("s", "t1", "sensor_stale") == "archive/s/alerts/t1/sensor_stale"
    assert topics.all_scans("s") == "archive/s/scanners/+/scans"
    assert topics.all_sensor_readings("s") == "archive/s/sensors/+/reading"


@pytest.mark.parametrize(
    ("topic", "parsed"),
    [
        ("archive/main/scanners/st-01/scans", ScannerTopic("main", "st-01", "scans")),
        (
            "archive/main/scanners/st-01/feedback",
            ScannerTopic("main", "st-01", "feedback"),
        ),
        ("archive/main/scanners/st-01/status", ScannerTopic("main", "st-01", "status")),
        ("archive/main/sensors/t1/reading", SensorTopic("main", "t1", "reading")),
        ("archive/main/sensors/t1/status", SensorTopic("main", "t1", "status")),
        ("archive/main/services/svc1/status", ServiceTopic("main", "svc1")),
        ("archive/main/alerts/t1/rh-high", AlertTopic("main", "t1", "rh-high")),
    ],
)
def test_parse_returns_the_matching_dataclass(topic, parsed):
    assert topics.parse(topic) == parsed


@pytest.mark.parametrize(
    "topic",
    [
        "",
        "archive",
        "other/main/scanners/st-01/scans",
        "archive/main/scanners/st-01/other",
        "archive/main/scanners/+/scans",
        "archive/Main/scanners/st-01/scans",
        "archive/main/scanners/st_01/scans",
        "archive/main/scanners/st-01/scans/extra",
        "archive/main/services/svc1/reading",
        "archive/main/alerts/t1",
        "archive/main/printers/p1/status",
    ],
)
def test_parse_refuses_topics_outside_the_scheme(topic):
    with pytest.raises(TopicError):
        topics.parse(topic)


@pytest.mark.parametrize("bad", ["", "ST-01", "st/01", "st 01", "+", "#", "é"])
def test_builders_refuse_bad_ids(bad):
    with pytest.raises(TopicError):
        topics.scan("main", bad)
    with pytest.raises(TopicError):
        topics.scan(bad, "st-01")


IDS = st.from_regex(r"[a-z0-9-]+", fullmatch=True)


@given(site=IDS, device=IDS)
def test_build_then_parse_round_trips(site, device):
    assert topics.parse(topics.feedback(site, device)) == ScannerTopic(
        site, device, "feedback"
    )


@given(st.text(max_size=60))
def test_parse_never_raises_anything_but_topic_error(text):
    with contextlib.suppress(TopicError):
        topics.parse(text)


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("archive/s/scanners/+/scans", "archive/s/scanners/st-01/scans", True),
        ("$share/g/archive/s/scanners/+/scans", "archive/s/scanners/st-01/scans", True),
        (
            "$share/g/archive/s/scanners/+/scans",
            "archive/s/scanners/st-01/status",
            False,
        ),
        ("archive/s/#", "archive/s/sensors/x/reading", True),
        ("archive/s/#", "archive/s", True),
        ("archive/s/scanners/+/scans", "archive/s/scanners/a/b/scans", False),
        ("#", "$SYS/broker/uptime", False),
    ],
)
def test_filters_match_topics_through_a_shared_subscription_prefix(
    topic_filter, topic, expected
):
    assert topics.matches(topic_filter, topic) is expected


def test_a_shared_subscription_wraps_and_unwraps_a_filter():
    shared = topics.shared("archive-svc", topics.all_scans("s"))
    assert shared == "$share/archive-svc/archive/s/scanners/+/scans"
    assert topics.unshared(shared) == topics.all_scans("s")
    with pytest.raises(topics.TopicError):
        topics.unshared("$share/only-group")
