"""Device side of archive-svc: scanners, their gateway, MQTT plumbing, simulators.

Standalone: never imports ``archive_svc``. Subpackages are imported on demand so that
pure modules (topics, frames) do not drag in paho, amqtt or pyserial.
"""

__all__ = ["mqtt", "scanner", "sim"]
