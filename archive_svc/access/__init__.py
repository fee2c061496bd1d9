"""Access rules: pure functions, no I/O (access-rules.md)."""
