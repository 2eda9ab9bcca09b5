"""Helpers of the robustness tests (issue 5): trees as bytes, the CLI in-process, a base config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from homegen.cli import app

REPO = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "cases"
MINIMAL = CASES / "accept" / "minimal" / "services.toml"

runner = CliRunner()


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones and the ledger included), by relative POSIX path."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def render_cli(config: Path, out: Path, *args: str, cwd: Path | None = None) -> tuple[int, str]:
    """`homegen render` in this process; (exit code, stdout + stderr)."""
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(
            app,
            ["render", "--config", str(config), "--out", str(out), *args],
            catch_exceptions=True,
        )
    finally:
        os.chdir(previous)
    text = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += f"\nTraceback (escaped the CLI): {result.exception!r}"
    return result.exit_code, text


def render_process(
    config: Path, out: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m homegen render` in a subprocess."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "homegen",
            "render",
            "--config",
            str(config),
            "--out",
            str(out),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
