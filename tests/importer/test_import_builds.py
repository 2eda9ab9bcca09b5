"""Kustomizations with patches, generators, bases or helmCharts are built as ArgoCD builds
them and imported as the app's objects; a build that cannot run offline is reported, never an
error (issue 25)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from importer_trees import REPO, app_yaml, import_cli, report_lines, root_app
from importer_trees import write_tree as write

from homegen.expand.kustomize import kustomize_command
from robustness import render_cli

pytestmark = [
    pytest.mark.skipif(kustomize_command() is None, reason="kubectl is not installed"),
    # charts come from the test's folders only, never the user's chart cache (conftest.py)
    pytest.mark.usefixtures("no_user_cache"),
]

WEB_APP = app_yaml(
    "web", f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/web", "web"
)
SETTINGS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  color: blue
"""
PATCH = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  color: green
"""


def web_tree(root: Path, kustomization: str, files: dict[str, str] | None = None) -> Path:
    """A root, the app web, its folder manifests/web with ``kustomization``, and ``files``
    (paths under manifests/)."""
    tree = {
        "root.yaml": root_app("apps"),
        "apps/web.yaml": WEB_APP,
        "manifests/web/kustomization.yaml": kustomization,
        **{f"manifests/{name}": text for name, text in (files or {}).items()},
    }
    return write(root, tree)


def run(
    tmp: Path, tree: Path, *args: str
) -> tuple[dict[str, object], str, list[dict[str, object]]]:
    """Import (exit 0) and render (exit 0): the new file, its text and the report lines."""
    config = tmp / "services.toml"
    code, stdout, stderr = import_cli(tree, config, "--output", "json", *args)
    assert code == 0, stderr + stdout
    code, text = render_cli(config, tmp / "OUT")
    assert code == 0, text
    return json.loads(stdout), config.read_text(), report_lines(stdout)


def objects(text: str) -> dict[str, dict[str, object]]:
    found = tomllib.loads(text)["apps"]["web"].get("objects", [])
    return {o["metadata"]["name"]: o for o in found}


def test_patches_are_applied_and_the_objects_imported(tmp_path: Path) -> None:
    kustomization = "resources: [settings.yaml]\nnamespace: web\npatches: [{path: patch.yaml}]\n"
    tree = web_tree(
        tmp_path / "tree", kustomization, {"web/settings.yaml": SETTINGS, "web/patch.yaml": PATCH}
    )
    report, text, lines = run(tmp_path, tree)
    assert objects(text)["web-settings"]["data"] == {"color": "green"}
    built = [x for x in lines if "built as ArgoCD builds it" in str(x["message"])]
    assert len(built) == 1 and built[0]["kind"] == "inferred", lines
    assert "patches and transformers are applied" in str(built[0]["message"])
    # the patch is an input of the build, not an object no app syncs
    assert not [x for x in lines if x["file"] == "manifests/web/patch.yaml"], lines
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert "ConfigMap/web/web-settings" not in str(summary["not_reproduced"]), summary


def test_a_config_map_generator_and_a_secret_generator(tmp_path: Path) -> None:
    kustomization = """
        namespace: web
        configMapGenerator:
          - name: web-env
            literals: [MODE=prod]
        secretGenerator:
          - name: web-secret
            literals: [password=hunter2-literal]
        """
    tree = web_tree(tmp_path / "tree", kustomization)
    report, text, lines = run(tmp_path, tree)
    (config_map,) = [o for n, o in objects(text).items() if n.startswith("web-env-")]
    assert config_map["data"] == {"MODE": "prod"}
    # the generated Secret follows the secret rule: a 1Password reference, never the value
    (ref,) = tomllib.loads(text)["apps"]["web"]["secrets"]
    assert ref.startswith("op://Imported/web-secret-") and ref.endswith("/password")
    assert "hunter2" not in text and "hunter2" not in json.dumps(report)
    assert [x["kind"] for x in lines if str(x["subject"]).startswith("Secret/")] == ["secret"]
    assert any("generators' output is written out" in str(x["message"]) for x in lines)


def test_a_base_folder_is_built_into_the_app(tmp_path: Path) -> None:
    tree = web_tree(
        tmp_path / "tree",
        "resources: [../base]\nnamePrefix: prod-\n",
        {"base/kustomization.yaml": "resources: [settings.yaml]\n", "base/settings.yaml": SETTINGS},
    )
    _report, text, lines = run(tmp_path, tree)
    assert objects(text)["prod-web-settings"]["data"] == {"color": "blue"}
    assert not [x for x in lines if x["file"] == "manifests/base/settings.yaml"], lines


def tiny_chart(root: Path) -> Path:
    """A chart of one ConfigMap, as --charts holds it (<chart>-<version>/)."""
    return write(
        root,
        {
            "tiny-0.1.0/Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
            "tiny-0.1.0/values.yaml": "color: red\n",
            "tiny-0.1.0/templates/cm.yaml": """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-tiny
                data:
                  color: {{ .Values.color | quote }}
                """,
        },
    )


HELM_CHARTS = """
namespace: web
helmCharts:
  - name: tiny
    repo: https://charts.example.com
    version: 0.1.0
    releaseName: web
    valuesInline: {color: purple}
