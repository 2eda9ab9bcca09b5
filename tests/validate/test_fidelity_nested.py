"""Apps a build creates (issue 24, real repositories with helmCharts): an Application that
exists only in a kustomization's output (a placeholder patched per cluster) is listed and its
source is not expanded, and said so, not read file by file as if applied as written."""

from __future__ import annotations

import json
from pathlib import Path

from fidelity_trees import lab_app, need_kustomize, rules_at, run

ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: web}
spec:
  rules:
    - backendRefs: [{name: web, port: 80}]
"""
# the placeholder's name and path are patched: only the build's output names app web
PATCH = """\
resources: [base.yaml]
patches:
  - target: {kind: Application, name: PLACEHOLDER}
    patch: |-
      - {op: replace, path: /metadata/name, value: web}
      - {op: replace, path: /spec/source/path, value: web}
"""


def lab(web_kustomization: str) -> dict[str, str]:
    """root → apps/ (sets) ; sets/ builds app web ; web/ a route to a Service its chart makes."""
    return {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/sets.yaml": lab_app("sets", "sets", "argocd"),
        "sets/kustomization.yaml": PATCH,
        "sets/base.yaml": lab_app("PLACEHOLDER", "placeholder", "web"),
        "web/kustomization.yaml": web_kustomization,
        "web/route.yaml": ROUTE,
    }


CHARTS = (
    "resources: [route.yaml]\nhelmCharts:\n"
    "  - {name: web, repo: https://charts.example.test, version: 1.0.0, releaseName: web}\n"
)


def test_an_app_a_build_creates_is_not_expanded_and_said_so(tmp_path: Path) -> None:
    need_kustomize()
    result = run(tmp_path / "tree", lab(CHARTS))
    assert "web: kustomize:web not expanded: the app is created by kustomize:sets's output" in (
        result.output
    )
    assert "web (created by kustomize:sets)" in result.stdout
    # the Service comes from the chart: not known, so a note, never "does not exist"
    assert ("HG210", "web/route.yaml") in rules_at(tmp_path / "tree", {})
    report = json.loads(run(tmp_path / "tree", {}, "--output", "json").stdout)
    severities = {r["severity"] for r in report["resources"] if r.get("rule") == "HG210"}
    assert severities == {"info"}, report["resources"]
    assert report["summary"]["coverage"]["expanded"] == 2


def test_an_app_a_build_creates_over_plain_files_is_read_as_before(tmp_path: Path) -> None:
    """Just outside: a folder without a kustomization is applied as written, nothing to say."""
    need_kustomize()
    files = lab("")
    del files["web/kustomization.yaml"]
    result = run(tmp_path / "tree", files, "--output", "json")
    report = json.loads(result.stdout)
    assert report["summary"]["coverage"]["notExpanded"] == []
    errors = {r["rule"] for r in report["resources"] if r.get("severity") == "error"}
    assert "HG210" in errors  # no Service web anywhere: true, and still an error
    assert "created by" not in result.output


def test_an_app_a_kustomization_lists_as_written_stays_expanded(tmp_path: Path) -> None:
    """The build of apps/ outputs app web as written in apps/web.yaml: the tree's own app,
    expanded (its kustomization built), not "created by" the build."""
    need_kustomize()
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/kustomization.yaml": "resources: [web.yaml]\n",
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/kustomization.yaml": "resources: [cm.yaml]\n",
        "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: web}\n",
    }
    result = run(tmp_path / "tree", files, "--output", "json")
    coverage = json.loads(result.stdout)["summary"]["coverage"]
    assert (coverage["applications"], coverage["expanded"]) == (2, 2), coverage
    assert "created by" not in result.output
