"""The real Renovate for the tests: installed once into a cache by .ci/install-renovate."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tools import in_ci

INSTALL = Path(__file__).resolve().parents[1] / ".ci" / "install-renovate"
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com",
    "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com",
}  # fmt: skip


def renovate_launcher() -> Path:
    """Renovate from the cache, installed there first where npm is (skips or fails without)."""
    result = subprocess.run(
        [str(INSTALL)], capture_output=True, text=True, timeout=1200, check=False
    )
    if result.returncode != 0:
        reason = f".ci/install-renovate failed: {result.stderr.strip()[-2000:]}"
        if in_ci() or shutil.which("npm"):
            pytest.fail(reason)
        pytest.skip(reason + " (Renovate is installed from npm)")
    return Path(result.stdout.strip().splitlines()[-1])


def renovate_env(base: Path) -> dict[str, str]:
    """The environment of a Renovate run: JSON debug log, caches in the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENOVATE_", "GITHUB_"))}
    return {
        **env, **GIT_ENV, "LOG_LEVEL": "debug", "LOG_FORMAT": "json",
        "RENOVATE_BASE_DIR": str(base / "renovate-base"),
    }  # fmt: skip
