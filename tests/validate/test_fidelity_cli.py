"""Issue 24, classes 8 and 9 (the command's part): a subfolder of a checkout builds its
Kustomize folders where they are and counts only its own files; --list-apps is a listing
(exit 0); with no path, a repository without services.toml is validated at '.'."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from fidelity_trees import config_map, lab_app, need_kustomize, run, runner
from validate_trees import write_tree

from homegen.cli import app

CHECKOUT = {
    "cluster/root.yaml": lab_app("root", "cluster/apps", "argocd"),
    "cluster/apps/web.yaml": lab_app("web", "cluster/web", "web"),
    "cluster/web/kustomization.yaml": "resources: [cm.yaml]\n",
    "cluster/web/cm.yaml": config_map("cfg"),
    "ansible/vars.yaml": "ntp: pool.ntp.org\n",
    "docs/mkdocs.yml": "site_name: lab\n",
}


def _checkout(root: Path) -> Path:
    write_tree(root, CHECKOUT)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_a_subfolder_builds_its_kustomizations_where_they_are(tmp_path: Path) -> None:
    need_kustomize()
    root = _checkout(tmp_path / "lab")
    result = runner.invoke(
        app, ["validate", str(root / "cluster"), "--ignore-missing-schemas", "-o", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [f["rule"] for f in report["resources"]] == []  # no HG130: the build ran
    # the folder's own skipped documents: the kustomization and the input it reads (the
    # repository's ansible and docs files are not the folder's)
    assert report["summary"]["skipped"] == 2


def test_list_apps_exits_0_with_findings(tmp_path: Path) -> None:
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "missing", "web"),
    }
    assert run(tmp_path, files).exit_code == 1  # HG201
    result = run(tmp_path, files, "--list-apps")
    assert result.exit_code == 0
    assert "web" in result.stdout


def test_no_path_and_no_services_toml_validates_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"app-of-apps.yaml": lab_app("root", "apps", "argocd")})
    write_tree(tmp_path, {"apps/web.yaml": lab_app("web", "missing", "web")})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--ignore-missing-schemas"])
    assert result.exit_code == 1
    assert "apps/web.yaml:1: error HG201" in result.stdout


def test_no_path_beside_a_services_toml_validates_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "services.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "rendered: no such file or folder" in result.output
