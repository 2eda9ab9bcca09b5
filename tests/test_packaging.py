"""The wheel ships the templates and the CRD schema catalog, so an installed homegen renders
and validates from any folder, offline."""

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
    # the built-in CRD schema catalog: validation works offline from an installed wheel
    catalog = "homegen/crdschemas/catalog/"
    assert catalog + "sources.toml" in names
    assert catalog + "gateway-api/v1.2.1/gateway.networking.k8s.io/httproute_v1.json" in names
