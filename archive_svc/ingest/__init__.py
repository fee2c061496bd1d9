"""MQTT -> commands -> services; ack after commit."""
