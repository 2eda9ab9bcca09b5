"""Issue 24, "unknown is not wrong": a field a newer ArgoCD knows but the built-in ArgoCD
v2.11.3 schemas do not is a note (by the table of fields added since, or because the tree
runs a newer ArgoCD); a typo stays HG104 where nothing says the tree runs a newer ArgoCD,
and a wrong type on a known field stays HG104 always."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fidelity_trees import LAB, findings
from ruamel.yaml import YAML

from conftest import Validate
from homegen.validate.engine.argocd_fields import added_in, installed_argocd
from homegen.validate.run import ValidateOptions


def _app(automated: str) -> str:
    return f"""\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: web, namespace: argocd}}
spec:
  project: default
  source: {{repoURL: '{LAB}', targetRevision: HEAD, path: web}}
  destination: {{server: 'https://kubernetes.default.svc', namespace: web}}
  syncPolicy:
    automated: {{{automated}}}
"""


def _chart_install(version: str) -> dict[str, str]:
    return {
        "argocd/kustomization.yaml": (
            "helmCharts:\n- name: argo-cd\n  repo: https://argoproj.github.io/argo-helm\n"
            f"  version: '{version}'\n  releaseName: argocd\n"
        )
    }


def _url_install(tag: str) -> dict[str, str]:
    url = f"https://raw.githubusercontent.com/argoproj/argo-cd/{tag}/manifests/install.yaml"
    return {"argocd/kustomization.yaml": f"namespace: argocd\nresources:\n- {url}\n"}


def _hg104(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str]]:
    found: list[dict[str, Any]] = findings(tmp_path / "tree", files)
    return sorted((f["severity"], f["msg"]) for f in found if f["rule"] == "HG104")


def test_the_3x_field_without_a_detectable_install_is_a_note_naming_the_release(
    tmp_path: Path,
) -> None:
    found = _hg104(tmp_path, {"web.yaml": _app("enabled: true, prune: true")})
    assert found == [
        (
            "info",
            "/spec/syncPolicy/automated: needs ArgoCD >= v3.1.0: field "
            "/spec/syncPolicy/automated/enabled is unknown to ArgoCD v2.11.3's schema",
        )
    ]


def test_the_3x_field_with_a_3x_chart_install_says_what_the_tree_runs(tmp_path: Path) -> None:
    files = {"web.yaml": _app("enabled: true"), **_chart_install("10.4.0")}
    [(severity, message)] = _hg104(tmp_path, files)
    assert severity == "info"
    assert message.endswith(
        "the tree runs ArgoCD >= v3.4.4 (argo-cd chart 10.4.0, argocd/kustomization.yaml)"
    )


def test_a_typo_stays_an_error_where_the_tree_does_not_run_a_newer_argocd(
    tmp_path: Path,
) -> None:
    assert _hg104(tmp_path, {"web.yaml": _app("selfHeel: true")}) == [
        ("error", "/spec/syncPolicy/automated: Additional properties are not allowed "
         "('selfHeel' was unexpected)")
    ]  # fmt: skip


def test_under_a_newer_argocd_an_unknown_field_is_not_verified(tmp_path: Path) -> None:
    files = {"web.yaml": _app("selfHeel: true"), **_url_install("v3.0.0")}
    [(severity, message)] = _hg104(tmp_path, files)
    assert severity == "info"
    assert message.startswith(
        "/spec/syncPolicy/automated: not verified: field /spec/syncPolicy/automated/selfHeel "
        "is unknown to ArgoCD v2.11.3's schema; the tree runs ArgoCD v3.0.0"
    )


def test_a_type_error_on_a_known_field_stays_an_error_under_a_newer_argocd(
    tmp_path: Path,
) -> None:
    files = {"web.yaml": _app("prune: 'yes', enabled: true"), **_chart_install("10.4.0")}
    found = _hg104(tmp_path, files)
    assert [s for s, _ in found] == ["error", "info"]
    assert found[0][1] == "/spec/syncPolicy/automated/prune: 'yes' is not of type 'boolean'"


def test_a_table_field_and_a_typo_in_one_object_are_weighed_one_by_one(tmp_path: Path) -> None:
    found = _hg104(tmp_path, {"web.yaml": _app("enabled: true, selfHeel: true")})
    assert [(s, "selfHeel" in m) for s, m in found] == [("error", True), ("info", False)]


@pytest.mark.parametrize(
    ("tag", "typo", "enabled"),
    [
        ("v2.11.3", "error", "error"),  # the catalog's own release: nothing is newer
        ("v3.0.0", "info", "error"),  # newer, but `enabled` came in v3.1.0
        ("v3.1.0", "info", "info"),
    ],
)
def test_an_exact_install_at_the_edges(tmp_path: Path, tag: str, typo: str, enabled: str) -> None:
    files = {"web.yaml": _app("enabled: true, selfHeel: true"), **_url_install(tag)}
    found = _hg104(tmp_path, files)
    assert [s for s, m in found if "selfHeel" in m] == [typo]
    [(severity, message)] = [(s, m) for s, m in found if "enabled" in m]
    assert severity == enabled
    if enabled == "error":
        assert f"needs ArgoCD >= v3.1.0; the tree installs ArgoCD {tag}" in message


def _install(source: dict[str, Any]) -> str | None:
    app = {"kind": "Application", "spec": {"source": source}}
    found = installed_argocd([(app, "apps/argocd.yaml")], {})
    return None if found is None else f"{found.tag} {'exact' if found.exact else 'at least'}"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("6.11.1", None),  # before the table: unknown, not guessed
        ("7.1.1", "v2.11.2 at least"),
        ("7.1.2", "v2.11.3 at least"),
        ("7.3.3", "v2.11.3 at least"),
        ("7.3.4", "v2.11.4 at least"),  # the first chart newer than the catalog
        ("8.0.0", "v3.0.0 at least"),
        ("10.4.0", "v3.4.4 at least"),
        ("stable", None),
    ],
)
def test_an_argo_helm_chart_version_maps_to_the_argocd_it_ships(
    version: str, expected: str | None
) -> None:
    source = {"repoURL": "https://argoproj.github.io/argo-helm", "chart": "argo-cd"}
    assert _install({**source, "targetRevision": version}) == expected


def test_the_argocd_repository_at_a_tag_is_exact_and_a_branch_says_nothing() -> None:
    repo = {"repoURL": "https://github.com/argoproj/argo-cd.git", "path": "manifests/crds"}
    assert _install({**repo, "targetRevision": "v3.2.1"}) == "v3.2.1 exact"
    assert _install({**repo, "targetRevision": "stable"}) is None


def test_a_kustomize_remote_base_at_a_ref_is_an_install() -> None:
    ref = "https://github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.14.2"
    found = installed_argocd([], {"argocd": {"resources": [ref, "ns.yaml"]}})
    assert found is not None and (found.tag, found.exact) == ("v2.14.2", True)
    assert found.origin == "argocd/kustomization.yaml"


@pytest.mark.parametrize(
    ("kind", "path", "expected"),
    [
        ("Application", "/spec/syncPolicy/automated/enabled", "v3.1.0"),
        ("Application", "/spec/sources/1/kustomize/ignoreMissingComponents", "v3.0.0"),
        ("Application", "/spec/syncPolicy/automated/selfHeel", None),
        ("ApplicationSet", "/spec/template/spec/syncPolicy/automated/enabled", "v3.1.0"),
        (
            "ApplicationSet",
            "/spec/generators/0/matrix/generators/1/git/template/spec/syncPolicy/retry/refresh",
            "v3.2.0",
        ),
        ("ApplicationSet", "/spec/generators/0/matrix/generators/1/git/files/0/exclude", "v3.1.0"),
        ("ApplicationSet", "/spec/strategy/deletionOrder", "v3.2.0"),
        ("AppProject", "/spec/syncWindows/0/andOperator", "v3.0.0"),
        ("AppProject", "/spec/syncPolicy/automated/enabled", None),
    ],
)
def test_the_table_of_fields_added_since_the_catalog(
    kind: str, path: str, expected: str | None
) -> None:
    assert added_in(kind, path) == expected


TREE_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: applications.argoproj.io}
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Application, plural: applications}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              project: {type: string}
              source: {type: object, x-kubernetes-preserve-unknown-fields: true}
              destination: {type: object, x-kubernetes-preserve-unknown-fields: true}
              syncPolicy:
                type: object
                properties:
                  automated:
                    type: object
                    properties: {prune: {type: boolean}}
"""


