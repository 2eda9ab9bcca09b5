"""Issue 24, class 2: the root is the app that syncs the folder holding the others (itself
included), a bootstrap ApplicationSet, or lives in another repository; the repository is the
checkout's origin, --repo-url, or what the tree's sources share."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fidelity_trees import LAB, app_names, config_map, lab_app, need_kustomize, rules_at, run

SELF_MANAGED = {
    "argocd/kustomization.yaml": "resources: [root.yaml, web.yaml]\n",
    "argocd/root.yaml": lab_app("argocd", "argocd", "argocd"),
    "argocd/web.yaml": lab_app("web", "web", "web"),
    "argocd/old.yaml": lab_app("old", "old", "old"),
    "web/cm.yaml": config_map("cfg"),
}


def _git(root: Path, origin: str) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", origin], check=True)


def test_a_self_managed_root_in_a_kustomization_is_the_root(tmp_path: Path) -> None:
    need_kustomize()
    assert app_names(tmp_path, SELF_MANAGED) == ["argocd", "web"]
    found = rules_at(tmp_path, SELF_MANAGED)
    # old.yaml, which the kustomization does not list, is an Application nothing creates,
    # with a build as without one (below)
    assert {(r, f) for r, f in found if r in ("HG203", "HG204", "HG222")} == {
        ("HG203", "argocd/old.yaml")
    }


def test_without_a_build_the_kustomization_still_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No kubectl: the written files are read, the kustomization says which are synced; the
    file it does not list is an Application ArgoCD never creates."""
    monkeypatch.setattr("homegen.expand.stage.kustomize_command", lambda: None)
    assert app_names(tmp_path, SELF_MANAGED) == ["argocd", "web"]
    assert ("HG203", "argocd/old.yaml") in rules_at(tmp_path, SELF_MANAGED)


NESTED = {
    "bootstrap.yaml": lab_app("root", "apps", "argocd"),
    "apps/infra.yaml": lab_app("infra", "apps/infra", "argocd"),
    "apps/infra/a.yaml": lab_app("a", "a", "a"),
    "apps/infra/b.yaml": lab_app("b", "b", "b"),
    "apps/infra/c.yaml": lab_app("c", "c", "c"),
    "a/cm.yaml": config_map("a"),
    "b/cm.yaml": config_map("b"),
    "c/cm.yaml": config_map("c"),
}


def test_the_root_is_the_app_that_reaches_the_most_not_the_one_syncing_most(
    tmp_path: Path,
) -> None:
    # infra syncs three app files, root only one: but root reaches all of them
    assert app_names(tmp_path, NESTED) == ["a", "b", "c", "infra", "root"]
    assert not rules_at(tmp_path, NESTED)


def test_root_names_the_root(tmp_path: Path) -> None:
    """--root infra: the bootstrap file is then an app nothing creates."""
    found = rules_at(tmp_path, NESTED, "--root", "apps/infra.yaml")
    assert {rule for rule, _file in found} == {"HG203"}
    assert ("HG203", "bootstrap.yaml") in found
    assert app_names(tmp_path, NESTED, "--root", "infra") == ["a", "b", "c", "infra"]


def test_root_naming_nothing_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path, NESTED, "--root", "nope")
    assert result.exit_code == 2
    assert "--root 'nope'" in result.output


ELSEWHERE = {
    "apps/web.yaml": lab_app("web", "web", "web"),
    "apps/db.yaml": lab_app("db", "db", "db"),
    "web/cm.yaml": config_map("cfg"),
}


def test_a_root_in_another_repository_still_checks_the_paths(tmp_path: Path) -> None:
    found = rules_at(tmp_path, ELSEWHERE)
    assert ("HG201", "apps/db.yaml") in found  # the missing app path is found
    assert ("HG204", "apps/db.yaml") in found  # as a note: the root lives elsewhere
    assert ("HG222", "web/cm.yaml") not in found
    assert app_names(tmp_path, ELSEWHERE) == ["db", "web"]


