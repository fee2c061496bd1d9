"""Scan and feedback payloads match the wire format the service is written against."""

import json

import pytest

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
