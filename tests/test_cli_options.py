"""Command-line habits (issue 18): `-q/--quiet` after any subcommand, `homegen --version`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from homegen import version
from homegen.cli import app
from robustness import MINIMAL

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def subcommands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_subcommand_takes_quiet_after_its_name() -> None:
    names = subcommands()
    assert {"render", "validate", "list", "add-service"} <= set(names)
    for name in names:
        code, stdout, _ = invoke(name, "--help")
        assert code == 0
        assert "-q, --quiet" in stdout, (
            f"homegen {name} lacks -q: add `quiet: QuietOpt = False` to its function in cli.py"
        )


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_before_or_after_the_subcommand(tmp_path: Path, where: str) -> None:
    shutil.copy(MINIMAL, tmp_path / "services.toml")
    args = ["render", "-c", str(tmp_path / "services.toml"), "-o", str(tmp_path / "out")]
    argv = ["-q", *args] if where == "before" else [*args, "-q"]

    assert invoke(*argv) == (0, "", "")
    assert (tmp_path / "out" / "app-of-apps.yaml").is_file()
    code, _, stderr = invoke(*args)  # without it, progress shows
    assert code == 0
    assert re.fullmatch(rf"{tmp_path / 'out'} is up to date \(\d+ files\)\n", stderr)
    (tmp_path / "out" / "apps" / "web.yaml").unlink()
    code, _, stderr = invoke(*args, "--check", "--quiet")  # drift shows even so
    assert code == 1
    assert "would create" in stderr


def test_quiet_after_list_and_graph(repo_root: Path) -> None:
    code, stdout, _ = invoke("list", "-c", str(repo_root / "services.toml"), "-q")
    assert code == 0 and "cloudflared" in stdout
    code, stdout, _ = invoke("graph", "-c", str(repo_root / "services.toml"), "--quiet")
    assert code == 0 and stdout.startswith("flowchart")


def test_version_names_homegen_the_schemas_and_the_chart_engine() -> None:
    code, stdout, _ = invoke("--version")
    assert code == 0
    lines = stdout.splitlines()
    assert re.fullmatch(r"homegen \d+\.\d+\.\d+\S*", lines[0])
    assert re.fullmatch(r"python \d+\.\d+\.\d+\S*", lines[1])
    assert re.fullmatch(
        r"Kubernetes schemas: kubernetes-validate \d+\.\d+\.\d+\S* "
        r"\(Kubernetes 1\.\d+\.\d+ to 1\.\d+\.\d+\)",
        lines[2],
    )
    assert re.fullmatch(r"chart engine: helm-python-sdk (\d+\.\d+\.\d+\S*|not installed)", lines[3])
    assert len(lines) == 4


def test_version_says_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(version, "distribution_version", lambda name: None)
    assert version.version_lines()[2:] == [
        "Kubernetes schemas: kubernetes-validate not installed",
        "chart engine: helm-python-sdk not installed",
    ]
    monkeypatch.setattr(version, "distribution_version", lambda name: "9.9.9")
    assert version.version_lines()[3] == "chart engine: helm-python-sdk 9.9.9"


def test_version_lists_the_shipped_schema_versions() -> None:
    shipped = version.kubernetes_schema_versions()
    assert "1.28.0" in shipped  # the default kubernetes_version of services.toml
    assert shipped == sorted(shipped, key=lambda v: tuple(map(int, v.split("."))))