"""


@pytest.mark.extra("charts")
def test_helm_charts_are_inflated_from_the_chart_folders(tmp_path: Path) -> None:
    charts = tiny_chart(tmp_path / "charts")
    tree = web_tree(tmp_path / "tree", HELM_CHARTS)
    _report, text, lines = run(tmp_path, tree, "--charts", str(charts))
    assert objects(text)["web-tiny"]["data"] == {"color": "purple"}
    assert any("helmCharts are inflated" in str(x["message"]) for x in lines), lines


def test_a_chart_not_available_offline_is_reported_not_an_error(tmp_path: Path) -> None:
    tree = web_tree(tmp_path / "tree", HELM_CHARTS)
    _report, text, lines = run(tmp_path, tree)  # no --charts, an empty chart cache
    assert "objects" not in tomllib.loads(text)["apps"]["web"]
    (lost,) = [x for x in lines if str(x["message"]).startswith("kustomization manifests/web")]
    assert lost["kind"] == "not-expressed"
    wanted = "the chart https://charts.example.com tiny@0.1.0, not available offline"
    assert wanted in str(lost["message"]) and "with --charts" in str(lost["message"]), lost


def test_a_remote_base_is_reported_not_fetched(tmp_path: Path) -> None:
    kustomization = "resources: [settings.yaml, https://example.com/install.yaml]\n"
    tree = web_tree(tmp_path / "tree", kustomization, {"web/settings.yaml": SETTINGS})
    _report, text, lines = run(tmp_path, tree)
    assert "objects" not in tomllib.loads(text)["apps"]["web"]
    (lost,) = [x for x in lines if str(x["message"]).startswith("kustomization manifests/web")]
    assert lost["kind"] == "not-expressed"
    assert "remote resource https://example.com/install.yaml; import builds offline" in str(
        lost["message"]
    )


def test_a_root_folder_with_patches_is_built_its_apps_aside(tmp_path: Path) -> None:
    tree = write(
        tmp_path / "tree",
        {
            "kustomization.yaml": "resources: [web.yaml, settings.yaml]\n"
            "namespace: argocd\npatches: [{path: patch.yaml}]\n",
            "web.yaml": WEB_APP.replace("path: manifests/web", "path: other"),
            "settings.yaml": SETTINGS,
            "patch.yaml": PATCH,
            "other/cm.yaml": SETTINGS.replace("web-settings", "other"),
        },
    )
    _report, text, _lines = run(tmp_path, tree)
    (obj,) = tomllib.loads(text)["apps"]["root-objects"]["objects"]
    assert obj["data"] == {"color": "green"} and obj["metadata"]["namespace"] == "argocd"


def test_a_broken_file_its_kustomization_leaves_out_is_skipped_not_fatal(tmp_path: Path) -> None:
    """kustomize reads only what it lists: a broken file beside it is never applied."""
    broken = "apiVersion: v1\nkind: ConfigMap\nspec:\n  a:\n  {}\n  b: 1\n"
    kustomization = "resources: [settings.yaml]\n"
    files = {"web/settings.yaml": SETTINGS, "web/old.yaml": broken}
    tree = web_tree(tmp_path / "tree", kustomization, files)
    _report, text, lines = run(tmp_path, tree)
    old = [x for x in lines if x["file"] == "manifests/web/old.yaml"]
    assert [x["kind"] for x in old] == ["skipped"], old
    assert "kustomization.yaml's resources leave it out" in str(old[0]["message"])
    assert objects(text)["web-settings"]["data"] == {"color": "blue"}
    # listed, the same file stops the import (ArgoCD's build fails on it too)
    write(tree, {"manifests/web/kustomization.yaml": "resources: [settings.yaml, old.yaml]\n"})
    code, _, stderr = import_cli(tree, tmp_path / "again.toml")
    assert code == 2 and "manifests/web/old.yaml:" in stderr


def test_an_application_patched_from_a_base_is_imported_as_built(tmp_path: Path) -> None:
    """A base Application with placeholders, named and pointed by each overlay's patches:
    ArgoCD creates the built one, never the base as written."""
    base = app_yaml(
        "base-placeholder",
        f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: PATH_PLACEHOLDER",
        "web",
    )
    patch = (
        "- {op: replace, path: /metadata/name, value: web}\n"
        "- {op: replace, path: /spec/source/path, value: manifests/web}\n"
    )
    kustomization = (
        "resources: [../base]\n"
        f"patches:\n  - target: {{kind: Application}}\n    patch: {json.dumps(patch)}\n"
    )
    tree = write(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/kustomization.yaml": kustomization,
            "base/kustomization.yaml": "resources: [app.yaml]\n",
            "base/app.yaml": base,
            "manifests/web/settings.yaml": SETTINGS,
        },
    )
    report, text, lines = run(tmp_path, tree)
    apps = tomllib.loads(text)["apps"]
    assert "base-placeholder" not in apps
    assert apps["web"]["objects"][0]["data"] == {"color": "blue"}
    said = [x for x in lines if x["subject"] == "apps/kustomization.yaml"]
    assert "builds 1 Application(s)/ApplicationSet(s) from 1 written" in str(said), lines
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert "Application/argocd/web" not in str(summary["not_reproduced"]), summary


def test_resources_below_a_kustomization_are_compared_in_the_apps_namespace(
    tmp_path: Path,
) -> None:
    """An object without a namespace, listed from a folder below the kustomization, lands in
    the app's destination namespace: that is where the share looks for it."""
    tree = web_tree(
        tmp_path / "tree",
        "resources: [resources/settings.yaml]\n",
        {"web/resources/settings.yaml": SETTINGS},
    )
    report, _text, _lines = run(tmp_path, tree)
    summary = report["reproduced"]
    assert isinstance(summary, dict)
    assert "web-settings" not in str(summary["not_reproduced"]), summary


def test_a_generated_object_without_a_namespace_is_found_in_the_apps(tmp_path: Path) -> None:
    """kustomize sets no namespace: ArgoCD applies the generated ConfigMap in the app's
    destination namespace, where the share looks for it."""
    kustomization = "configMapGenerator:\n  - name: web-env\n    literals: [MODE=prod]\n"
    report, _text, _lines = run(tmp_path, web_tree(tmp_path / "tree", kustomization))
    summary = report["reproduced"]
    # web and the map (the root, applied at bootstrap, is compared apart)
    assert isinstance(summary, dict) and summary["objects"] == 2, summary
    assert summary["reproduced"] == 2, summary
    assert "web-env" not in str(summary["not_reproduced"]), summary
