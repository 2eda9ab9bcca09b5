"""The wheel ships the templates, so an installed homegen renders from any folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.mark.slow
def test_wheel_contains_every_template(repo_root: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            str(repo_root),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("homegen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        "homegen/templates/" + p.relative_to(repo_root / "templates").as_posix()
        for p in (repo_root / "templates").rglob("*.j2")
    }
    assert templates
    assert templates <= names
    assert "homegen/cli.py" in names
