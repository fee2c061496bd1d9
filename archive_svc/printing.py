"""Read models -> label specs -> PDF bytes (used by the API and the CLI)."""
