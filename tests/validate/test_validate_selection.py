"""Rule selection as ruff and kubeconform do it: --select/--ignore by id or prefix, --skip and
--reject by kind, on the command line and in services.toml's [validate] table."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import SHARED_SCHEMAS, clean_files, edit, write_tree

from homegen.cli import app
from homegen.validate.selection import Selection

# these tests are about reading trees, not CRD schemas: a fresh clone without ../shared
# (no ArgoCD schemas) must give the same findings
SCHEMAS = ["--schema-location", str(SHARED_SCHEMAS), "--ignore-missing-schemas"]
runner = CliRunner()
DEPLOY = "manifests/whoami/deployment.yaml"


@pytest.mark.parametrize(
    ("select", "ignore", "rule", "kept"),
    [
        ((), (), "HG301", True),
        (("HG3",), (), "HG301", True),
        (("HG3",), (), "HG222", False),
        ((), ("HG3",), "HG301", False),
        (("HG3",), ("HG30",), "HG311", True),
        (("HG3",), ("HG30",), "HG301", False),
        (("HG301",), ("HG3",), "HG301", True),  # the more specific entry wins
        (("HG",), ("HG222",), "HG222", False),
    ],
)
def test_select_and_ignore_by_prefix(
    select: tuple[str, ...], ignore: tuple[str, ...], rule: str, kept: bool
) -> None:
    assert Selection(select, ignore).keeps(rule) is kept


def _broken(tmp_path: Path) -> Path:
    """HG104 (schema), HG309 (policy) and HG222 (an orphan) in one tree."""
    files = edit(
        clean_files(), DEPLOY, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"
    )
    files = edit(
        files,
        DEPLOY,
        "image: traefik/whoami:v1.10",
        "image: traefik/whoami:v1.10\n          imagePullPolicey: Always",
    )
    files["stray/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: x}\n"
    return write_tree(tmp_path / "tree", files)  # fmt: skip


def _rules(tmp_path: Path, *args: str, toml: str | None = None) -> tuple[int, set[str]]:
    root = _broken(tmp_path)
    if toml is not None:
        (tmp_path / "services.toml").write_text(toml)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = runner.invoke(app, ["validate", str(root), *SCHEMAS, *args], env=env)
    rules = {line.split()[2].rstrip(":") for line in result.stdout.splitlines()[:-1]}
    return result.exit_code, rules


def test_everything_is_reported_by_default(tmp_path: Path) -> None:
    assert _rules(tmp_path) == (1, {"HG104", "HG309", "HG222"})


def test_select_a_layer_on_the_command_line(tmp_path: Path) -> None:
    assert _rules(tmp_path, "--select", "HG2") == (0, {"HG222"})
    assert _rules(tmp_path, "--select", "HG1,HG222") == (1, {"HG104", "HG222"})


def test_ignore_the_hardening_policy(tmp_path: Path) -> None:
    assert _rules(tmp_path, "--ignore", "HG3") == (1, {"HG104", "HG222"})


def test_skip_and_reject_by_kind(tmp_path: Path) -> None:
    assert _rules(tmp_path, "--skip", "Deployment") == (0, {"HG222"})
    code, rules = _rules(tmp_path, "--skip", "Deployment", "--reject", "ConfigMap")
    assert (code, rules) == (1, {"HG108", "HG222"})


def test_validate_table_in_services_toml(tmp_path: Path) -> None:
    toml = '[validate]\nignore = ["HG3", "HG222"]\nskip = ["ConfigMap"]\n'
    assert _rules(tmp_path, toml=toml) == (1, {"HG104"})
    # a command-line option replaces the same key of the table
    assert _rules(tmp_path, "--ignore", "HG1", toml=toml) == (1, {"HG309"})


def test_validate_table_problems_are_config_errors_at_their_line(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    (tmp_path / "services.toml").write_text('[validate]\nselect = ["HG3", "policy"]\n')
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 2
    assert "services.toml:2:18: validate.select[1]: 'policy' is not a rule id or prefix" in (
        result.stderr
    )


def test_bad_select_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    assert _rules(tmp_path, "--select", "nope")[0] == 2
