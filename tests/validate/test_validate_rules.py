"""The rules no other test fails: load problems (HG102, HG103) and the tree's shape (HG204,
HG221, HG222), each from the clean tree with one thing changed, and the exact findings."""

from __future__ import annotations

from validate_trees import app, clean_files, dedent, edit, rule_ids

from conftest import Validate

DEPLOY = "manifests/whoami/deployment.yaml"
CONFIGMAP = dedent("""
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: lost, namespace: whoami}
    data: {key: value}
""")


def _found(validate: Validate, files: dict[str, str]) -> list[tuple[str, str, int, str]]:
    return [(f.rule, f.file, f.line, f.message) for f in validate(files).findings]


def test_duplicate_key_in_a_manifest(validate: Validate) -> None:
    files = edit(
        clean_files(), DEPLOY, "    component: web\n", "    component: web\n    component: api\n"
    )
    report = validate(files)
    assert [(f.rule, f.line, f.severity) for f in report.findings] == [("HG102", 10, "error")]
    assert "component" in report.findings[0].message
    assert report.exit_code == 1


def test_a_list_document_is_not_an_object(validate: Validate) -> None:
    files = {**clean_files(), "manifests/whoami/list.yaml": "- a\n- b\n"}
    report = validate(files)
    assert [(f.rule, f.file, f.line) for f in report.findings] == [
        ("HG103", "manifests/whoami/list.yaml", 1)
    ]
    assert report.exit_code == 1


def test_a_document_with_kind_but_no_api_version(validate: Validate) -> None:
    files = {**clean_files(), "manifests/whoami/cm.yaml": CONFIGMAP.replace("apiVersion: v1\n", "")}
    assert _found(validate, files) == [
        ("HG103", "manifests/whoami/cm.yaml", 1, "document has no apiVersion")
    ]


def test_a_document_with_api_version_but_no_kind(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/whoami/cm.yaml": CONFIGMAP.replace("kind: ConfigMap\n", ""),
    }
    assert _found(validate, files) == [
        ("HG103", "manifests/whoami/cm.yaml", 1, "document has no kind")
    ]


def test_tree_without_root_app_warns(validate: Validate) -> None:
    files = clean_files()
    del files["app-of-apps.yaml"]
    report = validate(files)
    assert [(f.rule, f.severity, f.message) for f in report.findings] == [
        ("HG204", "warning", "no root Application found")
    ]
    assert report.exit_code == 0


def test_tree_of_plain_manifests_needs_no_root_app(validate: Validate) -> None:
    files = {p: t for p, t in clean_files().items() if p.startswith("manifests/whoami/")}
    del files["manifests/whoami/referencegrant.yaml"]
    assert validate(files).findings == []


def test_root_app_path_that_is_no_folder_of_the_tree(validate: Validate) -> None:
    files = edit(
        clean_files(),
        "app-of-apps.yaml",
        "path: kubernetes/argocd/apps",
        "path: kubernetes/argocd/applications",
    )
    report = validate(files)
    assert [(f.rule, f.severity, f.file) for f in report.findings] == [
        ("HG221", "warning", "app-of-apps.yaml")
    ]
    assert report.exit_code == 0


def test_root_app_path_ending_in_apps_gives_the_prefix(validate: Validate) -> None:
    """A tree whose apps folder is missing still knows its place: every app path is checked."""
    files = clean_files()
    files["applications/gateway-config.yaml"] = files.pop("apps/gateway-config.yaml")
    files["applications/whoami.yaml"] = files.pop("apps/whoami.yaml")
    report = validate(files)
    assert "HG221" not in rule_ids(report)
    assert {"HG201", "HG203"} <= rule_ids(report)


def test_manifest_no_app_syncs_is_an_orphan(validate: Validate) -> None:
    files = {**clean_files(), "manifests/lost/configmap.yaml": CONFIGMAP}
    report = validate(files)
    assert [(f.rule, f.severity, f.message) for f in report.findings] == [
        ("HG222", "warning", "no Application syncs manifests/lost/configmap.yaml")
    ]
    assert report.exit_code == 0


def test_orphan_file_is_reported_once(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/lost/configmap.yaml": CONFIGMAP
        + "---\n"
        + CONFIGMAP.replace("name: lost", "name: lost-2"),
    }
    assert [f.rule for f in validate(files).findings] == ["HG222"]


def test_manifest_synced_by_an_app_is_no_orphan(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/lost/configmap.yaml": CONFIGMAP,
        "apps/lost.yaml": app("lost", "manifests/lost", wave=2, namespace="whoami"),
    }
    assert validate(files).findings == []
