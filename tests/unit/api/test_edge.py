"""The HTTP edge reads the caller and its collaborators only through typed dependencies."""

import ast
from pathlib import Path

from litestar import Litestar
from litestar.routes import HTTPRoute

from archive_svc.api.app import AppDeps, create_app
from archive_svc.api.guards import requires_access

API = Path(__file__).resolve().parents[3] / "archive_svc" / "api"
HANDLER_PACKAGES = (API / "json", API / "portals")


def _connection_state_reads(path: Path) -> list[str]:
    """``x.scope``, ``x.state`` and ``State`` used in a module (``pos.state`` of a
    position projection excepted: it is not the connection's)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("scope", "state"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("pos", "line"):
                continue
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.Name) and node.id == "State":
            found.append(f"{path.name}:{node.lineno} State")
    return found


def test_controllers_read_nothing_from_the_connection_state():
    modules = [p for pkg in HANDLER_PACKAGES for p in sorted(pkg.rglob("*.py"))]
    assert modules
    assert [hit for p in modules for hit in _connection_state_reads(p)] == []


def _app() -> Litestar:
    return create_app(AppDeps(None, None, None, None))  # type: ignore[arg-type]


def test_only_the_app_wide_guard_guards_routes():
    extra = {
        getattr(guard, "__qualname__", repr(guard))
        for route in _app().routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for guard in handler.resolve_guards()
        if guard is not requires_access
    }
    assert extra == set()
