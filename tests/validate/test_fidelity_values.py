"""Issue 24, class 7: ``helm.ignoreMissingValueFiles: true`` is honoured, as ArgoCD skips a
value file that does not exist; without it the missing file fails the app (HG130)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fidelity_trees import LAB, lab_app, rules_at, run

from tools import requires_extra

APP = f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: web, namespace: argocd}}
spec:
  project: default
  source:
    repoURL: {LAB}
    targetRevision: HEAD
    path: charts/web
    helm:
      valueFiles: [values.yaml, values-prod.yaml]
      ignoreMissingValueFiles: IGNORE
  destination: {{server: "https://kubernetes.default.svc", namespace: web}}
"""

TREE = {
    "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "greeting: hi\n",
    "charts/web/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"
        "data: {greeting: {{ .Values.greeting | quote }}}\n"
    ),
}


@pytest.mark.parametrize(("ignore", "failed"), [("true", False), ("false", True)])
def test_a_missing_value_file(tmp_path: Path, ignore: str, failed: bool) -> None:
    requires_extra("charts")
    files = {**TREE, "apps/web.yaml": APP.replace("IGNORE", ignore)}
    found = rules_at(tmp_path, files)
    assert (("HG130", "apps/web.yaml") in found) is failed


WRAPPER = {
    "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
    "apps/web.yaml": APP.replace("IGNORE", "false").replace(
        "valueFiles: [values.yaml, values-prod.yaml]", "valueFiles: [values.yaml]"
    ),
    **{k: v for k, v in TREE.items() if k.startswith("charts/")},
    "charts/web/Chart.yaml": (
        "apiVersion: v2\nname: web\nversion: 0.1.0\n"
        "dependencies: [{name: redis, version: 1.0.0, repository: 'https://charts.example.com'}]\n"
    ),
}


def test_a_wrapper_charts_missing_dependency_is_said_not_expanded(tmp_path: Path) -> None:
    """ArgoCD runs `helm dependency build`; homegen renders the folder as it is: a dependency
    not vendored in charts/ is a note and a line of coverage, never a clean pass."""
    requires_extra("charts")
    result = run(tmp_path, WRAPPER)
    assert result.exit_code == 0, result.output
    assert "web: dependency redis not found: not expanded" in result.stderr
    assert "not expanded: web (dependency redis not found)" in result.stdout
    # vendored (a folder of charts/): nothing to say
    vendored = {
        **WRAPPER,
        "charts/web/charts/redis/Chart.yaml": "apiVersion: v2\nname: redis\nversion: 1.0.0\n",
    }
    result = run(tmp_path / "vendored", vendored)
    assert "dependency redis" not in result.stdout + result.stderr


def test_a_wrapper_charts_dependency_is_vendored_from_charts_folders(tmp_path: Path) -> None:
    """As `helm dependency build` would, offline: the dependency comes from --charts, and
    what it renders is checked (here a Service that selects nothing, HG214)."""
    requires_extra("charts")
    charts = tmp_path / "charts" / "redis-1.0.0"
    (charts / "templates").mkdir(parents=True)
    (charts / "Chart.yaml").write_text("apiVersion: v2\nname: redis\nversion: 1.0.0\n")
    (charts / "templates" / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: redis}\n"
        "spec: {selector: {app: redis}, ports: [{port: 6379}]}\n"
    )
    result = run(tmp_path / "tree", WRAPPER, "--charts", str(tmp_path / "charts"))
    assert "dependency redis" not in result.stdout + result.stderr
    assert "redis/templates/svc.yaml:1: error HG214 Service/web/redis" in result.stdout
    assert "coverage: 2 of 2 Applications expanded" in result.stdout
    assert not list(Path(tempfile.gettempdir()).glob("homegen-deps-*"))  # scratch removed
