"""Rules over the union of the tree and what its charts render (HG230-HG233, HG320/HG321,
CRDs of charts as schemas), each on a small tree made here."""

from __future__ import annotations

from pathlib import Path

import pytest
from expand_charts import ROOT_APP, demo_chart, need_engine, write
from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no services.toml is (validate reads [cluster] from the working folder)."""
    monkeypatch.chdir(tmp_path)


WEB_APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: web, namespace: argocd}
    spec:
      project: default
      sources:
        - repoURL: https://charts.example.com
          chart: demo
          targetRevision: 1.0.0
          helm:
            releaseName: web
            valueFiles: ["$values/tree/values/web.yaml"]
        - {repoURL: "https://github.com/me/lab", targetRevision: main, ref: values}
        - {repoURL: "https://github.com/me/lab", targetRevision: main, path: tree/manifests/web}
      destination: {server: "https://kubernetes.default.svc", namespace: web}
"""


def namespace(level: str) -> str:
    return f"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: web
          labels: {{pod-security.kubernetes.io/enforce: {level}}}
          annotations: {{homegen.dev/pod-security-reason: "the test says so"}}
    """


def validate(tmp_path: Path, files: dict[str, str], values: str = "{}\n") -> str:
    """`homegen validate --charts` of the root app, the web app and ``files``; its stdout."""
    need_engine()
    demo_chart(tmp_path / "charts")
    tree = {
        "app-of-apps.yaml": ROOT_APP,
        "apps/web.yaml": WEB_APP,
        "values/web.yaml": values,
        "manifests/web/namespace.yaml": namespace("privileged"),
        **files,
    }
    root = write(tmp_path / "tree", tree)
    (tmp_path / "no-schemas").mkdir()
    result = runner.invoke(
        app,
        ["validate", str(root), "--charts", str(tmp_path / "charts"),
         "--schema-location", str(tmp_path / "no-schemas"), "--ignore-missing-schemas"],
    )  # fmt: skip
    assert "Traceback" not in result.output
    return result.stdout


RESTRICTED_VALUES = """
podSecurityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
containerSecurityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"""


def test_chart_pods_meet_the_restricted_namespace_they_run_in(tmp_path: Path) -> None:
    out = validate(tmp_path, {"manifests/web/namespace.yaml": namespace("restricted")})
    lines = [line for line in out.splitlines() if "HG321" in line]
    assert lines and all("Deployment/web/web" in line for line in lines)
    assert "apps/web.yaml::web/demo/templates/deployment.yaml" in lines[0]
    assert "container web allows privilege escalation" in out
    assert "namespace web enforces Pod Security restricted" in out
    assert "HG321" not in validate(
        tmp_path / "ok", {"manifests/web/namespace.yaml": namespace("restricted")},
        RESTRICTED_VALUES,
    )  # fmt: skip


def test_baseline_refuses_only_what_baseline_refuses(tmp_path: Path) -> None:
    privileged = "containerSecurityContext: {privileged: true}\n"
    out = validate(tmp_path, {"manifests/web/namespace.yaml": namespace("baseline")}, privileged)
    assert "error HG320" in out and "container web is privileged" in out
    assert "HG321" not in out
    assert "HG32" not in validate(tmp_path / "privileged", {}, privileged)


def test_homegen_hardening_checklist_does_not_apply_to_chart_pods(tmp_path: Path) -> None:
    out = validate(tmp_path, {})
    assert not any(f"HG3{n:02}" in out for n in range(1, 20)), out


SERVICE = """
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
"""


def test_an_object_the_chart_and_the_manifests_both_define_is_hg232(tmp_path: Path) -> None:
    out = validate(tmp_path, {"manifests/web/service.yaml": SERVICE})
    assert "error HG232 Service/web/web" in out
    assert "defined by app web (demo@1.0.0: demo/templates/service.yaml)" in out
    assert "app web (manifests/web/service.yaml:1)" in out
    assert "HG205" not in out


def route(service: str, port: int) -> str:
    return f"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: web
          annotations: {{homegen.dev/external-backends: "true"}}
        spec:
          rules: [{{backendRefs: [{{name: {service}, port: {port}}}]}}]
    """


def test_a_route_to_a_chart_service_port_that_does_not_exist_is_hg231(tmp_path: Path) -> None:
    out = validate(tmp_path, {"manifests/web/route.yaml": route("web", 8080)})
    assert "error HG231 HTTPRoute/web/web" in out and "has no port 8080 (ports: 80)" in out
    assert "HG23" not in validate(tmp_path / "ok", {"manifests/web/route.yaml": route("web", 80)})


def test_a_route_to_a_service_no_chart_creates_is_hg230(tmp_path: Path) -> None:
    out = validate(tmp_path, {"manifests/web/route.yaml": route("webb", 80)})
    assert "error HG230 HTTPRoute/web/web" in out
    assert "Service web/webb is created by no expanded chart" in out


def binding(account: str) -> str:
    return f"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {{name: web-reader}}
        roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}
        subjects: [{{kind: ServiceAccount, name: {account}, namespace: web}}]
    """


def test_a_binding_to_a_service_account_nothing_creates_is_hg233(tmp_path: Path) -> None:
    out = validate(tmp_path, {"manifests/web/binding.yaml": binding("web-controller")})
    assert "error HG233 ClusterRoleBinding/web-reader" in out
    assert "ServiceAccount web/web-controller is created by nothing" in out
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web-controller}\n"
    files = {
        "manifests/web/binding.yaml": binding("web-controller"),
        "manifests/web/sa.yaml": account,
    }
    assert "HG233" not in validate(tmp_path / "ok", files)


def test_a_binding_in_a_namespace_whose_chart_was_not_expanded_is_not_judged(
    tmp_path: Path,
) -> None:
    out = validate(tmp_path, {"manifests/web/binding.yaml": binding("x")}, "failWith: stop\n")
    assert "HG130" in out and "HG233" not in out


def test_crds_a_chart_ships_are_the_schemas_of_their_objects(tmp_path: Path) -> None:
    widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n"
    out = validate(tmp_path, {"manifests/web/widget.yaml": widget})
    assert "error HG104 Widget/web/w" in out and "/spec/size" in out
    good = widget.replace("size: big", "size: 3")
    assert "HG104" not in validate(tmp_path / "ok", {"manifests/web/widget.yaml": good})


def _annotated_web(rule: str, reason: str) -> str:
    return WEB_APP.replace(
        "metadata: {name: web, namespace: argocd}",
        f'metadata: {{name: web, namespace: argocd, annotations: {{"{rule}": "{reason}"}}}}',
    )


def test_an_exception_on_the_application_covers_what_its_chart_renders(tmp_path: Path) -> None:
    restricted = {"manifests/web/namespace.yaml": namespace("restricted")}
    app_file = _annotated_web("policy.homegen.dev/HG321", "the chart runs as root")
    out = validate(tmp_path, {**restricted, "apps/web.yaml": app_file})
    lines = [line for line in out.splitlines() if "HG321" in line]
    assert lines and all("apps/web.yaml::web/demo/templates/" in line for line in lines)
    assert all(line.endswith("(suppressed: the chart runs as root)") for line in lines), lines
    # an empty reason suppresses nothing; another rule's exception neither
    for rule, reason in (("policy.homegen.dev/HG321", ""), ("policy.homegen.dev/HG320", "x")):
        out = validate(
            tmp_path / rule[-5:] / reason,
            {**restricted, "apps/web.yaml": _annotated_web(rule, reason)},
        )
        assert "suppressed" not in "".join(x for x in out.splitlines() if "HG321" in x), out
