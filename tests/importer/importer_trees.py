"""Small hand-written ArgoCD trees for the import tests, and the object-by-object check."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from homegen.cli import app
from homegen.commands.importer import read_tree_files
from homegen.config.loader import read_config
from homegen.importer.compare import Comparison, compare
from homegen.importer.location import Location
from homegen.importer.source import read_files
from homegen.plan.build import build_plan
from robustness import render_cli

REPO = "https://github.com/me/lab"
runner = CliRunner()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write files (relative path → text, dedented) under root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def app_yaml(
    name: str, sources: str, namespace: str, wave: int | None = None, extra: str = ""
) -> str:
    """An Application as people write it: automated sync, CreateNamespace, homegen's retry."""
    annotations = (
        f'\n  annotations:\n    argocd.argoproj.io/sync-wave: "{wave}"' if wave is not None else ""
    )
    return (
        f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n"
        f"  namespace: argocd{annotations}\n  finalizers:\n"
        "    - resources-finalizer.argocd.argoproj.io\nspec:\n  project: default\n"
        + textwrap.indent(textwrap.dedent(sources).strip("\n"), "  ")
        + "\n  destination:\n    server: https://kubernetes.default.svc\n"
        + f"    namespace: {namespace}\n"
        "  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n"
        "    syncOptions:\n      - CreateNamespace=true\n"
        "    retry:\n      limit: 5\n      backoff:\n        duration: 5s\n        factor: 2\n"
        "        maxDuration: 3m\n" + extra
    )


def root_app(path: str, recurse: bool = False) -> str:
    """The root Application syncing the apps folder."""
    directory = "\n  directory:\n    recurse: true" if recurse else ""
    return app_yaml(
        "root",
        f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: {path}{directory}",
        "argocd",
    )


def import_cli(tree: Path, out: Path, *args: str) -> tuple[int, str, str]:
    """`homegen import` in this process: (exit code, stdout, stderr)."""
    result = runner.invoke(app, ["import", str(tree), "-o", str(out), *args])
    return result.exit_code, result.stdout, result.stderr


def import_and_render(tmp: Path, tree: Path, *args: str) -> tuple[Comparison, str, str]:
    """Import, render into OUT (exit 0 asserted), compare the source with OUT."""
    config = tmp / "services.toml"
    code, stdout, stderr = import_cli(tree, config, "--output", "json", *args)
    assert code == 0, stderr + stdout
    out = tmp / "OUT"
    code, text = render_cli(config, out)
    assert code == 0, text + config.read_text()
    # a tree at the repository's root gets a folder of its own (treefolder.py): the source
    # is still read from the root
    moved = any(
        x["subject"] == "cluster.tree_path" and "repository's root" in str(x["message"])
        for x in report_lines(stdout)
    )
    comparison = reproduced(tree, config, out, "." if moved else None)
    shares = os.environ.get("HOMEGEN_IMPORT_SHARES")  # a file to list each tree's share in
    if shares:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
        with open(shares, "a", encoding="utf-8") as log:
            log.write(
                f"{test}: {len(comparison.reproduced)}/{comparison.total}"
                f" ({comparison.share:.0%}); not reproduced: {comparison.missing}\n"
            )
    return comparison, config.read_text(), stdout


def reproduced(tree: Path, config: Path, out: Path, source_path: str | None = None) -> Comparison:
    """The share of the source tree's objects that OUT reproduces; ``source_path``: the
    source tree's folder in the repository, where it is not the rendered tree's."""
    source = read_files(read_tree_files(tree))
    rendered = read_files({p: t for p, t in read_tree_files(out).items() if p.endswith(".yaml")})
    loaded = read_config(config)
    plan = build_plan(loaded)
    loc = Location(plan.repo_url, plan.revision, plan.tree_path)
    secrets = {(s.namespace, s.name, key) for s in plan.all_secrets for key, _ in s.keys}
    source_loc = loc if source_path is None else Location(loc.repo_url, loc.revision, source_path)
    return compare(source, source_loc, rendered, loc, secrets)


def report_lines(stdout: str) -> list[dict[str, object]]:
    """The lines of a JSON import report."""
    lines: list[dict[str, object]] = json.loads(stdout)["lines"]
    return lines
