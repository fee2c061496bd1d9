"""MQTT -> commands -> services: the ack-after-commit consumer and its handlers."""

from archive_svc.ingest.consumer import Consumer, MessageHandler, Reply, is_permanent
from archive_svc.ingest.scans import MissingReadsIngest, ScanIngest, TimeWindow
from archive_svc.ingest.stations import (
    BrokerAccess,
    admission,
    broker_access,
    write_mosquitto_files,
)

__all__ = [
    "BrokerAccess",
    "Consumer",
    "MessageHandler",
    "MissingReadsIngest",
    "Reply",
    "ScanIngest",
    "TimeWindow",
    "admission",
    "broker_access",
    "is_permanent",
    "write_mosquitto_files",
]
