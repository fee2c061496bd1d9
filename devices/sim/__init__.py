"""Simulated devices for the demo and the tests."""

from .scanner import SimulatedScanner

__all__ = ["SimulatedScanner"]