def test_the_trees_own_crd_is_the_truth_whatever_argocd_it_runs(tmp_path: Path) -> None:
    files = {"web.yaml": _app("enabled: true"), "crd.yaml": TREE_CRD, **_url_install("v3.1.0")}
    [(severity, message)] = _hg104(tmp_path, files)
    assert (severity, "'enabled' was unexpected" in message) == ("error", True)


APPSET = f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: apps, namespace: argocd}}
spec:
  generators: [{{list: {{elements: [{{name: web}}]}}}}]
  template:
    metadata: {{name: '{{{{name}}}}'}}
    spec:
      project: default
      source: {{repoURL: '{LAB}', targetRevision: HEAD, path: '{{{{name}}}}'}}
      destination: {{server: 'https://kubernetes.default.svc', namespace: '{{{{name}}}}'}}
      syncPolicy: {{automated: {{enabled: true, selfHeel: true}}}}
"""


def test_an_applicationset_template_and_the_application_it_generates(tmp_path: Path) -> None:
    found = _hg104(tmp_path, {"apps.yaml": APPSET})
    # the template and the generated web: the typo twice, the newer field a note once
    assert [s for s, m in found if "selfHeel" in m] == ["error", "error"]
    notes = [m for s, m in found if s == "info"]
    assert len(notes) == 2 and all("needs ArgoCD >= v3.1.0" in m for m in notes)
    assert any("/spec/template/spec/syncPolicy/automated/enabled" in m for m in notes)


def test_the_declared_argocd_version_is_the_owners_word() -> None:
    charts = _chart_install("10.4.0")["argocd/kustomization.yaml"]
    kustomization = YAML(typ="safe").load(charts)
    found = installed_argocd([], {"argocd": kustomization}, "3.0.0")
    assert found is not None and found.describe() == "ArgoCD v3.0.0 ([cluster] argocd_version)"
    assert installed_argocd([], {"argocd": kustomization}, "stable") == installed_argocd(
        [], {"argocd": kustomization}
    )


@pytest.mark.parametrize(
    ("declared", "typo", "enabled"),
    [(None, "error", "info"), ("v3.0.0", "info", "error"), ("v3.1.0", "info", "info")],
)
def test_a_run_with_argocd_declared_in_the_options(
    options: ValidateOptions, validate: Validate, declared: str | None, typo: str, enabled: str
) -> None:
    # homegen's own tree: services.toml's [cluster] argocd_version reaches the run as a pin
    if declared:
        options.catalog_pins = {"argo-cd": declared}
    report = validate({"web.yaml": _app("enabled: true, selfHeel: true")})
    found = {f.message: f.severity for f in report.findings if f.rule == "HG104"}
    assert [s for m, s in found.items() if "selfHeel" in m] == [typo]
    assert [s for m, s in found.items() if "enabled" in m] == [enabled]
