"""MQTT plumbing: topic names, payloads, the paho client wrapper, the embedded broker."""

from . import access, payloads, topics
from .broker import EmbeddedBroker
from .client import Message, MqttClient, MqttParams
from .payloads import Feedback, PayloadError, ScanMessage
from .topics import TopicError

__all__ = [
    "EmbeddedBroker",
    "Feedback",
    "Message",
    "MqttClient",
    "MqttParams",
    "PayloadError",
    "ScanMessage",
    "TopicError",
    "access",
    "payloads",
    "topics",
]
