"""Which handler errors the ingest consumer retries until they pass (an outage) and
which it quarantines after a few attempts (retrying cannot cure them)."""

import sqlite3

import asyncpg.exceptions as pg
import pytest

import archive_svc.ingest
from archive_svc.domain import errors
from archive_svc.ingest import is_permanent


def test_ingest_all():
    assert archive_svc.ingest.__all__ == [
        "BrokerAccess", "Consumer", "MessageHandler", "MissingReadsIngest", "Reply",
        "ScanIngest", "TimeWindow", "admission", "broker_access", "is_permanent",
        "write_mosquitto_files",
    ]  # fmt: skip


def _raised_from(exc: Exception, cause: Exception) -> Exception:
    try:
        raise exc from cause
    except Exception as e:
        return e


@pytest.mark.parametrize(
    "exc",
    [
        pg.StringDataRightTruncationError("value too long for type character varying"),
        pg.NumericValueOutOfRangeError("integer out of range"),
        pg.CharacterNotInRepertoireError("invalid byte sequence for encoding"),
        pg.DataError("invalid input syntax"),
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        ValueError("invalid input for query argument $3 (value out of int64 range)"),
        sqlite3.DataError("string or blob too big"),
        errors.InvalidTimestamp("scanned_at has no time zone"),
        _raised_from(RuntimeError("wrapped"), pg.StringDataRightTruncationError("x")),
    ],
)
def test_a_value_the_database_or_the_domain_refuses_is_permanent(exc):
    assert is_permanent(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError("connection refused"),
        TimeoutError(),
        pg.ConnectionDoesNotExistError("connection was closed"),
        pg.CannotConnectNowError("the database system is starting up"),
        pg.ObjectNotInPrerequisiteStateError("database is not accepting connections"),
        pg.AdminShutdownError("terminating connection due to administrator command"),
        pg.SerializationError("could not serialize access"),
        pg.DeadlockDetectedError("deadlock detected"),
        sqlite3.OperationalError("database is locked"),
        _raised_from(ValueError("bad"), OSError("network is unreachable")),
    ],
)
def test_an_outage_or_a_conflict_is_not_permanent(exc):
    assert not is_permanent(exc)
