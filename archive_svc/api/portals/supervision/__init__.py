"""Supervision: the access journal."""
