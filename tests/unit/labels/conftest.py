"""Fixtures for label tests: the zbarimg reader (mandatory in CI)."""

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def zbar_texts(tmp_path: Path) -> Callable[[object], list[str]]:
    """Decode with Debian's ``zbarimg``; mandatory in CI, skipped elsewhere if absent."""
    executable = shutil.which("zbarimg")
    if executable is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("zbarimg (Debian zbar-tools) is required in CI")
        pytest.skip("zbarimg not installed (apt-get install zbar-tools)")

    def decode(image) -> list[str]:
        png = tmp_path / "page.png"
        image.save(png)
        command = [executable, "-q", "--raw", "-Sdisable", "-Scode128.enable", png]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode in (0, 4), done.stderr  # 4: no symbol found
        return done.stdout.splitlines()

    return decode
