"""Issue 24, class 10: the summary always says how much of what ArgoCD applies was checked."""

from __future__ import annotations

import json
from pathlib import Path

from fidelity_trees import config_map, lab_app, run

CHART_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: monitoring, namespace: argocd}
spec:
  project: default
  source: {repoURL: "https://charts.example.com", chart: kube-prometheus-stack, targetRevision: 1.0.0}
  destination: {server: "https://kubernetes.default.svc", namespace: monitoring}
"""  # noqa: E501

TREE = {
    "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
    "apps/monitoring.yaml": CHART_APP,
    "apps/web.yaml": lab_app("web", "web", "web"),
    "web/cm.yaml": config_map("cfg"),
}


def test_the_summary_names_what_was_not_expanded(tmp_path: Path) -> None:
    result = run(tmp_path, TREE)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(
        "; coverage: 2 of 3 Applications expanded, 4 objects checked; not expanded: "
        "monitoring (chart kube-prometheus-stack@1.0.0 not found)"
    )


def test_the_json_summary_has_the_coverage(tmp_path: Path) -> None:
    summary = json.loads(run(tmp_path, TREE, "-o", "json").stdout)["summary"]
    assert summary["coverage"] == {
        "applications": 3,
        "expanded": 2,
        "objects": 4,
        "notExpanded": [
            {"app": "monitoring", "why": "chart kube-prometheus-stack@1.0.0 not found"}
        ],
    }


def test_a_tree_with_no_application_says_so(tmp_path: Path) -> None:
    result = run(tmp_path, {"web/cm.yaml": config_map("cfg")})
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].endswith(
        "; coverage: no Application in the tree, 1 objects checked one by one (none known to be "
        "synced by ArgoCD)"
    )
