"""Scan and feedback payloads match the wire format the service is written against."""

import json

import pytest

from devices.mqtt import payloads
from devices.mqtt.payloads import (
    Feedback,
    PayloadError,
    ScanMessage,
    decode_feedback,
    decode_scan,
    encode_feedback,
    encode_scan,
)

SCAN = ScanMessage(
    scan_id="6f1c7a4e-9a55-4f3e-8f0e-0c1d2e3f4a5b",
    device_id="st-01",
    device_seq=17,
    code="BX00012345W",
    aim="]C0",
    raw="]C0BX00012345W",
    scanned_at="2026-11-27T08:00:00.123456Z",
    sent_at="2026-11-27T08:00:00.200000Z",
    source="scan",
)


def test_scan_payload_has_exactly_the_agreed_fields():
    body = json.loads(encode_scan(SCAN))
    assert body == {
        "v": 1,
        "scan_id": SCAN.scan_id,
        "device_id": "st-01",
        "device_seq": 17,
        "code": "BX00012345W",
        "aim": "]C0",
        "raw": "]C0BX00012345W",
        "scanned_at": "2026-11-27T08:00:00.123456Z",
        "sent_at": "2026-11-27T08:00:00.200000Z",
        "source": "scan",
    }
    assert decode_scan(encode_scan(SCAN)) == SCAN


def test_feedback_round_trips_with_french_text_in_utf8():
    fb = Feedback(
        SCAN.scan_id, 17, "rejected", "unknown_barcode", "Code inconnu é", None
    )
    raw = encode_feedback(fb)
    assert "é".encode() in raw
    assert decode_feedback(raw) == fb


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"v":2,"scan_id":"x","device_seq":1,"outcome":"accepted"}',
        b'{"v":1,"scan_id":"x","device_seq":"1","outcome":"accepted"}',
        b'{"v":1,"scan_id":"x","device_seq":true,"outcome":"accepted"}',
        b'{"v":1,"scan_id":"x","device_seq":1,"outcome":"maybe"}',
        b'{"v":1,"device_seq":1,"outcome":"accepted"}',
        b'{"v":1,"scan_id":"x","device_seq":1,"outcome":"accepted","code":3}',
    ],
)
def test_malformed_feedback_raises_payload_error(payload):
    with pytest.raises(PayloadError):
        decode_feedback(payload)


def _scan_with(**fields) -> bytes:
    body = json.loads(encode_scan(SCAN))
    body.update(fields)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"code": "B" * 129}, "code"),
        ({"code": "BX\x00W"}, "code"),
        ({"code": "BXé"}, "code"),
        ({"device_seq": 2**53 + 1}, "device_seq"),
        ({"device_seq": -1}, "device_seq"),
        ({"scan_id": "A" * 36}, "scan_id"),
        ({"device_id": "st-" + "0" * 62}, "device_id"),
        ({"device_id": "ST-01"}, "device_id"),
        ({"aim": "]C0X"}, "aim"),
        ({"raw": "x" * 257}, "raw"),
        ({"scanned_at": "2026-11-27T08:00:00Z" * 3}, "scanned_at"),
        ({"sent_at": "\n"}, "sent_at"),
    ],
)
def test_a_scan_field_out_of_bounds_is_refused_naming_the_field(fields, named):
    with pytest.raises(PayloadError, match=named):
        decode_scan(_scan_with(**fields))


def test_a_scan_payload_over_the_size_cap_is_refused_before_parsing():
    with pytest.raises(PayloadError, match="payload of"):
        decode_scan(_scan_with(message="x" * 3000))


def test_scan_fields_at_their_bounds_are_accepted():
    top = "st-" + "0" * 61
    msg = decode_scan(_scan_with(code="B" * 128, device_seq=2**53, device_id=top))
    assert (len(msg.code), msg.device_seq, msg.device_id) == (128, 2**53, top)


def test_a_seq_range_round_trips_and_is_bounded():
    r = payloads.SeqRange("st-01", 3, 40, newest=2)
    assert payloads.decode_seq_range(payloads.encode_seq_range(r)) == r
    bad = [
        b'{"v":1,"device_id":"st-01","first_seq":0,"last_seq":4}',
        b'{"v":1,"device_id":"st-01","first_seq":5,"last_seq":4}',
        b'{"v":1,"device_id":"st-01","first_seq":1,"last_seq":100000000000000000000}',
        b'{"v":1,"device_id":"ST 01","first_seq":1,"last_seq":2}',
        b'{"v":1,"device_id":"st-01","first_seq":1,"last_seq":2,"newest":-1}',
    ]
    for payload in bad:
        with pytest.raises(payloads.PayloadError):
            payloads.decode_seq_range(payload)
