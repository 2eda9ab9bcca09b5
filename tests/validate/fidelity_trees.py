"""Small trees laid out as public homelabs lay them out (issue 24): ``lab_app`` is an
Application of https://github.com/me/lab, and ``run`` validates a tree from its root."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result
from validate_trees import write_tree

from homegen.cli import app

LAB = "https://github.com/me/lab"
runner = CliRunner()


def lab_app(name: str, path: str, namespace: str, *, kind: str = "Application") -> str:
    """``app(NAME, PATH, NS)`` of the issue: an Application of the lab repository."""
    return (
        f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\n"
        f"metadata: {{name: {name}, namespace: argocd}}\n"
        "spec:\n  project: default\n"
        f"  source: {{repoURL: '{LAB}', targetRevision: HEAD, path: {path}}}\n"
        "  destination: {server: 'https://kubernetes.default.svc', "
        f"namespace: {namespace}}}\n"
    )


def config_map(name: str, namespace: str = "") -> str:
    """A ConfigMap (in ``namespace`` when given)."""
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}{ns}}}\ndata: {{k: v}}\n"


def need_kustomize() -> None:
    """Skip without kubectl or kustomize, except in CI (the machine image has kubectl)."""
    from homegen.expand.kustomize import kustomize_command

    if kustomize_command() is None:
        if os.environ.get("CI"):
            pytest.fail("kubectl is not installed")
        pytest.skip("neither kubectl nor kustomize is installed")


def run(root: Path, files: dict[str, str], *args: str) -> Result:
    """``homegen validate ROOT ARGS`` of the tree ``files`` written at ``root``."""
    write_tree(root, files)
    return runner.invoke(app, ["validate", str(root), "--ignore-missing-schemas", *args])


def app_names(root: Path, files: dict[str, str], *args: str) -> list[str]:
    """The names ``validate --list-apps --output json`` lists."""
    result = run(root, files, "--list-apps", "--output", "json", *args)
    assert result.exit_code == 0, result.output
    return [row["name"] for row in json.loads(result.stdout)]


def findings(root: Path, files: dict[str, str], *args: str) -> list[dict[str, Any]]:
    """The findings of ``validate --output json``."""
    result = run(root, files, "--output", "json", *args)
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["resources"]
    return found


def rules_at(root: Path, files: dict[str, str], *args: str) -> set[tuple[str, str]]:
    """(rule, file) of every finding."""
    found = findings(root, files, *args)
    return {(f["rule"], f["filename"].removeprefix(f"{root}/")) for f in found}
