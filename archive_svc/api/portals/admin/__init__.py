"""Administration: people and their roles."""
