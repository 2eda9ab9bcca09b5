"""Kustomize builds: ``kubectl kustomize`` (or ``kustomize build``), whichever is present."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

TIMEOUT_SECONDS = 120


class BuildFailed(Exception):
    """The build failed; the message is kustomize's own."""


def kustomize_command() -> list[str] | None:
    """The command that builds a folder, or None when neither tool is installed."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


def build(folder: Path) -> str:
    """The YAML a kustomization folder builds to; raises BuildFailed."""
    command = kustomize_command()
    if command is None:
        raise FileNotFoundError("neither kubectl nor kustomize is installed")
    try:
        done = subprocess.run(
            [*command, str(folder)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildFailed(f"no result after {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        raise BuildFailed(done.stderr.strip() or f"exit status {done.returncode}")
    return done.stdout
