"""Issue 24, class 5: what depends on a source that was not expanded is "not verified"
(info, naming the app), never an error; ArgoCD's own Service exists where ArgoCD runs; the
well-known storage charts provide their StorageClasses; fixes fit a hand-written tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fidelity_trees import LAB, findings, lab_app

CHART_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
  project: default
  source: {{repoURL: "https://charts.example.com", chart: {chart}, targetRevision: 1.0.0}}
  destination: {{server: "https://kubernetes.default.svc", namespace: {namespace}}}
"""


def _route(namespace: str, service: str, port: int) -> str:
    return f"""\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {service}, namespace: {namespace}}}
spec:
  rules: [{{backendRefs: [{{name: {service}, port: {port}}}]}}]
"""


def _claim(name: str, storage_class: str) -> str:
    return f"""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}, namespace: web}}
spec:
  storageClassName: {storage_class}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
"""


SELECTOR_SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: grafana-extra, namespace: monitoring}
spec:
  selector: {app.kubernetes.io/name: grafana}
  ports: [{port: 80}]
"""

TREE = {
    "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
    "apps/monitoring.yaml": CHART_APP.format(
        name="monitoring", chart="kube-prometheus-stack", namespace="monitoring"
    ),
    "apps/longhorn.yaml": CHART_APP.format(
        name="longhorn", chart="longhorn", namespace="longhorn-system"
    ),
    "apps/web.yaml": lab_app("web", "web", "web"),
    "apps/routes.yaml": lab_app("routes", "routes", "monitoring"),
    "routes/grafana.yaml": _route("monitoring", "grafana", 80),
    "routes/argocd.yaml": _route("argocd", "argocd-server", 443),
    "routes/service.yaml": SELECTOR_SERVICE,
    "web/data.yaml": _claim("data", "longhorn"),
    "web/fast.yaml": _claim("fast", "fast-ssd"),
    "web/route.yaml": _route("web", "missing", 80),
}


def _by_rule(found: list[dict[str, Any]], rule: str) -> list[tuple[str, str, str]]:
    return sorted(
        (f["filename"].rpartition("/")[2], f["severity"], f["msg"])
        for f in found
        if f["rule"] == rule
    )


def test_a_route_into_a_namespace_not_expanded_is_not_verified(tmp_path: Path) -> None:
    found = findings(tmp_path, TREE)
    assert _by_rule(found, "HG210") == [
        ("grafana.yaml", "info", "not verified: app monitoring was not expanded: Service "
         "monitoring/grafana does not exist"),
        # a namespace whose every source was read: the Service really is missing, and the
        # fix speaks of Kubernetes, not of homegen's annotations
        ("route.yaml", "error", "Service web/missing does not exist"),
    ]  # fmt: skip
    fixes = {f["fix"] for f in found if f["rule"] == "HG210" and f["severity"] == "error"}
    assert all("homegen.dev" not in fix for fix in fixes)


def test_argocd_server_exists_where_argocd_runs(tmp_path: Path) -> None:
    found = findings(tmp_path, TREE)
    assert not [
        f for f in found if f["rule"] in ("HG210", "HG211") and f["name"] == "argocd-server"
    ]
    # a port ArgoCD's Service does not have is still wrong
    files = {**TREE, "routes/argocd.yaml": _route("argocd", "argocd-server", 8080)}
    assert "HG211" in [f["rule"] for f in findings(tmp_path, files) if f["name"] == "argocd-server"]


def test_a_selector_into_a_namespace_not_expanded_is_not_verified(tmp_path: Path) -> None:
    assert _by_rule(findings(tmp_path, TREE), "HG214") == [
        ("service.yaml", "info", "/spec/selector: not verified: app monitoring was not expanded: "
         "selector app.kubernetes.io/name=grafana matches no workload in namespace monitoring"),
    ]  # fmt: skip


def test_storage_classes_of_well_known_charts_and_unknown_ones(tmp_path: Path) -> None:
    found = _by_rule(findings(tmp_path, TREE), "HG252")
    # longhorn's chart (not expanded) provides "longhorn"; "fast-ssd" might come from a
    # source that was not expanded
    assert [(file, severity) for file, severity, _msg in found] == [("fast.yaml", "info")]
    assert found[0][2].startswith(
        "/spec/storageClassName: not verified: apps longhorn, monitoring were not expanded"
    )


def test_with_every_source_read_a_missing_class_is_an_error(tmp_path: Path) -> None:
    files = {k: v for k, v in TREE.items() if k not in ("apps/monitoring.yaml",)}
    files["apps/longhorn.yaml"] = lab_app("longhorn", "web", "web").replace(LAB, LAB)
    found = _by_rule(findings(tmp_path, files), "HG252")
    assert [(file, severity) for file, severity, _msg in found] == [
        ("data.yaml", "error"),
        ("fast.yaml", "error"),
    ]


def test_a_service_selecting_argocds_own_pods_selects_something(tmp_path: Path) -> None:
    service = SELECTOR_SERVICE.replace("grafana-extra", "argocd-tailscale").replace(
        "namespace: monitoring", "namespace: argocd"
    )
    files = {**TREE, "routes/service.yaml": service}
    assert _by_rule(findings(tmp_path, files), "HG214") == [
        (
            "service.yaml",
            "error",
            "/spec/selector: selector app.kubernetes.io/name=grafana matches no workload in "
            "namespace argocd",
        )
    ]
    files["routes/service.yaml"] = service.replace("name: grafana}", "name: argocd-server}")
    assert _by_rule(findings(tmp_path, files), "HG214") == []
    # the Services after it are still checked
    files["web/svc.yaml"] = SELECTOR_SERVICE.replace("namespace: monitoring", "namespace: web")
    assert [f[0] for f in _by_rule(findings(tmp_path, files), "HG214")] == ["svc.yaml"]


def _chart_with_values(name: str, chart: str, namespace: str, values: str) -> str:
    """CHART_APP with inline Helm values (``valuesObject``, in flow style)."""
    return CHART_APP.format(name=name, chart=chart, namespace=namespace).replace(
        "targetRevision: 1.0.0}", f"targetRevision: 1.0.0, helm: {{valuesObject: {values}}}}}"
    )


def test_a_storage_charts_values_rename_the_class_it_provides(tmp_path: Path) -> None:
    # nfs-subdir-external-provisioner's storageClass.name replaces its default "nfs-client":
    # the renamed class is provided (no note at all), the default one no longer is
    files = {
        **TREE,
        "apps/longhorn.yaml": _chart_with_values(
            "nfs", "nfs-subdir-external-provisioner", "nfs", "{storageClass: {name: nfs-fast}}"
        ),
        "web/data.yaml": _claim("data", "nfs-fast"),
        "web/fast.yaml": _claim("fast", "nfs-client"),
    }
    found = _by_rule(findings(tmp_path, files), "HG252")
    assert [(file, severity) for file, severity, _msg in found] == [("fast.yaml", "info")]
    message = found[0][2]
    assert "claims StorageClass 'nfs-client', which nothing provides (known: nfs-fast)" in message


def test_chart_values_naming_a_class_while_a_source_is_not_expanded(tmp_path: Path) -> None:
    files = {
        **TREE,
        "apps/homarr.yaml": _chart_with_values(
            "homarr", "homarr", "homarr", "{persistence: {storageClassName: nvme}}"
        ),
        "web/fast.yaml": _claim("fast", "longhorn"),
    }
    assert _by_rule(findings(tmp_path, files), "HG252") == [
        ("homarr.yaml", "info", "not verified: apps homarr, longhorn, monitoring were not "
         "expanded: chart homarr is given StorageClass 'nvme' (persistence.storageClassName), "
         "which nothing provides (known: longhorn, longhorn-static)"),
    ]  # fmt: skip
