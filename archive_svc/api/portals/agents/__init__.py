"""Agents' console: where is it, history, location contents, live feed, record."""
