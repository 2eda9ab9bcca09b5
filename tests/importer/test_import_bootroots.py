"""Applications and ApplicationSets a chart of the tree makes at bootstrap (an argocd-apps
dependency's values) are imported as if they were written (issue 25)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from importer_trees import REPO, import_cli, report_lines, write_tree
from typer.testing import CliRunner

from homegen.cli import app
from robustness import render_cli

runner = CliRunner()


# a stand-in for argocd-apps written for this test: one Application per entry of its values
STAND_IN = {
    "argocd-apps-2.0.0/Chart.yaml": "apiVersion: v2\nname: argocd-apps\nversion: 2.0.0\n",
    "argocd-apps-2.0.0/values.yaml": "applications: {}\n",
    "argocd-apps-2.0.0/templates/apps.yaml": """
        {{- range $name, $app := .Values.applications }}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: {{ $name }}
          namespace: argocd
        spec:
          {{- toYaml $app | nindent 2 }}
        {{- end }}
        """,
}
BOOTSTRAP = {
    "bootstrap/Chart.yaml": """
        apiVersion: v2
        name: bootstrap
        version: 0.0.0
        dependencies:
          - name: argocd-apps
            version: 2.0.0
            repository: https://charts.example.com
        """,
    "bootstrap/values.yaml": f"""
        argocd-apps:
          applications:
            web:
              project: default
              source: {{repoURL: {REPO}, targetRevision: main, path: manifests/web}}
              destination: {{server: https://kubernetes.default.svc, namespace: web}}
              syncPolicy: {{syncOptions: [CreateNamespace=true]}}
        """,
    "manifests/web/settings.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          namespace: web
        data:
          color: blue
        """,
}


# charts come from the test's folders only, never the user's chart cache (conftest.py)
pytestmark = pytest.mark.usefixtures("no_user_cache")


@pytest.mark.extra("charts")
def test_an_application_in_a_charts_values_is_imported(tmp_path: Path) -> None:
    charts = write_tree(tmp_path / "charts", STAND_IN)
    tree = write_tree(tmp_path / "tree", BOOTSTRAP)
    config = tmp_path / "services.toml"
    code, stdout, stderr = import_cli(tree, config, "--output", "json", "--charts", str(charts))
    assert code == 0, stderr
    web = tomllib.loads(config.read_text())["apps"]["web"]
    assert web["objects"][0]["data"] == {"color": "blue"}
    lines = report_lines(stdout)
    made = [x for x in lines if x["subject"] == "Application/web" and x["kind"] == "inferred"]
    assert any("made by a chart of the tree at bootstrap" in str(x["message"]) for x in made)
    summary = json.loads(stdout)["reproduced"]
    assert "ConfigMap/web/web-settings" not in str(summary["not_reproduced"])
    code, text = render_cli(config, tmp_path / "OUT")
    assert code == 0, text


@pytest.mark.extra("charts")
def test_without_the_chart_the_roots_are_said_not_known(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree", BOOTSTRAP)
    config = tmp_path / "services.toml"
    code, stdout, stderr = import_cli(tree, config, "--output", "json")
    assert code == 0, stderr
    assert "web" not in tomllib.loads(config.read_text()).get("apps", {})
    (said,) = [x for x in report_lines(stdout) if x["subject"] == "bootstrap"]
    assert said["kind"] == "not-expressed"
    assert "dependency argocd-apps not found: roots not known" in str(said["message"])
    code, text = render_cli(config, tmp_path / "OUT")
    assert code == 0, text


def test_without_the_charts_extra_the_roots_are_said_not_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No chart engine installed: the bootstrap chart is not rendered, and import and validate
    say so (exit 0 and 1), never an internal error (exit 3)."""
    from homegen.expand import helm

    def no_engine(*args: object, **kwargs: object) -> None:
        raise helm.EngineMissing("the 'charts' extra is not installed")

    monkeypatch.setattr(helm, "render_chart", no_engine)
    charts = write_tree(tmp_path / "charts", STAND_IN)
    tree = write_tree(tmp_path / "tree", BOOTSTRAP)
    config = tmp_path / "services.toml"
    code, stdout, stderr = import_cli(tree, config, "--output", "json", "--charts", str(charts))
    assert code == 0, stderr
    (said,) = [x for x in report_lines(stdout) if x["subject"] == "bootstrap"]
    assert said["kind"] == "not-expressed"
    assert "the 'charts' extra is not installed: roots not known" in str(said["message"])
    result = runner.invoke(app, ["validate", str(tree), "--charts", str(charts)])
    assert result.exit_code in (0, 1), result.output
    assert "the 'charts' extra is not installed" in result.output
