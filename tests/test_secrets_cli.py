"""`homegen secrets`: the Secret keys made from 1Password, as a table or JSON (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import tomlkit
from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()


def secrets(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["secrets", "--config", str(folder / "services.toml"), *args])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_table_lists_the_homelab_references(homelab: Path) -> None:
    code, out, _ = secrets(homelab)
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert lines == [
        ["NAMESPACE", "SECRET", "KEY", "REFERENCE", "CREATED", "BY"],
        [
            "arc-runners",
            "arc-github",
            "github_token",
            "op://Personal/arc-github/github_token",
            "setup-secrets.sh",
        ],
        [
            "cloudflared",
            "cloudflared-credentials",
            "token",
            "op://Personal/cloudflared-credentials/token",
            "setup-secrets.sh",
        ],
        [
            "homarr",
            "homarr-secrets",
            "db-encryption-key",
            "op://Personal/homarr-secrets/db-encryption-key",
            "setup-secrets.sh",
        ],
    ]


def test_json_is_a_list_of_objects(homelab: Path) -> None:
    code, out, _ = secrets(homelab, "--output", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows[1] == {
        "namespace": "cloudflared",
        "secret": "cloudflared-credentials",
        "key": "token",
        "reference": "op://Personal/cloudflared-credentials/token",
        "created_by": "setup-secrets.sh",
    }
    assert len(rows) == 3


def test_with_an_operator_it_says_who_creates_what(homelab: Path) -> None:
    path = homelab / "services.toml"
    doc = tomlkit.parse(path.read_text())
    doc["secrets"]["provider"] = "1password-operator"
    doc["secrets"]["namespace"] = "onepassword"
    path.write_text(tomlkit.dumps(doc))
    code, out, _ = secrets(homelab, "--output", "json")
    assert code == 0
    by = {(r["namespace"], r["secret"]): r["created_by"] for r in json.loads(out)}
    assert by == {
        ("arc-runners", "arc-github"): "1password-operator",
        ("cloudflared", "cloudflared-credentials"): "1password-operator",
        ("homarr", "homarr-secrets"): "1password-operator",
        ("onepassword", "onepassword-token"): "setup-secrets.sh",
        ("onepassword", "op-credentials"): "setup-secrets.sh",
    }


def test_unknown_output_is_a_usage_error(homelab: Path) -> None:
    code, out, err = secrets(homelab, "--output", "yaml")
    assert code == 2
    assert out == ""
    assert "--output: 'yaml' is not one of text, json" in err


def test_an_invalid_config_names_the_key(homelab: Path) -> None:
    path = homelab / "services.toml"
    path.write_text(path.read_text().replace('provider = "script"', 'provider = "vault"'))
    code, _, err = secrets(homelab)
    assert code == 2
    assert "secrets.provider" in err
