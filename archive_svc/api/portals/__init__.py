"""Server-rendered pages (Jinja + HTMX) for people signed in with a session."""
