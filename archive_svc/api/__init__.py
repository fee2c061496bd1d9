"""HTTP edge: the only package that imports litestar, msgspec and jinja2."""
