"""The share an import reports is over what the tree's Applications apply (objects no
Application syncs are counted apart), and a chart version range is kept as written, excepted
from HG332, with the newest version available offline as a suggestion (issue 25)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from importer_trees import REPO, app_yaml, import_cli, root_app, write_tree

from robustness import render_cli

STAR = app_yaml(
    "dash",
    "source:\n  repoURL: https://charts.example.com\n  chart: dash\n  targetRevision: '*'",
    "dash",
)
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n"


def _charts(root: Path, *versions: str) -> Path:
    """A chart folder holding ``dash-<version>/`` for each version."""
    for version in versions:
        write_tree(
            root / f"dash-{version}",
            {
                "Chart.yaml": f"apiVersion: v2\nname: dash\nversion: {version}\n",
                "templates/cm.yaml": CONFIGMAP.format(name="dash"),
            },
        )
    return root


def _import(tmp: Path, tree: Path, *args: str) -> tuple[int, dict[str, object], str]:
    config = tmp / "services.toml"
    code, stdout, _ = import_cli(tree, config, "--output", "json", *args)
    return code, json.loads(stdout), config.read_text()


HG332 = "policy.homegen.dev/HG332"


def _decided(report: dict[str, object]) -> dict[str, list[str]]:
    exceptions = report["decide"]["exceptions"]  # type: ignore[index]
    assert isinstance(exceptions, dict)
    return exceptions


def test_a_star_version_is_kept_excepted_and_pinning_suggested(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/dash.yaml": STAR})
    charts = _charts(tmp_path / "charts", "1.2.0", "1.10.0", "2.0.0-rc.1")
    code, report, text = _import(tmp_path, tree, "--charts", str(charts))
    assert code == 0
    app = tomllib.loads(text)["apps"]["dash"]
    assert app["helm"]["version"] == "*"  # the owner's range, rendered back as written
    reason = app["application"]["annotations"][HG332]
    assert reason.startswith("imported: dash version `*` is a range")
    lines = [x["message"] for x in report["lines"] if x["subject"].endswith(HG332)]  # type: ignore[index]
    # the newest release is suggested; a pre-release is no match for *
    assert any("pin to 1.10.0 (the newest available offline, in " in m for m in lines), lines
    assert _decided(report)["HG332"] == ["dash"]
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert "Application/argocd/dash" not in json.dumps(summary["not_reproduced"])
    out = tmp_path / "OUT"
    code, shown = render_cli(tmp_path / "services.toml", out, "--charts", str(charts))
    assert code == 0, shown
    assert 'targetRevision: "*"' in (out / "apps/dash.yaml").read_text()
    assert "'*' resolved to 1.10.0" in shown


def test_a_range_no_offline_version_satisfies_is_kept_and_not_expanded(tmp_path: Path) -> None:
    ranged = STAR.replace("'*'", "'^3.0'")
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/dash.yaml": ranged})
    charts = _charts(tmp_path / "charts", "2.9.9")  # just outside ^3.0
    code, report, text = _import(tmp_path, tree, "--charts", str(charts))
    assert code == 0
    assert tomllib.loads(text)["apps"]["dash"]["helm"]["version"] == "^3.0"
    assert not report["decide"]["not_expressed"]  # type: ignore[index]
    lines = [x["message"] for x in report["lines"] if x["subject"].endswith(HG332)]  # type: ignore[index]
    assert any("no version is available offline" in m and "pin to" not in m for m in lines)
    code, shown = render_cli(tmp_path / "services.toml", tmp_path / "OUT", "--charts", str(charts))
    assert code == 0, shown
    assert "dash: chart dash@^3.0 not expanded" in shown


def test_the_share_counts_what_applications_apply_and_lists_the_rest(tmp_path: Path) -> None:
    files = {
        "root.yaml": root_app("apps"),
        "apps/web.yaml": app_yaml(
            "web", f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: web", "web"
        ),
        "web/cm.yaml": CONFIGMAP.format(name="web"),
        "old/cm-a.yaml": CONFIGMAP.format(name="old-a"),  # an old layout nothing syncs
        "old/cm-b.yaml": CONFIGMAP.format(name="old-b"),
        "listed/kustomization.yaml": "resources: [kept.yaml]\n",
        "listed/kept.yaml": CONFIGMAP.format(name="kept"),
        "listed/dropped.yaml": CONFIGMAP.format(name="dropped"),
    }
    tree = write_tree(tmp_path / "tree", files)
    code, report, _ = _import(tmp_path, tree)
    assert code == 0
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert (summary["reproduced"], summary["objects"]) == (2, 2)  # web, its ConfigMap
    assert summary["bootstrap_roots"] == [{"object": "Application/argocd/root", "why": ""}]
    assert summary["unsynced"] == 4
    why = {x["object"]: x["why"] for x in summary["not_applied"]}
    assert why["ConfigMap/old-a"] == "no Application of the tree syncs it"
    assert why["ConfigMap/dropped"].startswith("not listed in listed/kustomization.yaml's")
    share = str(report["decide"]["reproduced"])  # type: ignore[index]
    assert share.startswith("2 of 2 source objects reproduced (100%)"), share
    assert "4 YAML object(s) no Application applies are not counted" in share
    assert share.endswith("root apps applied at bootstrap: 1 of 1 the same)"), share


def test_a_root_kustomization_listing_app_folders_makes_it_a_root(tmp_path: Path) -> None:
    """argocd-apps/kustomization.yaml lists ../apps/<name>: ArgoCD applies the Applications
    there (and the objects beside them), so the Application syncing argocd-apps is a root."""
    web = app_yaml("web", "source:\n  repoURL: https://c.example.com\n  chart: web\n"
                   "  targetRevision: 1.0.0", "web")  # fmt: skip
    files = {
        "bootstrap/root.yaml": root_app("argocd-apps"),
        "argocd-apps/kustomization.yaml": "resources: [../apps/web]\n",
        "apps/web/kustomization.yaml": "resources: [application.yaml, pool.yaml]\n",
        "apps/web/application.yaml": web,
        "apps/web/pool.yaml": CONFIGMAP.format(name="pool").replace(
            "name: pool", "name: pool\n  namespace: web"
        ),
    }
    tree = write_tree(tmp_path / "tree", files)
    code, report, text = _import(tmp_path, tree)
    assert code == 0
    data = tomllib.loads(text)
    assert "web" in data["apps"]
    assert data["apps"]["root-objects"]["objects"][0]["metadata"]["name"] == "pool"
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert summary["unsynced"] == 0
    assert summary["not_reproduced"] == []
    # homegen's root keeps the name; it syncs its own apps/ folder, not argocd-apps/
    assert summary["bootstrap_roots"] == [{"object": "Application/argocd/root", "why": ""}]
    assert tomllib.loads(text)["argocd"]["root_app"] == "root"


def test_sources_win_over_source_as_in_argocd(tmp_path: Path) -> None:
    both = app_yaml(
        "web",
        "source:\n  repoURL: https://old.example.com\n  chart: old\n  targetRevision: 0.1.0\n"
        "sources:\n  - repoURL: https://c.example.com\n    chart: web\n"
        "    targetRevision: 1.0.0",
        "web",
    )
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/web.yaml": both})
    code, _, text = _import(tmp_path, tree)
    assert code == 0
    assert tomllib.loads(text)["apps"]["web"]["helm"]["chart"] == "web"


def test_a_file_an_apps_kustomization_includes_from_elsewhere_is_applied(tmp_path: Path) -> None:
    files = {
        "root.yaml": root_app("apps"),
        "apps/web.yaml": app_yaml(
            "web", f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: web", "web"
        ),
        "web/kustomization.yaml": "resources: [../shared/cm.yaml]\n",
        "shared/cm.yaml": CONFIGMAP.format(name="shared"),
    }
    code, report, _ = _import(tmp_path, write_tree(tmp_path / "tree", files))
    assert code == 0
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert summary["unsynced"] == 0, summary["not_applied"]
    assert summary["objects"] == 2  # web and the ConfigMap its kustomization includes
