"""Integrity rules: each starts from the clean tree, breaks one thing, expects its rule."""

from __future__ import annotations

from validate_trees import ROUTE, SERVICE, app, clean_files, edit, rule_ids

from conftest import Validate

DEPLOY = "manifests/whoami/deployment.yaml"
ROUTE_FILE = "manifests/gateway/httproute-whoami.yaml"


def test_clean_tree_has_no_findings(validate: Validate) -> None:
    report = validate(clean_files())
    assert report.findings == []
    assert report.exit_code == 0
    assert (report.resources, report.valid, report.skipped) == (11, 11, 1)


def test_root_app_pointing_at_a_missing_folder(validate: Validate) -> None:
    files = edit(clean_files(), "apps/whoami.yaml", "manifests/whoami", "manifests/who")
    report = validate(files)
    assert "HG201" in rule_ids(report)
    assert report.exit_code == 1


def test_root_app_whose_folder_holds_only_subfolders(validate: Validate) -> None:
    files = clean_files()
    files["apps/infra/gateway-config.yaml"] = files.pop("apps/gateway-config.yaml")
    files["apps/services/whoami.yaml"] = files.pop("apps/whoami.yaml")
    report = validate(files)
    assert "HG202" in rule_ids(report)
    assert "HG203" in rule_ids(report)  # and the nested app is never reached
    assert report.exit_code == 1


def test_recurse_makes_subfolders_count(validate: Validate) -> None:
    files = clean_files()
    files["apps/nested/whoami.yaml"] = files.pop("apps/whoami.yaml")
    files = edit(
        files,
        "app-of-apps.yaml",
        "path: kubernetes/argocd/apps",
        ("path: kubernetes/argocd/apps\n    directory: {recurse: true}"),
    )
    assert validate(files).findings == []


MULTI_SOURCE_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: whoami
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  project: default
  sources:
    - repoURL: https://charts.example.com
      chart: whoami
      targetRevision: 1.0.0
      helm:
        valueFiles: [$values/kubernetes/argocd/values/whoami.yaml]
    - repoURL: https://github.com/TechDufus/home.io
      targetRevision: main
      ref: values
    - repoURL: https://github.com/TechDufus/home.io
      targetRevision: main
      path: kubernetes/argocd/manifests/nope
  destination:
    server: https://kubernetes.default.svc
    namespace: whoami
"""


def test_multi_source_app_checks_sources_of_this_repo_with_a_path(validate: Validate) -> None:
    files = {**clean_files(), "apps/whoami.yaml": MULTI_SOURCE_APP}
    report = validate(files)
    missing = [f for f in report.findings if f.rule == "HG201"]
    assert [f.message for f in missing] == [
        "source path 'kubernetes/argocd/manifests/nope' does not exist"
    ]


def test_object_defined_twice(validate: Validate) -> None:
    files = {**clean_files(), "manifests/whoami/service-copy.yaml": SERVICE}
    assert "HG205" in rule_ids(validate(files))


def test_folder_synced_by_two_apps(validate: Validate) -> None:
    files = {
        **clean_files(),
        "apps/whoami-again.yaml": app("whoami-again", "manifests/whoami", wave=2),
    }
    assert "HG206" in rule_ids(validate(files))


def test_route_parent_gateway_missing(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "name: lab-gateway", "name: other-gateway")
    assert "HG207" in rule_ids(validate(files))


def test_route_section_name_or_port_matches_no_listener(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "sectionName: web", "sectionName: web, port: 80")
    report = validate(files)
    assert "HG208" in rule_ids(report)
    assert report.exit_code == 1


def test_listener_does_not_admit_routes_from_other_namespaces(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "namespace: traefik", "namespace: whoami")
    files = edit(
        files,
        ROUTE_FILE,
        "lab-gateway, sectionName",
        "lab-gateway, namespace: traefik, sectionName",
    )
    assert "HG209" in rule_ids(validate(files))


def test_backend_service_missing(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "name: whoami, namespace", "name: whoareyou, namespace")
    assert "HG210" in rule_ids(validate(files))


def test_external_backends_annotation_allows_chart_services(validate: Validate) -> None:
    files = edit(
        clean_files(), ROUTE_FILE, "name: whoami, namespace", "name: argocd-server, namespace"
    )
    files = edit(
        files,
        ROUTE_FILE,
        "  namespace: traefik\n",
        ('  namespace: traefik\n  annotations:\n    homegen.dev/external-backends: "true"\n'),
    )
    # the grant names whoami, so the new backend still needs its own grant
    assert rule_ids(validate(files)) == {"HG212"}


def test_backend_port_missing(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "port: 80", "port: 8080")
    assert "HG211" in rule_ids(validate(files))


def test_cross_namespace_backend_without_grant(validate: Validate) -> None:
    files = clean_files()
    del files["manifests/whoami/referencegrant.yaml"]
    assert "HG212" in rule_ids(validate(files))


def test_grant_for_every_service_is_flagged(validate: Validate) -> None:
    files = edit(clean_files(), "manifests/whoami/referencegrant.yaml", ", name: whoami}", "}")
    report = validate(files)
    assert [(f.rule, f.severity) for f in report.findings] == [("HG213", "warning")]
    assert report.exit_code == 0


def test_service_selector_selects_no_workload(validate: Validate) -> None:
    files = edit(
        clean_files(), "manifests/whoami/service.yaml", "{app: whoami}", "{app: whoareyou}"
    )
    assert "HG214" in rule_ids(validate(files))


def test_deployment_selector_does_not_match_pod_labels(validate: Validate) -> None:
    files = edit(clean_files(), DEPLOY, "matchLabels: {app: whoami}", "matchLabels: {app: who}")
    assert "HG215" in rule_ids(validate(files))


def test_probe_port_not_on_container(validate: Validate) -> None:
    files = edit(clean_files(), DEPLOY, "port: http}", "port: metrics}")
    report = validate(files)
    assert "HG216" in rule_ids(report)
    files = edit(clean_files(), DEPLOY, "port: 8080}", "port: 9090}")
    assert "HG216" in rule_ids(validate(files))


def test_two_routes_claim_the_same_hostname_and_path(validate: Validate) -> None:
    other = ROUTE.replace("name: whoami\n", "name: whoami-copy\n", 1)
    files = {**clean_files(), "manifests/gateway/httproute-copy.yaml": other}
    assert "HG217" in rule_ids(validate(files))


def test_sync_wave_not_after_dependency(validate: Validate) -> None:
    files = edit(clean_files(), "apps/whoami.yaml", 'sync-wave: "1"', 'sync-wave: "0"')
    report = validate(files)
    assert "HG218" in rule_ids(report)
    assert report.exit_code == 1


def test_unknown_sync_option_and_compare_option(validate: Validate) -> None:
    files = edit(
        clean_files(),
        "apps/whoami.yaml",
        "[CreateNamespace=true]",
        "[CreateNamespace=true, ServerSideDiff=true, PruneLas=true]",
    )
    findings = [f for f in validate(files).findings if f.rule == "HG219"]
    assert len(findings) == 2
    assert "compare option" in findings[0].message
    assert "argocd.argoproj.io/compare-options" in findings[0].fix
    assert "PruneLast" in findings[1].fix


def test_app_file_not_reached_from_root(validate: Validate) -> None:
    files = {**clean_files(), "extra/lost.yaml": app("lost", "manifests/whoami", wave=3)}
    assert "HG203" in rule_ids(validate(files))
