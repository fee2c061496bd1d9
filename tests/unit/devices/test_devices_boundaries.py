"""devices stays standalone and keeps each third-party library behind one module."""

import ast
from pathlib import Path

import devices.scanner

ROOT = Path(devices.scanner.__file__).parents[1]
ONLY_IN = {
    "paho": "mqtt/client.py",
    "amqtt": "mqtt/broker.py",
    "serial": "scanner/port.py",
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def test_devices_never_imports_the_service_or_labels():
    for path in sources():
        assert not imported_roots(path) & {"archive_svc", "labels"}, path


def test_each_library_is_imported_by_one_module_only():
    for path in sources():
        rel = path.relative_to(ROOT).as_posix()
        for lib, home in ONLY_IN.items():
            if lib in imported_roots(path):
                assert rel == home, f"{rel} imports {lib}"


def test_devices_uses_relative_imports_for_itself():
    for path in sources():
        assert "devices" not in imported_roots(path), path
