"""Frame decoding: examples per terminator, discards, and the accounting invariant."""

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.scanner.frames import (
    Discard,
    FrameDecoder,
    InvalidRead,
    ScanRead,
    TimestampPrefix,
    event_bytes,
)


def decode_all(decoder: FrameDecoder, *chunks: bytes):
    events = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.close()


def test_cr_terminated_read_with_aim_id_keeps_aim_and_raw():
    [read] = decode_all(FrameDecoder(), b"]C0BX00012345W\r")
    assert read == ScanRead(code="BX00012345W", aim="]C0", raw="]C0BX00012345W")


def test_read_without_aim_has_none():
    assert decode_all(FrameDecoder(), b"BX1\r") == [ScanRead("BX1", None, "BX1")]


@pytest.mark.parametrize("term", [b"\r", b"\n", b"\r\n", b"\t"])
def test_each_terminator_splits_frames(term):
    events = decode_all(FrameDecoder(terminator=term), b"A1" + term + b"B2" + term)
    assert [e.code for e in events] == ["A1", "B2"]


def test_crlf_scanner_on_cr_profile_yields_no_empty_frames():
    events = FrameDecoder().feed(b"A1\r\nB2\r\nC3\r")
    assert [e.code for e in events] == ["A1", "B2", "C3"]


def test_crlf_split_across_chunks_is_one_terminator():
    events = decode_all(FrameDecoder(terminator=b"\r\n"), b"A1\r", b"\nB2\r", b"\n")
    assert [e.code for e in events] == ["A1", "B2"]


def test_frame_is_completed_across_many_small_chunks():
    d = FrameDecoder()
    assert d.feed(b"BX00") == []
    assert d.feed(b"0123") == []
    assert d.feed(b"45W\r") == [ScanRead("BX00012345W", None, "BX00012345W")]


def test_prefix_and_suffix_are_stripped_and_required():
    d = FrameDecoder(prefix=b"<", suffix=b">")
    events = decode_all(d, b"<A1>\rB2>\r")
    assert events[0] == ScanRead("A1", None, "A1")
    assert isinstance(events[1], Discard) and events[1].reason == "garbage"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"AB\xe9C\r", "non_ascii"),
        (b"AB\x00C\r", "garbage"),
        (b"AB\x1bC\r", "garbage"),
        (b"]C0\r", "empty"),
        (b"X" * 200 + b"\r", "too_long"),
    ],
)
def test_bad_frames_are_reported_with_their_reason(data, reason):
    events = decode_all(FrameDecoder(), data)
    assert [(e.reason, e.data) for e in events] == [(reason, data)]


def test_over_long_stream_without_terminator_is_discarded_and_bounded():
    d = FrameDecoder(max_len=10)
    events = d.feed(b"Y" * 100)
    assert events and all(e.reason == "too_long" for e in events)
    assert len(d.pending) <= 12
    rest = d.feed(b"YY\rOK1\r")
    assert rest[0].reason == "too_long"
    assert rest[1] == ScanRead("OK1", None, "OK1")


def test_partial_frame_is_reported_on_close_and_decoder_is_reusable():
    d = FrameDecoder()
    assert d.feed(b"]C0BX000") == []
    assert d.close() == [Discard("partial_on_close", b"]C0BX000")]
    assert d.feed(b"A1\r") == [ScanRead("A1", None, "A1")]


def test_trailing_line_feed_is_reported_empty_on_close():
    d = FrameDecoder()
    assert d.feed(b"A1\r\n") == [ScanRead("A1", None, "A1")]
    assert d.close() == [Discard("empty", b"\n")]


def test_validator_refusal_gives_invalid_read_with_reason():
    d = FrameDecoder(validator=lambda code: None if code.endswith("W") else "bad_check")
    events = decode_all(d, b"BX1W\rBX1Q\r")
    assert events[0] == ScanRead("BX1W", None, "BX1W")
    assert events[1] == InvalidRead(ScanRead("BX1Q", None, "BX1Q"), "bad_check")


def test_crashing_validator_does_not_kill_decoding():
    def boom(code: str) -> str | None:
        raise RuntimeError(code)

    [event] = decode_all(FrameDecoder(validator=boom), b"A1\r")
    assert isinstance(event, InvalidRead) and event.reason == "validator_error"


def test_unknown_terminator_is_refused():
    with pytest.raises(ValueError):
        FrameDecoder(terminator=b";")


def test_timestamp_prefix_is_split_from_batch_codes():
    ts, code = TimestampPrefix().split("20261127080000,BX1")
    assert ts == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert code == "BX1"
    assert TimestampPrefix().split("BX1") == (None, "BX1")
    assert TimestampPrefix().split("20261399999999,BX1") == (None, "20261399999999,BX1")


# -- properties -------------------------------------------------------------------

NOISY = st.binary(max_size=400) | st.lists(
    st.sampled_from(
        [
            b"\r",
            b"\n",
            b"\t",
            b"]",
            b"]C0",
            b"A",
            b"BX0001",
            b"\xff",
            b"\x00",
            b"<",
            b">",
        ]
    ),
    max_size=120,
).map(b"".join)
TERMS = st.sampled_from([b"\r", b"\n", b"\r\n", b"\t"])


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=400, deadline=None)
@given(
    data=NOISY,
    cuts=st.lists(st.integers(min_value=0), max_size=20),
    term=TERMS,
    max_len=st.integers(min_value=1, max_value=40),
    affixes=st.sampled_from([(b"", b""), (b"<", b">")]),
)
def test_every_byte_is_in_exactly_one_event_in_order(
    data, cuts, term, max_len, affixes
):
    d = FrameDecoder(
        terminator=term, prefix=affixes[0], suffix=affixes[1], max_len=max_len
    )
    events = decode_all(d, *chunked(data, cuts))
    assert b"".join(event_bytes(e) for e in events) == data
    assert d.pending == b""
    for e in events:
        if isinstance(e, ScanRead):
            assert e.code and len(e.raw) <= max_len
            assert e.code.isascii() and e.code.isprintable()
            assert term not in e.code.encode()


CODES = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    codes=st.lists(CODES, max_size=30),
    aim=st.sampled_from(["", "]C0", "]E0", "]Q1"]),
    term=TERMS,
    cuts=st.lists(st.integers(min_value=0), max_size=30),
)
def test_well_formed_reads_decode_the_same_whatever_the_chunking(
    codes, aim, term, cuts
):
    data = b"".join((aim + c).encode() + term for c in codes)
    events = decode_all(FrameDecoder(terminator=term), *chunked(data, cuts))
    assert [(e.code, e.aim) for e in events] == [(c, aim or None) for c in codes]


def test_a_50_kb_line_is_one_reported_discard_however_it_is_chunked():
    dec = FrameDecoder()
    events = []
    line = b"B" * 50_000 + b"\r"
    for i in range(0, len(line), 4096):
        events += dec.feed(line[i : i + 4096])
    assert {e.reason for e in events} == {"too_long"}
    assert [e.continued for e in events].count(False) == 1
    assert not events[0].continued
    assert b"".join(e.data for e in events) == line


def test_the_decoder_splits_a_scanner_timestamp_once_before_validation():
    seen = []

    def validator(code):
        seen.append(code)
        return None

    dec = FrameDecoder(validator=validator, timestamp_prefix=TimestampPrefix())
    [read] = dec.feed(b"]C020261127073000,BX00000099W\r")
    assert (read.code, read.aim) == ("BX00000099W", "]C0")
    assert read.scanned_at == datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    assert seen == ["BX00000099W"]
    [live] = dec.feed(b"BX00000098W\r")
    assert live.scanned_at is None
