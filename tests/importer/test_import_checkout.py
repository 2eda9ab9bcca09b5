"""A tree of ApplicationSets over in-tree charts and folders, whose sources are all templates:
the checkout's origin remote and folder say where the tree is, the sets expand into the
Applications they create, and the share compares those Applications (issue 25)."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

from importer_trees import import_and_render, import_cli, report_lines, write_tree

ORIGIN = "https://github.com/me/lab"
SET = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: stack
  namespace: argocd
spec:
  generators:
    - git:
        repoURL: https://github.com/me/lab.git
        revision: trunk
        directories:
          - path: stack/*
  template:
    metadata:
      name: '{{path.basename}}'
    spec:
      project: default
      destination:
        name: in-cluster
        namespace: '{{path.basename}}'
      source:
        repoURL: https://github.com/me/lab.git
        path: '{{path}}'
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
        syncOptions:
          - CreateNamespace=true
"""
CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: tools
data:
  mode: fast
"""


def checkout(root: Path, set_file: str = "boot/stack.yaml") -> Path:
    """A git repository of the set, a chart folder and a manifests folder, origin on GitHub
    (and whatever ``root`` already holds)."""
    repo = write_tree(
        root,
        {
            set_file: SET,
            "stack/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            "stack/web/values.yaml": "replicas: 1\n",
            "stack/tools/cm.yaml": CONFIGMAP,
        },
    )
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "x"],
        ["git", "remote", "add", "origin", ORIGIN],
    ):
        subprocess.run(command, cwd=repo, env=env, check=True)
    return repo


def test_a_tree_of_sets_takes_its_location_from_the_checkout(tmp_path: Path) -> None:
    repo = checkout(tmp_path / "lab")
    comparison, text, stdout = import_and_render(tmp_path, repo)
    data = tomllib.loads(text)
    assert data["cluster"]["repo_url"] == ORIGIN
    assert data["cluster"]["tree_path"] == "rendered"  # the checkout's root: a folder of its own
    assert data["cluster"]["revision"] == "trunk"  # what the git generator reads
    assert {"web", "tools"} <= set(data["apps"])
    assert data["apps"]["web"]["git"]["path"] == "stack/web"
    assert "ApplicationSet/argocd/stack" in comparison.reproduced, comparison.missing
    assert "ConfigMap/tools/tools" in comparison.reproduced, comparison.missing
    lines = report_lines(stdout)
    assert any(
        x["subject"] == "cluster.repo_url" and "origin remote" in str(x["message"]) for x in lines
    )


def test_a_folder_of_the_checkout_is_its_tree_path(tmp_path: Path) -> None:
    repo = checkout(tmp_path / "lab")
    out = tmp_path / "services.toml"
    code, _, stderr = import_cli(repo / "boot", out)
    assert code == 0, stderr
    assert tomllib.loads(out.read_text())["cluster"]["tree_path"] == "boot"


def test_a_set_whose_application_differs_is_not_reproduced(tmp_path: Path) -> None:
    """The set is compared through the Applications it creates: one that renders otherwise
    (here its folder cannot be imported) leaves the set not reproduced, with why."""
    repo = checkout(tmp_path / "lab")
    (repo / "stack" / "tools" / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches: [{path: p.yaml}]\n"
    )
    comparison, _, _ = import_and_render(tmp_path, repo)
    why = dict(comparison.missing).get("ApplicationSet/argocd/stack", "")
    assert why.startswith("its Application tools differs in"), comparison.missing


BOOT = (
    SET.replace("name: stack\n", "name: boot\n", 1)
    .replace("path: stack/*", "path: boot/*")
    .replace("namespace: '{{path.basename}}'", "namespace: argocd")
)


def test_a_root_the_set_creates_is_the_root_not_an_app(tmp_path: Path) -> None:
    """A set over boot/* creates the Application that syncs boot/root, where the sets live:
    a self-managed root, which homegen's app-of-apps replaces; it is never an empty app."""
    repo = tmp_path / "lab"
    write_tree(repo, {"boot/root/boot.yaml": BOOT, "boot/extra/cm.yaml": CONFIGMAP})
    checkout(repo, "boot/root/stack.yaml")
    comparison, text, stdout = import_and_render(tmp_path, repo)
    apps = tomllib.loads(text)["apps"]
    assert "root" not in apps and {"extra", "web", "tools"} <= set(apps)
    root = [x for x in report_lines(stdout) if x["subject"] == "Application/root"]
    assert [x["kind"] for x in root] == ["imported"], root
    assert "a root app (ApplicationSet/boot creates it)" in str(root[0]["message"])
    why = dict(comparison.missing)["ApplicationSet/argocd/boot"]
    assert why == "its Application root is a root app: homegen's app-of-apps syncs apps/"
