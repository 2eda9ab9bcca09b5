"""The console entry point leaves without tearing the interpreter down (homegen.cli.main):
exit codes, stdout and stderr must be exactly what they were with a normal exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def homegen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "homegen", *args], capture_output=True, cwd=cwd, check=False
    )


def test_success_flushes_stdout(repo_root: Path) -> None:
    result = homegen("list", "--config", str(repo_root / "services.toml"), "--output", "json")
    assert result.returncode == 0
    apps = json.loads(result.stdout)["apps"]  # the whole document, flushed at exit
    assert len(apps) == 12


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("render", "--output", "yaml"), 2, b"unknown --output 'yaml'"),
        (("render", "--no-such-flag"), 2, b"No such option: --no-such-flag"),
        (("render", "--config", "missing.toml"), 2, b"missing.toml"),
    ],
)
def test_errors_keep_their_exit_code_and_message(
    tmp_path: Path, args: tuple[str, ...], code: int, message: bytes
) -> None:
    result = homegen(*args, cwd=tmp_path)
    assert result.returncode == code
    assert message in result.stderr
    assert b"Traceback" not in result.stderr


def test_check_on_a_stale_tree_exits_1(homelab: Path) -> None:
    result = homegen("render", "--check", cwd=homelab)
    assert result.returncode == 1
    assert b"is stale" in result.stderr


def test_a_reader_that_left_is_no_crash_and_exits_1(repo_root: Path) -> None:
    """`homegen graph | head -0`: the reader is gone before the first write (a closed pipe)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # deterministic: every write gets EPIPE
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "homegen",
                "graph",
                "--config",
                str(repo_root / "services.toml"),
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in result.stderr
    assert b"Exception ignored" not in result.stderr
    assert result.returncode == 1


def test_a_reader_that_reads_everything_gets_exit_0(repo_root: Path) -> None:
    result = homegen("graph", "--config", str(repo_root / "services.toml"))
    assert result.returncode == 0
    assert result.stdout.startswith(b"flowchart LR\n") and result.stdout.endswith(b"\n")
