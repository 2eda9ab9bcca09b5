"""What owners set on their Applications comes back in services.toml and renders back exactly:
project, metadata, release names, a Git chart's Helm options; names Kubernetes accepts; a root
that never takes an imported app's name (issue 25)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from importer_trees import app_yaml, import_and_render, report_lines, root_app, write_tree

OTHER = "https://github.com/me/charts"
GIT_CHART = f"""
source:
  repoURL: {OTHER}
  targetRevision: v2
  path: charts/wrapper
  helm:
    releaseName: wrap
    valueFiles: [values.yaml, values-lab.yaml]
    skipCrds: true
    ignoreMissingValueFiles: true
"""
META = """
  labels:
    team: core
  annotations:
    notifications.argoproj.io/subscribe.on-sync-failed.slack: ops
"""


def rendered_app(tmp: Path, name: str) -> dict[str, object]:
    app: dict[str, object] = yaml.safe_load((tmp / "OUT" / "apps" / f"{name}.yaml").read_text())
    return app


def test_project_metadata_and_a_git_charts_options_are_kept(tmp_path: Path) -> None:
    app = app_yaml("wrapper", GIT_CHART, "wrapper").replace("project: default", "project: platform")
    app = app.replace("  namespace: argocd\n", "  namespace: argocd\n" + META.strip("\n") + "\n", 1)
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/wrapper.yaml": app})
    _, text, stdout = import_and_render(tmp_path, tree)
    table = tomllib.loads(text)["apps"]["wrapper"]
    assert table["git"]["helm"] == {
        "value_files": ["values.yaml", "values-lab.yaml"],
        "skip_crds": True,
        "ignore_missing_value_files": True,
        "release_name": "wrap",
    }
    assert table["application"]["project"] == "platform"
    assert table["application"]["labels"] == {"team": "core"}
    out = rendered_app(tmp_path, "wrapper")
    source = yaml.safe_load(textwrap_source(GIT_CHART))["source"]
    assert out["spec"]["source"] == source  # type: ignore[index]
    assert out["spec"]["project"] == "platform"  # type: ignore[index]
    meta = out["metadata"]
    assert meta["labels"]["team"] == "core"  # type: ignore[index]
    slack = "notifications.argoproj.io/subscribe.on-sync-failed.slack"
    assert meta["annotations"][slack] == "ops"  # type: ignore[index]
    lost = [x for x in report_lines(stdout) if x["kind"] == "not-expressed"]
    assert not [x for x in lost if x["subject"] == "Application/wrapper"], lost


def textwrap_source(text: str) -> str:
    return text.strip("\n")


def test_a_release_name_helm_refuses_is_reported_not_written(tmp_path: Path) -> None:
    chart = GIT_CHART.replace("releaseName: wrap", "releaseName: Wrap_Me")
    tree = write_tree(
        tmp_path / "tree",
        {"root.yaml": root_app("apps"), "apps/wrapper.yaml": app_yaml("wrapper", chart, "w")},
    )
    _, text, stdout = import_and_render(tmp_path, tree)
    assert "release_name" not in tomllib.loads(text)["apps"]["wrapper"]["git"]["helm"]
    assert any("Wrap_Me" in str(x["message"]) for x in report_lines(stdout))


def test_an_app_named_with_a_leading_digit_loads(tmp_path: Path) -> None:
    git = f"source:\n  repoURL: {OTHER}\n  targetRevision: v1\n  path: deploy/4get\n"
    tree = write_tree(
        tmp_path / "tree",
        {"root.yaml": root_app("apps"), "apps/4get.yaml": app_yaml("4get", git, "4get")},
    )
    _, text, _ = import_and_render(tmp_path, tree)
    assert "4get" in tomllib.loads(text)["apps"]
    assert rendered_app(tmp_path, "4get")["metadata"]["name"] == "4get"  # type: ignore[index]


def test_an_app_named_like_the_root_keeps_its_name(tmp_path: Path) -> None:
    """A folder imported without its root: its own app-of-apps is an ordinary app there."""
    git = f"source:\n  repoURL: {OTHER}\n  targetRevision: v1\n  path: deploy/all\n"
    tree = write_tree(
        tmp_path / "tree",
        {"aoa.yaml": app_yaml("app-of-apps", git, "aoa")},
    )
    _, text, stdout = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert "app-of-apps" in data["apps"]
    assert data["argocd"]["root_app"] == "app-of-apps-root"
    assert any(x["subject"] == "argocd.root_app" for x in report_lines(stdout))
    assert rendered_app(tmp_path, "app-of-apps")["spec"]["source"]["path"] == "deploy/all"  # type: ignore[index]
