"""`homegen schema`: the JSON Schema of services.toml, for editors and CI (issue 7)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from homegen.cli import app
from homegen.schema import DIALECT, SCHEMA_FILE, schema_text
from tools import external_tool

runner = CliRunner()


def shipped(repo_root: Path) -> dict[str, Any]:
    return tomllib.loads((repo_root / "services.toml").read_text(encoding="utf-8"))


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (path, property schema) in the schema, nested definitions included."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from properties(value, f"{where}[{index}]")


def test_committed_schema_is_current(repo_root: Path) -> None:
    assert (repo_root / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()


def test_shipped_services_toml_points_at_the_schema(repo_root: Path) -> None:
    first = (repo_root / "services.toml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"#:schema ./{SCHEMA_FILE}"


def test_schema_is_draft_2020_12_with_title() -> None:
    schema = json.loads(schema_text())
    assert schema["$schema"] == DIALECT
    assert schema["title"] == "homegen services.toml"
    assert schema["additionalProperties"] is False


def test_every_field_has_a_description() -> None:
    found = list(properties(json.loads(schema_text())))
    assert len(found) > 100
    missing = [path for path, prop in found if not prop.get("description")]
    assert missing == []


def test_shipped_services_toml_is_valid(repo_root: Path) -> None:
    errors = [e.message for e in validator().iter_errors(shipped(repo_root))]
    assert errors == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["cluster"].update(revison="main"), "'revison' was unexpected"),
        (lambda d: d["gateway"]["listeners"][0].update(port="8000"), "is not of type 'integer'"),
        (lambda d: d["services"]["cloudflared"].update(replicas=-1), "minimum of 0"),
        (lambda d: d["apps"].update({"Bad_Name": {}}), "does not match"),
        (lambda d: d["apps"]["traefik"]["helm"].update(version="latest"), "does not match"),
        (lambda d: d["services"]["cloudflared"].update(image="cloudflared"), "does not match"),
        (lambda d: d["apps"]["homarr"].update(tier="prod"), "is not valid under any"),
    ],
)
def test_schema_rejects_what_the_models_reject(repo_root: Path, change: Any, expected: str) -> None:
    data = copy.deepcopy(shipped(repo_root))
    change(data)
    messages = [m for e in validator().iter_errors(data) for m in messages_of(e)]
    assert any(expected in m for m in messages), messages


def messages_of(error: jsonschema.ValidationError) -> Iterator[str]:
    """The error's message and those of its anyOf branches."""
    yield error.message
    for sub in error.context or ():
        yield from messages_of(sub)


def test_schema_text_is_deterministic(repo_root: Path) -> None:
    code = "import sys; from homegen.schema import schema_text; sys.stdout.write(schema_text())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out == schema_text()


def test_cli_prints_writes_and_checks(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0
    assert printed.stdout == schema_text()
    target = tmp_path / SCHEMA_FILE
    missing = runner.invoke(app, ["schema", "--check", "-o", str(target)])
    assert missing.exit_code == 1
    assert "missing" in missing.stderr
    assert not target.exists()
    wrote = runner.invoke(app, ["schema", "-o", str(target)])
    assert (wrote.exit_code, wrote.stdout) == (0, "")
    assert target.read_text(encoding="utf-8") == schema_text()
    assert runner.invoke(app, ["schema", "--check", "-o", str(target)]).exit_code == 0
    target.write_text(schema_text().replace("homegen services.toml", "old"), encoding="utf-8")
    stale = runner.invoke(app, ["schema", "--check", "-o", str(target)])
    assert stale.exit_code == 1
    assert f"{target} is stale" in stale.stderr
    assert "old" in target.read_text(encoding="utf-8")  # --check never writes


def test_cli_check_needs_a_file() -> None:
    result = runner.invoke(app, ["schema", "--check"])
    assert result.exit_code == 2
    assert "--check needs the file" in result.stderr


def _taplo() -> str:
    return external_tool("taplo", "pip install taplo; make setup installs it")


def taplo_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """`taplo check services.toml` in folder: the `#:schema` directive, no online catalog."""
    return subprocess.run(
        [_taplo(), "check", "--no-auto-config", "--cache-path", str(folder / ".taplo-cache"),
         "services.toml"],
        cwd=folder, capture_output=True, text=True, timeout=60,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "error"},
    )  # fmt: skip


def test_taplo_accepts_the_shipped_file(homelab: Path) -> None:
    result = taplo_check(homelab)
    assert result.returncode == 0, result.stderr


def test_taplo_reports_a_typo_through_the_schema_directive(homelab: Path) -> None:
    path = homelab / "services.toml"
    text = path.read_text(encoding="utf-8").replace('revision = "main"', 'revison = "main"', 1)
    path.write_text(text, encoding="utf-8")
    result = taplo_check(homelab)
    assert result.returncode == 1
    assert "'revison' was unexpected" in result.stderr
