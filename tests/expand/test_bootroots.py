"""Roots a chart of the tree makes at bootstrap (a wrapper chart whose dependency turns values
into ApplicationSets, as argocd-apps does): they are rendered offline and become the roots."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from expand_charts import need_engine, write
from typer.testing import CliRunner, Result

from homegen.cli import app
from homegen.expand.bootroots import root_known, value_file_names
from homegen.treeread import TreeReader
from homegen.validate.reader.documents import load_tree

REPO = "https://github.com/me/lab"

# a tiny stand-in for argocd-apps: one ApplicationSet per entry of .Values.applicationsets
APPSETS_CHART = {
    "Chart.yaml": """
        apiVersion: v2
        name: appsets
        version: 1.0.0
    """,
    "values.yaml": "applicationsets: {}\n",
    "templates/appsets.yaml": """
        {{- range $name, $set := .Values.applicationsets }}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: ApplicationSet
        metadata:
          name: {{ $name }}
          namespace: argocd
        spec:
          generators:
            - git:
                repoURL: {{ $set.repoURL }}
                revision: main
                directories:
                  - path: {{ $set.path }}
          template:
            metadata:
              name: '{{ `{{path.basename}}` }}'
            spec:
              project: default
              destination:
                server: https://kubernetes.default.svc
                namespace: '{{ `{{path.basename}}` }}'
              source:
                repoURL: {{ $set.repoURL }}
                targetRevision: main
                path: '{{ `{{path}}` }}'
        {{- end }}
    """,
}


def _tree(root: Path, repository: str, seed: str = REPO) -> Path:
    """bootstrap/ wraps the appsets chart; values.yaml points the root at an in-cluster
    mirror, values-seed.yaml (layered over it at first install) at the repository itself."""
    write(root / "charts/appsets", APPSETS_CHART)
    return write(
        root,
        {
            "bootstrap/Chart.yaml": f"""
                apiVersion: v2
                name: bootstrap
                version: 0.0.0
                dependencies:
                  - name: appsets
                    version: 1.0.0
                    repository: {repository}
            """,
            "bootstrap/values.yaml": """
                appsets:
                  applicationsets:
                    apps: {repoURL: "http://git.mirror:3000/me/lab", path: "apps/*"}
                    other: {repoURL: "https://github.com/someone/else", path: "x/*"}
            """,
            "bootstrap/values-seed.yaml": f"""
                appsets:
                  applicationsets:
                    apps: {{repoURL: "{seed}"}}
            """,
            "apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
            "apps/db/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\n",
        },
    )


def _validate(tree: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app,
        ["validate", str(tree), "--ignore-missing-schemas", "--repo-url", REPO,
         "--list-apps", "--output", "json", *args],
    )  # fmt: skip


def test_the_apps_a_bootstrap_chart_makes_are_the_roots(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "file://../charts/appsets")
    result = _validate(tree)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # the seed file's repoURL (this repository) wins over values.yaml's mirror; the set
    # that reads another repository is not this tree's root
    assert sorted((r["name"], r["generatedBy"]) for r in rows) == [
        ("db", "ApplicationSet/apps (git directory apps/db)"),
        ("web", "ApplicationSet/apps (git directory apps/web)"),
    ]
    assert "root from chart bootstrap rendered at bootstrap" in result.stderr
    assert "values.yaml, values-seed.yaml" in result.stderr


def test_a_root_that_syncs_the_bootstrap_chart_is_listed_once(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "file://../charts/appsets")
    write(
        tree,
        {
            "bootstrap/values-seed.yaml": f"""
                appsets:
                  applicationsets:
                    apps: {{repoURL: "{REPO}"}}
                    boot: {{repoURL: "{REPO}", path: bootstrap}}
            """
        },
    )
    # a checkout: the tree is the repository's root, so the generated app's chart is found
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "lab"]):
        subprocess.run([*git, *args], check=True)
    rows = json.loads(_validate(tree).stdout)
    # ArgoCD's app "bootstrap" renders the chart again (values.yaml alone): its "apps" is the
    # one applied at bootstrap, adopted, not a second; its "other" reads another repository
    assert sorted((r["name"], r["generatedBy"].partition(" ")[0]) for r in rows) == [
        ("bootstrap", "ApplicationSet/boot"),
        ("db", "ApplicationSet/apps"),
        ("other", "ApplicationSet"),
        ("web", "ApplicationSet/apps"),
    ]


def test_apps_of_another_repository_are_no_roots(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "file://../charts/appsets", seed="https://github.com/x/y")
    result = _validate(tree)
    assert json.loads(result.stdout) == []
    assert "root from chart" not in result.stderr


def test_a_dependency_from_charts_folder_renders_the_roots(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "https://charts.example.org")
    write(tmp_path / "offline/appsets-1.0.0", APPSETS_CHART)
    result = _validate(tree, "--charts", str(tmp_path / "offline"))
    assert sorted(r["name"] for r in json.loads(result.stdout)) == ["db", "web"]


def test_a_dependency_not_found_says_the_roots_are_not_known(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "https://charts.example.org")
    result = _validate(tree)
    assert json.loads(result.stdout) == []
    said = "root chart bootstrap: dependency appsets not found: roots not known"
    assert said in result.stderr
    summary = CliRunner().invoke(
        app, ["validate", str(tree), "--ignore-missing-schemas", "--repo-url", REPO, "-o", "json"]
    )
    coverage = json.loads(summary.stdout)["summary"]["coverage"]
    assert coverage["rootsUnknown"] == [said]
    text = CliRunner().invoke(
        app, ["validate", str(tree), "--ignore-missing-schemas", "--repo-url", REPO, "--summary"]
    )
    assert f"coverage: no root known ({said})" in text.stdout


def test_roots_from_the_dependencies_found_may_be_incomplete(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "file://../charts/appsets")
    chart = tree / "bootstrap/Chart.yaml"
    chart.write_text(
        chart.read_text()
        + "  - name: big\n    version: 9.0.0\n    repository: https://charts.example.org\n"
    )
    result = _validate(tree)
    assert sorted(r["name"] for r in json.loads(result.stdout)) == ["db", "web"]
    said = "root chart bootstrap: dependency big not found: roots may be incomplete"
    assert said in result.stderr
    text = CliRunner().invoke(
        app, ["validate", str(tree), "--ignore-missing-schemas", "--repo-url", REPO, "--summary"]
    )
    assert text.stdout.rstrip().endswith(f"; {said}")


def test_a_written_root_leaves_the_bootstrap_chart_unrendered(tmp_path: Path) -> None:
    need_engine()
    tree = _tree(tmp_path / "lab", "https://charts.example.org")
    write(
        tree,
        {
            "root.yaml": f"""
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {{name: root, namespace: argocd}}
                spec:
                  project: default
                  source: {{repoURL: "{REPO}", path: apps/web, targetRevision: main}}
                  destination: {{server: https://kubernetes.default.svc, namespace: argocd}}
            """,
            "apps/web/app.yaml": f"""
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {{name: web, namespace: argocd}}
                spec:
                  project: default
                  source: {{repoURL: "{REPO}", path: apps/db, targetRevision: main}}
                  destination: {{server: https://kubernetes.default.svc, namespace: web}}
            """,
        },
    )
    result = _validate(tree)
    assert sorted(r["name"] for r in json.loads(result.stdout)) == ["root", "web"]
    assert "root chart" not in result.stderr


@pytest.mark.parametrize(
    ("path", "file", "known"),
    [
        ("apps", "apps/web.yaml", True),  # the folder holding the app
        ("apps", "apps/sub/web.yaml", True),
        ("apps", "appsx/web.yaml", False),  # just outside: a longer name
        ("k8s/apps", "apps/web.yaml", True),  # the tree is a folder of the repository
        ("web", "apps/web.yaml", False),
        (".", "web.yaml", True),
    ],
)
def test_root_known_when_an_app_syncs_a_folder_holding_an_app(
    tmp_path: Path, path: str, file: str, known: bool
) -> None:
    write(
        tmp_path,
        {
            file: f"""
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {{name: web}}
                spec: {{source: {{repoURL: "{REPO}", path: "{path}"}}}}
            """,
        },
    )
    assert root_known(load_tree(tmp_path)) is known


def test_values_yaml_comes_first_then_the_others_sorted(tmp_path: Path) -> None:
    write(
        tmp_path, {n: "a: 1\n" for n in ("values-z.yaml", "values.yaml", "values-a.yml", "x.yaml")}
    )
    reader = TreeReader.for_tree(tmp_path)
    assert value_file_names(reader, tmp_path) == ["values.yaml", "values-a.yml", "values-z.yaml"]
