"""Golden trees: tests/cases/golden/<name>/{services.toml, expected/}.

Regenerate after an intended change with `make golden` (or
`HOMEGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py`) and review the diff before committing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from homegen.pipeline import render_config

CASES = Path(__file__).parent / "cases" / "golden"


def _expected(case: Path) -> dict[str, bytes]:
    root = case / "expected"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES.iterdir()), ids=lambda p: p.name)
def test_golden_tree(case: Path) -> None:
    files = render_config(case / "services.toml").files
    if os.environ.get("HOMEGEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(case / "expected", ignore_errors=True)
        for path, data in files.items():
            target = case / "expected" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # Comparing the files just written with themselves would prove nothing: refuse to pass.
        pytest.skip(f"golden files of {case.name} updated, re-run without HOMEGEN_UPDATE_GOLDEN")
    assert files == _expected(case)


@pytest.mark.skipif(os.environ.get("HOMEGEN_UPDATE_GOLDEN") == "1", reason="updating")
def test_update_rewrites_and_refuses_to_pass(tmp_path: Path) -> None:
    """`make golden` on a stale expected/ rewrites it and says to re-run; it never passes."""
    shutil.copy(__file__, tmp_path / "test_golden.py")
    case = sorted(CASES.iterdir())[0]
    copy = tmp_path / "cases" / "golden" / case.name
    shutil.copytree(case, copy)
    stale = next(p for p in sorted((copy / "expected").rglob("*.yaml")))
    stale.write_bytes(b"stale\n")
    env = {**os.environ, "HOMEGEN_UPDATE_GOLDEN": "1"}
    args = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*args, "-k", f"test_golden_tree and {case.name}", "test_golden.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "passed" not in result.stdout
    assert "updated, re-run" in result.stdout
    assert _expected(copy) == _expected(case)  # rewritten to what homegen renders


def test_shipped_homelab_renders_to_the_committed_tree() -> None:
    """services.toml renders to rendered/ byte for byte, as `homegen render --check` wants."""
    repo = CASES.parents[2]
    tree = repo / "rendered"
    committed = {
        p.relative_to(tree).as_posix(): p.read_bytes()
        for p in tree.rglob("*")
        if p.is_file() and p.name != ".homegen-ledger"
    }
    assert render_config(repo / "services.toml").files == committed