def test_the_repository_is_the_checkouts_origin(tmp_path: Path) -> None:
    """Two repositories' sources in the tree: the origin decides which one the tree is."""
    files = {
        **ELSEWHERE,
        "apps/x.yaml": lab_app("x", "web", "x").replace(LAB, "https://github.com/other/x"),
        "apps/y.yaml": lab_app("y", "db", "y").replace(LAB, "https://github.com/other/x"),
        "apps/z.yaml": lab_app("z", "web", "z").replace(LAB, "https://github.com/other/x"),
    }
    tree = tmp_path / "lab"
    tree.mkdir()
    _git(tree, "git@github.com:me/lab.git")
    found = rules_at(tree, files)
    assert ("HG201", "apps/db.yaml") in found
    assert ("HG201", "apps/y.yaml") not in found  # another repository: not checked here
    # --repo-url overrides the origin
    found = rules_at(tree, files, "--repo-url", "https://github.com/other/x")
    assert ("HG201", "apps/y.yaml") in found
    assert ("HG201", "apps/db.yaml") not in found


def test_a_bootstrap_applicationset_is_the_root(tmp_path: Path) -> None:
    files = {
        "bootstrap/root.yaml": f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: root, namespace: argocd}}
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: {LAB}
        revision: HEAD
        directories: [{{path: "apps/*"}}]
  template:
    metadata: {{name: "{{{{ .path.basename }}}}"}}
    spec:
      project: default
      source: {{repoURL: {LAB}, targetRevision: HEAD, path: "{{{{ .path.path }}}}"}}
      destination:
        server: "https://kubernetes.default.svc"
        namespace: "{{{{ .path.basename }}}}"
""",
        "apps/web/cm.yaml": config_map("web"),
        "apps/db/app.yaml": lab_app("db-data", "data", "db"),
        "data/cm.yaml": config_map("data"),
    }
    tree = tmp_path / "lab"
    tree.mkdir()
    _git(tree, LAB)
    # git generators read what git holds, as ArgoCD reads the commit: untracked files match nothing
    assert app_names(tree, files) == []
    subprocess.run(["git", "-C", str(tree), "add", "-A"], check=True)
    assert app_names(tree, files) == ["db", "db-data", "web"]
    found = rules_at(tree, files)
    assert not {rule for rule, _file in found} & {"HG203", "HG204", "HG222"}


def test_services_toml_names_the_repository_before_the_checkouts_origin(
    tmp_path: Path, repo_root: Path
) -> None:
    """homegen's own layout: the checkout's origin is where services.toml lives (a homegen
    clone, a CI runner's copy), while rendered/ is deployed from [cluster] repo_url."""
    lab = tmp_path / "lab"
    lab.mkdir()
    shutil.copy(repo_root / "services.toml", lab / "services.toml")
    shutil.copytree(repo_root / "rendered", lab / "rendered")
    _git(lab, "https://github.com/someone/homegen-clone")
    result = run(lab / "rendered", {}, "--output", "json")
    rules = {r["rule"] for r in json.loads(result.stdout)["resources"]}
    assert not rules & {"HG203", "HG222"}, result.stdout[-3000:]
    assert result.exit_code == 0, result.stdout[-3000:]


def test_the_roots_own_file_is_applied_with_all_it_holds(tmp_path: Path) -> None:
    # the root syncs apps/, not its own file: what sits beside it is applied at bootstrap
    root = lab_app("root", "apps", "argocd") + "---\n" + config_map("beside", "argocd")
    files = {"app-of-apps.yaml": root, "apps/web.yaml": lab_app("web", "web", "web")}
    files |= {"web/cm.yaml": config_map("cfg"), "extra.yaml": config_map("extra", "argocd")}
    found = rules_at(tmp_path, files)
    assert ("HG222", "app-of-apps.yaml") not in found
    assert ("HG222", "extra.yaml") in found  # a top-level file beside the root is not


def test_with_no_root_and_no_repository_source_paths_are_not_checked(tmp_path: Path) -> None:
    # a checkout with no origin, apps whose sources name no repository: nothing tells
    # which sources are this tree's
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    no_repo = lab_app("web", "nowhere", "web").replace(f"repoURL: '{LAB}', ", "")
    files = {"apps/web.yaml": no_repo, "apps/db.yaml": lab_app("db", "nowhere", "db")}
    found = rules_at(tmp_path, files)
    assert ("HG204", "apps/db.yaml") in found
    assert not [f for f in found if f[0] == "HG201"]
    # with the repository known (the checkout's origin), they are
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", LAB], check=True)
    assert ("HG201", "apps/db.yaml") in rules_at(tmp_path, files)
