"""MQTT -> commands -> services: the scan consumer (ack after commit) and its feedback."""

from archive_svc.ingest.consumer import ScanConsumer, ScanHandler

__all__ = ["ScanConsumer", "ScanHandler"]
