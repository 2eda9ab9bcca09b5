"""Objects beside the Applications a root applies (an AppProject, a ConfigMap ...) are imported
as the objects of an app of their own; a folder imported without its root is taken as the
root's path (issue 25)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from importer_trees import (
    app_yaml,
    import_and_render,
    import_cli,
    report_lines,
    root_app,
    write_tree,
)

OTHER = "https://github.com/me/charts"
WEB = app_yaml(
    "web", f"source:\n  repoURL: {OTHER}\n  targetRevision: v1\n  path: deploy/web", "web"
).replace("project: default", "project: platform")
PROJECT = """
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: platform
  namespace: argocd
spec:
  description: the platform
  sourceRepos: ["*"]
  destinations:
    - namespace: "*"
      server: https://kubernetes.default.svc
  clusterResourceWhitelist:
    - group: "*"
      kind: "*"
"""
SETTINGS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: lab-settings
data:
  colour: blue
"""


def _rendered(tmp: Path, rel: str) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((tmp / "OUT" / rel).read_text())
    return data


def test_a_folder_without_its_root_is_the_roots_path(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {"web.yaml": WEB, "project.yaml": PROJECT, "settings.yaml": SETTINGS},
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    assert comparison.share == 1.0, comparison.missing
    assert len(comparison.reproduced) == 3
    data = tomllib.loads(text)
    table = data["apps"]["root-objects"]
    assert table["namespace"] == "argocd"  # where the root's Applications live
    assert [o["kind"] for o in table["objects"]] == ["AppProject", "ConfigMap"]
    assert data["apps"]["web"]["application"]["project"] == "platform"
    project = _rendered(tmp_path, "manifests/root-objects/appproject-platform.yaml")
    assert project["spec"] == yaml.safe_load(PROJECT)["spec"]
    assert _rendered(tmp_path, "apps/web.yaml")["spec"]["project"] == "platform"  # type: ignore[index]
    lines = report_lines(stdout)
    assert any(
        x["kind"] == "inferred" and "taken as the path of a root that lives elsewhere" in
        str(x["message"]) for x in lines
    )  # fmt: skip
    assert not [x for x in lines if "no Application of the tree syncs it" in str(x["message"])]


def test_objects_without_a_namespace_land_where_the_apps_live(tmp_path: Path) -> None:
    web = WEB.replace("  namespace: argocd\n", "  namespace: platform\n", 1)
    tree = write_tree(tmp_path / "tree", {"web.yaml": web, "settings.yaml": SETTINGS})
    comparison, text, _ = import_and_render(tmp_path, tree)
    assert tomllib.loads(text)["apps"]["root-objects"]["namespace"] == "platform"
    assert "ConfigMap/platform/lab-settings" in comparison.reproduced


def test_a_kustomized_root_path_imports_what_it_lists(tmp_path: Path) -> None:
    """The folder's kustomization decides what the root applies: a listed folder's objects are
    imported, an unlisted file is not, and the kustomizations are no objects."""
    tree = write_tree(
        tmp_path / "tree",
        {
            "kustomization.yaml": "resources:\n  - ai/\n  - project.yaml\n",
            "project.yaml": PROJECT,
            "old.yaml": SETTINGS.replace("lab-settings", "old"),
            "ai/kustomization.yaml": "resources:\n  - web.yaml\n  - settings.yaml\n",
            "ai/web.yaml": WEB,
            "ai/settings.yaml": SETTINGS,
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    objects = tomllib.loads(text)["apps"]["root-objects"]["objects"]
    assert sorted(o["metadata"]["name"] for o in objects) == ["lab-settings", "platform"]
    assert not [o for o in objects if o.get("kind") == "Kustomization"]
    lines = report_lines(stdout)
    old = [x for x in lines if x["subject"] == "ConfigMap/old"]
    assert [x["kind"] for x in old] == ["skipped"], old
    assert "not listed in kustomization.yaml's resources" in str(old[0]["message"])
    assert "ConfigMap/argocd/lab-settings" in comparison.reproduced
    assert comparison.share == 1.0, comparison.missing  # what ArgoCD never applies is no loss


def test_the_objects_app_never_takes_an_imported_apps_name(tmp_path: Path) -> None:
    taken = app_yaml(
        "root-objects", f"source:\n  repoURL: {OTHER}\n  targetRevision: v1\n  path: x", "x"
    )
    tree = write_tree(
        tmp_path / "tree", {"a.yaml": taken, "web.yaml": WEB, "settings.yaml": SETTINGS}
    )
    _, text, _ = import_and_render(tmp_path, tree)
    apps = tomllib.loads(text)["apps"]
    assert apps["root-objects"]["git"]["path"] == "x"
    assert apps["root-objects-2"]["objects"][0]["metadata"]["name"] == "lab-settings"


def test_a_folder_of_objects_only_is_no_roots_path(tmp_path: Path) -> None:
    """Without an Application in the folder nothing says a root syncs it: its objects are
    skipped, as before, and the import still exits 0."""
    tree = write_tree(tmp_path / "tree", {"settings.yaml": SETTINGS})
    code, stdout, stderr = import_cli(tree, tmp_path / "services.toml", "--output", "json")
    assert code == 0, stderr
    assert "root-objects" not in tomllib.loads((tmp_path / "services.toml").read_text())["apps"]
    lines = report_lines(stdout)
    assert any(x["subject"] == "ConfigMap/lab-settings" and x["kind"] == "skipped" for x in lines)


def test_cli_text_report_says_the_folder_was_taken_as_the_roots_path(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree", {"web.yaml": WEB, "project.yaml": PROJECT})
    code, _, stderr = import_cli(tree, tmp_path / "services.toml", "--repo-url", OTHER)
    assert code == 0, stderr
    assert "taken as the path of a root that lives elsewhere" in stderr
    assert "AppProject/platform: → [apps.root-objects]" in stderr


def test_a_root_a_kustomization_leaves_out_is_applied_at_bootstrap(tmp_path: Path) -> None:
    """A root beside a kustomization that installs something else (ArgoCD itself) is applied
    by hand: it is the root, not a disabled app."""
    tree = write_tree(
        tmp_path / "tree",
        {
            "boot/kustomization.yaml": "resources:\n  - settings.yaml\n",
            "boot/settings.yaml": SETTINGS,
            "boot/root.yaml": root_app("apps"),
            "apps/web.yaml": WEB,
        },
    )
    comparison, _, stdout = import_and_render(tmp_path, tree)
    root = [x for x in report_lines(stdout) if x["subject"] == "Application/root"]
    assert [x["kind"] for x in root] == ["imported"], root
    assert "a root app" in str(root[0]["message"])
    # compared apart from the share, as any root applied at bootstrap
    assert comparison.bootstrap == [("Application/argocd/root", "")]


def test_a_broken_file_no_application_syncs_is_skipped_not_fatal(tmp_path: Path) -> None:
    """An Ansible playbook with a duplicate key beside the tree: ArgoCD never reads it."""
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/web.yaml": WEB,
            "ansible/play.yaml": "hosts: all\ntags: [a]\ntags: [b]\n",
        },
    )
    code, stdout, stderr = import_cli(tree, tmp_path / "services.toml", "--output", "json")
    assert code == 0, stderr
    play = [x for x in report_lines(stdout) if x["file"] == "ansible/play.yaml"]
    assert [(x["kind"], x["line"]) for x in play] == [("skipped", 3)], play
    assert "duplicate key" in str(play[0]["message"])


def test_a_broken_file_in_the_roots_path_stops_the_import(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {"web.yaml": WEB, "broken.yaml": "kind: ConfigMap\nkind: Secret\n"},
    )
    out = tmp_path / "services.toml"
    code, _, stderr = import_cli(tree, out)
    assert code == 2 and not out.exists()
    assert "broken.yaml:2:" in stderr and "duplicate key" in stderr


def test_create_namespace_false_is_the_default_and_reproduced(tmp_path: Path) -> None:
    """CreateNamespace=false is ArgoCD's default: the app rendered without it is the same."""
    web = WEB.replace("      - CreateNamespace=true", "      - CreateNamespace=false")
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/web.yaml": web})
    comparison, text, _ = import_and_render(tmp_path, tree)
    assert tomllib.loads(text)["apps"]["web"]["application"]["create_namespace"] is False
    assert "Application/argocd/web" in comparison.reproduced, comparison.missing


def test_a_root_kustomization_sets_namespace_and_annotations(tmp_path: Path) -> None:
    """The outer kustomization's namespace wins, annotations add up (outer over inner)."""
    tree = write_tree(
        tmp_path / "tree",
        {
            "kustomization.yaml": "resources: [ai/]\nnamespace: tools\n"
            "commonAnnotations: {team: outer}\n",
            "ai/kustomization.yaml": "resources: [web.yaml, settings.yaml]\nnamespace: inner\n"
            "commonAnnotations: {team: inner, tier: ai}\n",
            "ai/web.yaml": WEB,
            "ai/settings.yaml": SETTINGS,
        },
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    (obj,) = tomllib.loads(text)["apps"]["root-objects"]["objects"]
    assert obj["metadata"]["namespace"] == "tools"
    assert obj["metadata"]["annotations"] == {"team": "outer", "tier": "ai"}
    assert "ConfigMap/tools/lab-settings" in comparison.reproduced, comparison.missing


def test_a_root_kustomization_with_patches_is_not_imported_as_written(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "kustomization.yaml": "resources: [web.yaml, settings.yaml]\n"
            "patches: [{path: p.yaml}]\n",
            "web.yaml": WEB,
            "settings.yaml": SETTINGS,
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    assert "root-objects" not in tomllib.loads(text)["apps"]
    lost = [x for x in report_lines(stdout) if x["subject"] == "ConfigMap/lab-settings"]
    assert [x["kind"] for x in lost] == ["not-expressed"], lost
    assert "kustomization.yaml uses patches" in str(lost[0]["message"])
    assert "ConfigMap/argocd/lab-settings" in dict(comparison.missing)  # a loss, counted


def test_a_kustomization_file_is_reported_as_one_not_as_an_object(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {"kustomization.yaml": "resources: [web.yaml]\n", "web.yaml": WEB},
    )
    code, stdout, stderr = import_cli(tree, tmp_path / "services.toml", "--output", "json")
    assert code == 0, stderr
    lines = [x for x in report_lines(stdout) if x["file"] == "kustomization.yaml"]
    assert [(x["kind"], x["subject"]) for x in lines] == [("skipped", "kustomization.yaml")]
    assert "a kustomization" in str(lines[0]["message"])


def test_a_broken_file_a_synced_kustomization_leaves_out_is_skipped(tmp_path: Path) -> None:
    """A file the app's folder holds but its kustomization does not list: ArgoCD never reads
    it (mitchross/talos-argocd-proxmox keeps such a file beside a helmCharts kustomization)."""
    web = WEB.replace("path: deploy/web", "path: web").replace(OTHER, "https://github.com/me/lab")
    files = {
        "root.yaml": root_app("apps"),
        "apps/web.yaml": web,
        "web/kustomization.yaml": "resources: [cm.yaml]\n",
        "web/cm.yaml": SETTINGS,
        "web/broken.yaml": "kind: ConfigMap\nkind: Secret\n",
    }
    tree = write_tree(tmp_path / "tree", files)
    code, stdout, stderr = import_cli(tree, tmp_path / "services.toml", "--output", "json")
    assert code == 0, stderr
    broken = [x for x in report_lines(stdout) if x["file"] == "web/broken.yaml"]
    assert [x["kind"] for x in broken] == ["skipped"], broken
    assert "web/kustomization.yaml's resources leave it out" in str(broken[0]["message"])
    # listed, the same file stops the import: ArgoCD would read it
    write_tree(tree, {"web/kustomization.yaml": "resources: [cm.yaml, broken.yaml]\n"})
    code, _, stderr = import_cli(tree, tmp_path / "again.toml")
    assert code == 2 and "web/broken.yaml:2:" in stderr
