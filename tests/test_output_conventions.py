"""Output conventions: data on stdout, people on stderr; --output json, --quiet, --color,
NO_COLOR and shell completion (issue 7)."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from homegen import console
from homegen.cli import app

runner = CliRunner()
ANSI = "\x1b["


@pytest.fixture(autouse=True)
def _reset_console() -> None:
    console.configure()  # the CLI sets process-wide options; start every test from defaults


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def render(folder: Path, *args: str, root: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return invoke(
        *root, "render", "--config", str(folder / "services.toml"),
        "--out", str(folder / "rendered"), *args,
    )  # fmt: skip


def test_render_check_json_lists_created_changed_deleted_edited(homelab: Path) -> None:
    assert render(homelab)[0] == 0
    out = homelab / "rendered"
    code, stdout, stderr = render(homelab, "--check", "--output", "json")
    assert code == 0
    assert json.loads(stdout) == {
        "tree": str(out), "check": True, "clean": True, "created": [], "changed": [],
        "deleted": [], "edited": [], "foreign": [], "kept": [], "ledger_stale": False,
    }  # fmt: skip
    assert "up to date" in stderr
    (out / "apps" / "homarr.yaml").unlink()
    (out / "values" / "traefik.yaml").write_text("# edited by hand\n", encoding="utf-8")
    config = homelab / "services.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("replicas = 2", "replicas = 3", 1), encoding="utf-8")
    _drop_metrics_server(config)
    code, stdout, stderr = render(homelab, "--check", "--output", "json")
    assert code == 1
    report = json.loads(stdout)  # stdout holds the JSON and nothing else
    assert report["clean"] is False
    assert report["created"] == [f"{out}/apps/homarr.yaml"]
    assert report["changed"] == [f"{out}/manifests/cloudflared/deployment.yaml"]
    assert f"{out}/apps/metrics-server.yaml" in report["deleted"]
    assert f"{out}/values/metrics-server.yaml" in report["deleted"]
    assert report["edited"] == [f"{out}/values/traefik.yaml"]
    assert "diff" not in report
    assert f"would create {out}/apps/homarr.yaml" in stderr  # people still read stderr
    assert not (out / "apps" / "homarr.yaml").exists()  # --check wrote nothing


def _drop_metrics_server(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    start = text.index("[apps.metrics-server]")
    end = text.index("[apps.actions-runner-controller]")
    config.write_text(text[:start] + text[end:], encoding="utf-8")


def test_render_json_carries_the_diff(homelab: Path) -> None:
    code, stdout, _ = render(homelab, "--check", "--diff", "--output", "json")
    assert code == 1
    report = json.loads(stdout)
    assert f"+++ b/{homelab / 'rendered'}/app-of-apps.yaml" in report["diff"]
    code, stdout, _ = render(homelab, "--output", "json")  # a real render reports what it did
    assert code == 0
    written = json.loads(stdout)
    assert written["check"] is False
    assert f"{homelab / 'rendered'}/app-of-apps.yaml" in written["created"]


def test_render_text_output_keeps_stdout_for_the_diff_only(homelab: Path) -> None:
    code, stdout, stderr = render(homelab, "--check")
    assert (code, stdout) == (1, "")
    assert "is stale" in stderr
    code, stdout, _ = render(homelab, "--check", "--diff")
    assert stdout.startswith("--- /dev/null\n")


def test_render_rejects_an_unknown_output(homelab: Path) -> None:
    code, stdout, stderr = render(homelab, "--check", "--output", "yaml")
    assert (code, stdout) == (2, "")
    assert "unknown --output 'yaml'" in stderr


def test_validate_and_list_json_are_parseable(repo_root: Path) -> None:
    code, stdout, _ = invoke("validate", str(repo_root / "rendered"), "--output", "json")
    assert code == 0
    assert isinstance(json.loads(stdout), dict)
    code, stdout, _ = invoke(
        "list", "--config", str(repo_root / "services.toml"), "--output", "json"
    )
    assert code == 0
    assert json.loads(stdout)["apps"]


def test_quiet_silences_progress_but_not_drift(homelab: Path) -> None:
    code, stdout, stderr = render(homelab, root=("--quiet",))
    assert (code, stdout, stderr) == (0, "", "")
    assert (homelab / "rendered" / "app-of-apps.yaml").is_file()
    assert "is up to date" in render(homelab)[2]  # without --quiet, progress is shown
    assert render(homelab, "--check", root=("-q",))[2] == ""
    (homelab / "rendered" / "apps" / "homarr.yaml").unlink()
    code, _, stderr = render(homelab, "--check", root=("-q",))
    assert code == 1
    assert "would create" in stderr and "is stale" in stderr


def test_color_always_never_and_auto(homelab: Path) -> None:
    code, _, stderr = render(homelab, "--check", root=("--color", "always"))
    assert code == 1
    assert f"{ANSI}32mwould create" in stderr
    for root in (("--color", "never"), ()):  # auto: the test's stderr is no terminal
        assert ANSI not in render(homelab, "--check", root=root)[2]
    code, _, stderr = invoke("--color", "sometimes", "list")
    assert code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_colours_a_terminal_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    terminal = _Terminal()
    assert console.style("x", "red", stream=terminal) == "\x1b[31mx\x1b[0m"
    assert console.style("x", "red", stream=io.StringIO()) == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert console.style("x", "red", stream=terminal) == "x"
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    assert console.color_enabled(terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    console.configure(color="always")  # an explicit flag beats the environment
    assert console.color_enabled(terminal)
    console.configure(color="never")
    monkeypatch.delenv("NO_COLOR")
    assert not console.color_enabled(terminal)


def test_shell_completion_script_and_completions() -> None:
    homegen = Path(sys.executable).with_name("homegen")
    env = {**os.environ, "SHELL": "/bin/bash"}
    # typer detects the shell from the parent process (shellingham), so run it under bash:
    # under make or CI the nearest ancestor shell is often sh, which typer does not support.
    script = subprocess.run(
        ["bash", "-c", f"{shlex.quote(str(homegen))} --show-completion; exit $?"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0, script.stderr
    assert "complete -o default -F _homegen_completion homegen" in script.stdout
    words = subprocess.run(
        [str(homegen)],
        env={**env, "_HOMEGEN_COMPLETE": "complete_bash", "COMP_WORDS": "homegen gr",
             "COMP_CWORD": "1"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert words.stdout.split() == ["graph"]
    assert "--install-completion" in invoke("--help")[1]


def test_a_renders_create_lines_go_out_in_one_write_escaped_and_quiet_silences_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """console.notes: every line shown as note() shows it (control characters escaped, one
    line each), in one write; --quiet silences them all."""
    console.notes(["  create out/a.yaml", "  create out/b\x1b[31m.yaml"])
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "  create out/a.yaml"
    assert len(err.splitlines()) == 2 and "\x1b" not in err
    console.note("  create out/b\x1b[31m.yaml")
    assert capsys.readouterr().err == err.splitlines(keepends=True)[1]
    console.configure(quiet=True)
    console.notes(["  create out/a.yaml"])
    assert capsys.readouterr().err == ""


def test_render_names_every_file_it_creates(homelab: Path) -> None:
    code, _, stderr = render(homelab)
    assert code == 0
    created = [
        line.split()[-1] for line in stderr.splitlines() if line.lstrip().startswith("create")
    ]
    written = sorted(
        p.as_posix()
        for p in (homelab / "rendered").rglob("*")
        if p.is_file() and not p.name.startswith(".homegen")
    )
    assert sorted(created) == written
