"""MQTT -> commands -> services: the ack-after-commit consumer and its handlers."""

from archive_svc.ingest.consumer import Consumer, MessageHandler, Reply, is_permanent
from archive_svc.ingest.scans import ScanIngest, TimeWindow

__all__ = [
    "Consumer",
    "MessageHandler",
    "Reply",
    "ScanIngest",
    "TimeWindow",
    "is_permanent",
]
