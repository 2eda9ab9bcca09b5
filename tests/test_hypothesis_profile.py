"""The project's hypothesis profile (tests/conftest.py) is loaded: no deadline anywhere,
derandomized from a fixed seed in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings


def test_no_per_example_deadline() -> None:
    assert settings.default.deadline is None


def test_ci_is_derandomized_and_local_runs_are_not(repo_root: Path) -> None:
    tests = repo_root / "tests"
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "HOMEGEN_HYPOTHESIS_PROFILE")}

    def profile(**extra: str) -> str:
        code = "import conftest; from hypothesis import settings as s; d = s.default; "
        code += "print(conftest.HYPOTHESIS_PROFILE, d.derandomize, d.deadline, d.database)"
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=tests, env={**base, **extra},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout.strip()

    assert profile(CI="true") == "ci True None None"
    assert profile().startswith("homegen False None ")
    assert profile(CI="true", HOMEGEN_HYPOTHESIS_PROFILE="homegen").startswith("homegen False")
