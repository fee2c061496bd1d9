"""The outbox journals reads durably, numbers them per device, and keeps outcomes."""

import threading
from datetime import UTC, datetime, timedelta

from devices.scanner.frames import ScanRead
from devices.scanner.outbox import Outbox


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def read(code: str = "BX00012345W") -> ScanRead:
    return ScanRead(code, "]C0", "]C0" + code)


def test_append_numbers_reads_per_device_from_one(tmp_path):
    box = Outbox(tmp_path / "o.db")
    seqs = [box.append(read(), "st-01").device_seq for _ in range(3)]
    other = box.append(read(), "st-02").device_seq
    assert seqs == [1, 2, 3] and other == 1
    assert box.depth() == 4


def test_sequence_and_pending_rows_survive_a_restart(tmp_path):
    box = Outbox(tmp_path / "o.db")
    first = box.append(read("A1"), "st-01")
    box.close()
    box = Outbox(tmp_path / "o.db")
    assert [r.scan_id for r in box.pending()] == [first.scan_id]
    assert box.append(read("A2"), "st-01").device_seq == 2


def test_sequence_keeps_growing_after_pruning_everything(tmp_path):
    clock = FakeClock()
    box = Outbox(tmp_path / "o.db", clock=clock)
    row = box.append(read(), "st-01")
    box.confirm(row.scan_id, "accepted")
    clock.now += timedelta(days=10)
    assert box.prune(timedelta(days=7)) == 1
    assert box.append(read(), "st-01").device_seq == 2


def test_append_assigns_uuid_scan_ids_and_keeps_the_read(tmp_path):
    box = Outbox(tmp_path / "o.db")
    at = datetime(2026, 11, 27, 8, 0, 0, 123456, tzinfo=UTC)
    row = box.append(read(), "st-01", source="scan", scanned_at=at)
    assert len(row.scan_id) == 36 and row.scan_id.count("-") == 4
    assert (row.code, row.aim, row.raw) == ("BX00012345W", "]C0", "]C0BX00012345W")
    assert row.scanned_at == "2026-11-27T08:00:00.123456Z"
    assert box.get(row.scan_id) == row


def test_confirm_keeps_the_first_outcome_and_empties_the_queue(tmp_path):
    box = Outbox(tmp_path / "o.db")
    row = box.append(read(), "st-01")
    assert box.confirm(row.scan_id, "accepted", None, "Rangé", "mv-1") is True
    assert box.confirm(row.scan_id, "duplicate") is False
    kept = box.get(row.scan_id)
    assert (kept.state, kept.outcome, kept.message, kept.movement_id) == (
        "confirmed",
        "accepted",
        "Rangé",
        "mv-1",
    )
    assert box.depth() == 0 and box.pending() == []


def test_confirm_of_unknown_scan_changes_nothing(tmp_path):
    box = Outbox(tmp_path / "o.db")
    assert box.confirm("no-such-scan", "accepted") is False


def test_prune_removes_only_settled_rows_older_than_the_limit(tmp_path):
    clock = FakeClock()
    box = Outbox(tmp_path / "o.db", clock=clock)
    old, pending = box.append(read("A1"), "st-01"), box.append(read("A2"), "st-01")
    box.confirm(old.scan_id, "rejected", "unknown_barcode")
    clock.now += timedelta(days=3)
    recent = box.append(read("A3"), "st-01")
    box.confirm(recent.scan_id, "accepted")
    clock.now += timedelta(days=5)
    assert box.prune(timedelta(days=7)) == 1
    assert [r.code for r in box.rows()] == ["A2", "A3"]
    assert box.get(pending.scan_id).state == "pending"


def test_locally_rejected_reads_are_journaled_without_a_sequence(tmp_path):
    box = Outbox(tmp_path / "o.db")
    rej = box.reject_local(read("BX1Q"), "st-01", "bad_check_character")
    assert rej.state == "rejected_local" and rej.device_seq is None
    assert (rej.outcome, rej.reason_code) == ("rejected", "bad_check_character")
    assert box.depth() == 0
    assert box.append(read(), "st-01").device_seq == 1


def test_pending_can_skip_recently_sent_rows(tmp_path):
    clock = FakeClock()
    box = Outbox(tmp_path / "o.db", clock=clock)
    a, b = box.append(read("A1"), "st-01"), box.append(read("A2"), "st-01")
    box.mark_sent([a.scan_id])
    assert [r.code for r in box.pending(sent_before=clock.now)] == ["A2"]
    clock.now += timedelta(seconds=6)
    due = box.pending(sent_before=clock.now - timedelta(seconds=5))
    assert [r.code for r in due] == ["A1", "A2"]
    assert due[0].sent_count == 1 and b.sent_count == 0


def test_concurrent_appends_and_confirms_keep_sequences_gap_free(tmp_path):
    box = Outbox(tmp_path / "o.db")
    rows, lock = [], threading.Lock()

    def producer():
        for _ in range(50):
            row = box.append(read(), "st-01")
            with lock:
                rows.append(row)

    def confirmer():
        for _ in range(200):
            with lock:
                ids = [r.scan_id for r in rows]
            for sid in ids:
                box.confirm(sid, "accepted")

    threads = [threading.Thread(target=producer) for _ in range(3)]
    threads.append(threading.Thread(target=confirmer))
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r.device_seq for r in rows) == list(range(1, 151))
    for r in rows:
        box.confirm(r.scan_id, "accepted")
    assert box.depth() == 0


def test_outbox_uses_wal_and_full_sync(tmp_path):
    import sqlite3

    Outbox(tmp_path / "o.db").close()
    db = sqlite3.connect(tmp_path / "o.db")
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_due_rows_fill_the_window_and_come_back_after_their_backoff(tmp_path):
    clock = FakeClock()
    box = Outbox(tmp_path / "o.db", clock=clock)
    for i in range(5):
        box.append(read(f"BX{i}"), "st-01")
    first = box.due(clock(), window=3)
    assert [r.device_seq for r in first] == [1, 2, 3]
    box.mark_sent([r.scan_id for r in first], backoff=lambda n: 2.0**n)
    assert box.due(clock(), window=3) == []  # the window is full
    assert box.in_flight(clock()) == 3
    box.confirm(first[0].scan_id, "accepted")
    assert [r.device_seq for r in box.due(clock(), window=3)] == [4]
    clock.now += timedelta(seconds=2.5)  # first publication backs off 2 s
    again = box.due(clock(), window=10)
    assert [r.device_seq for r in again] == [2, 3, 4, 5]
    box.mark_sent([again[0].scan_id], backoff=lambda n: 2.0**n)
    clock.now += timedelta(seconds=3)  # second one backs off 4 s
    assert [r.device_seq for r in box.due(clock(), window=10)] == [3, 4, 5]


def test_a_restart_makes_every_pending_row_due_again(tmp_path):
    clock = FakeClock()
    box = Outbox(tmp_path / "o.db", clock=clock)
    box.append(read(), "st-01")
    box.mark_sent([r.scan_id for r in box.due(clock(), 10)], backoff=lambda n: 60)
    assert box.due(clock(), 10) == []
    box.make_due()
    assert [r.device_seq for r in box.due(clock(), 10)] == [1]
