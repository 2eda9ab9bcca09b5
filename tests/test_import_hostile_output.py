"""What import's builds output is tree data: a terminal escape in a built name or key is
shown escaped in the report and services.toml, kustomize's error text is capped, and YAML
that explodes (an alias bomb kustomize would expand) is never handed to a build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homegen.cli import app
from homegen.expand.kustomize_errors import MAX_CHARS
from test_untrusted_import import hostile_tree
from untrusted_trees import invoke, runner


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.chdir(tmp_path)


def _import(tmp_path: Path, kustomization: str, files: dict[str, str], fmt: str) -> tuple:
    hostile = hostile_tree(tmp_path / fmt, kustomization, files)
    hostile.track()
    out = tmp_path / fmt / "out" / "services.toml"
    result = runner.invoke(app, ["import", str(hostile.repo), "-o", str(out), "--output", fmt])
    return result, (out.read_text() if out.exists() else "")


ESCAPES = (
    'resources: [ns.yaml]\nnamePrefix: "\\e]0;pwn\\a-"\n'
    'secretGenerator: [{name: creds, literals: ["\\e[31mkey=v"]}]\n'
    'configMapGenerator: [{name: cfg, literals: ["a=\\e[2Jvalue"]}]\n'
)


def test_terminal_escapes_in_built_names_and_keys_are_shown_escaped(tmp_path: Path) -> None:
    text, toml = _import(tmp_path, ESCAPES, {}, "text")
    assert text.exit_code in (0, 1), text.stderr
    for output in (text.stdout, text.stderr, toml):
        assert "\x1b" not in output and "\x07" not in output
    assert "Secret/\\x1b]0;pwn\\x07-creds-" in text.stderr  # the built name, escaped
    assert "key '\\x1b[31mkey'" in text.stderr
    assert '"\\u001b]0;pwn\\u0007-cfg-' in toml and '"\\u001b[2Jvalue"' in toml
    report, _ = _import(tmp_path, ESCAPES, {}, "json")
    assert "\x1b" not in report.stdout and "\x07" not in report.stdout
    lines = json.loads(report.stdout)["lines"]
    assert any("Secret/\x1b]0;pwn\x07-creds-" in x["subject"] for x in lines), lines


def test_a_long_build_error_is_cut_in_the_report(tmp_path: Path) -> None:
    """kustomize's error echoes a 20,000-character name twice; the report shows at most
    MAX_CHARS of it, as validate's finding does."""
    name = "n" * 20_000
    twice = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: kust}}\n"
    result, _ = _import(
        tmp_path,
        "resources: [ns.yaml, a.yaml, b.yaml]\nnamePrefix: x-\n",
        {"kust/a.yaml": twice, "kust/b.yaml": twice},
        "text",
    )
    line = next(x for x in result.stderr.splitlines() if "its build fails" in x)
    failure = line.split("its build fails: ", 1)[1]
    assert "may not add resource with an already registered id" in failure
    assert name not in line and len(failure) < MAX_CHARS + 200, len(failure)
    assert "…" in failure


def _alias_bomb(levels: int) -> str:
    """A ConfigMap whose aliases expand to 9**(levels + 1) strings."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb, namespace: kust}"]
    lines.append("l0: &l0 [" + ", ".join(["lol"] * 9) + "]")
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", ["import", "validate"])
def test_an_alias_bomb_a_build_reads_is_not_built(tmp_path: Path, command: str) -> None:
    """A resource named bomb.txt (not read as YAML by the tree's reader; kustomize reads any
    resource) whose aliases expand to 9**7 strings: kustomize would take gigabytes."""
    kustomization = "resources: [ns.yaml, bomb.txt]\nnamePrefix: x-\n"
    hostile = hostile_tree(tmp_path, kustomization, {"kust/bomb.txt": _alias_bomb(6)})
    hostile.track()
    if command == "import":
        code, text = invoke("import", str(hostile.repo), "-o", str(tmp_path / "s.toml"))
    else:
        code, text = invoke("validate", str(hostile.repo))
    said = "not built: kust/bomb.txt:1: aliases expand to more than 1,000,000 nodes"
    assert code in (0, 1) and said in text, text


def test_anchors_a_build_reads_under_the_limit_are_built(tmp_path: Path) -> None:
    """Just under: 9**3 strings through aliases is an ordinary use of anchors."""
    small = _alias_bomb(2).replace("l0:", "data: {k: v}\nl0:")
    kustomization = "resources: [ns.yaml, small.yaml]\nnamePrefix: x-\n"
    hostile = hostile_tree(tmp_path, kustomization, {"kust/small.yaml": small})
    hostile.track()
    code, text = invoke("import", str(hostile.repo), "-o", str(tmp_path / "s.toml"))
    assert code in (0, 1) and "built as ArgoCD builds it" in text, text
    assert "not built" not in text
