"""The import-linter layers place every top-level module of archive_svc, so a new
module (a context's package, a composition root) cannot go unchecked."""

import pkgutil
import tomllib
from pathlib import Path

import archive_svc

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def layered_modules() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    (layers,) = [
        contract["layers"]
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["name"] == "layers"
    ]
    return [name.strip() for layer in layers for name in layer.split("|")]


def test_every_top_level_module_sits_in_exactly_one_layer():
    top_level = {
        f"archive_svc.{module.name}"
        for module in pkgutil.iter_modules(archive_svc.__path__)
    }
    layered = layered_modules()
    assert len(layered) == len(set(layered)), "a module is in two layers"
    assert set(layered) == top_level
