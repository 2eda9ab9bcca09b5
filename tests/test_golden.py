"""Golden trees: tests/cases/golden/<name>/{services.toml, expected/}.

Regenerate after an intended change with `make golden` (or
`HOMEGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py`) and review the diff before committing.
"""

from __future__ import annotations

import os
import shutil
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
    assert files == _expected(case)
