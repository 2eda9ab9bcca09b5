"""Throwaway git repositories for the diff tests, and homegen run in them as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip


class GitRepo:
    """A repository made in the test; ``cache`` is the private XDG cache of its runs."""

    def __init__(self, root: Path, cache: Path) -> None:
        self.root = root
        self.env = {**os.environ, **ENV, "XDG_CACHE_HOME": str(cache)}
        self.env.pop("HOMEGEN_CHARTS", None)
        self.env.pop("NO_COLOR", None)
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def homegen(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "homegen", *args],
            cwd=self.root, env=self.env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
