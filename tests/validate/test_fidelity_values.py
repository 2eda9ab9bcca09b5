"""Issue 24, class 7: ``helm.ignoreMissingValueFiles: true`` is honoured, as ArgoCD skips a
value file that does not exist; without it the missing file fails the app (HG130)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fidelity_trees import LAB, lab_app, rules_at

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
    if importlib.util.find_spec("helm_python") is None:
        pytest.skip("the charts extra is not installed")
    files = {**TREE, "apps/web.yaml": APP.replace("IGNORE", ignore)}
    found = rules_at(tmp_path, files)
    assert (("HG130", "apps/web.yaml") in found) is failed
