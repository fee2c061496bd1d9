"""Piccolo adapters: the only package that imports piccolo."""
