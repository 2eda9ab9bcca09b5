"""What owners set on their Applications comes back in services.toml and renders back exactly:
project, metadata, release names, a Git chart's Helm options; names Kubernetes accepts; a root
that never takes an imported app's name (issue 25)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml
from importer_trees import (
    REPO,
    app_yaml,
    import_and_render,
    import_cli,
    report_lines,
    root_app,
    write_tree,
)

OTHER = "https://github.com/me/charts"
GIT_CHART = f"""
source:
  repoURL: {OTHER}
  targetRevision: v2
  path: charts/wrapper
  helm:
    releaseName: wrap
    valueFiles: [values.yaml, values-lab.yaml]
    skipCrds: true
    ignoreMissingValueFiles: true
"""
META = """
  labels:
    team: core
  annotations:
    notifications.argoproj.io/subscribe.on-sync-failed.slack: ops
"""


def rendered_app(tmp: Path, name: str) -> dict[str, object]:
    app: dict[str, object] = yaml.safe_load((tmp / "OUT" / "apps" / f"{name}.yaml").read_text())
    return app


def test_project_metadata_and_a_git_charts_options_are_kept(tmp_path: Path) -> None:
    app = app_yaml("wrapper", GIT_CHART, "wrapper").replace("project: default", "project: platform")
    app = app.replace("  namespace: argocd\n", "  namespace: argocd\n" + META.strip("\n") + "\n", 1)
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/wrapper.yaml": app})
    _, text, stdout = import_and_render(tmp_path, tree)
    table = tomllib.loads(text)["apps"]["wrapper"]
    assert table["git"]["helm"] == {
        "value_files": ["values.yaml", "values-lab.yaml"],
        "skip_crds": True,
        "ignore_missing_value_files": True,
        "release_name": "wrap",
    }
    assert table["application"]["project"] == "platform"
    assert table["application"]["labels"] == {"team": "core"}
    out = rendered_app(tmp_path, "wrapper")
    source = yaml.safe_load(textwrap_source(GIT_CHART))["source"]
    assert out["spec"]["source"] == source  # type: ignore[index]
    assert out["spec"]["project"] == "platform"  # type: ignore[index]
    meta = out["metadata"]
    assert meta["labels"]["team"] == "core"  # type: ignore[index]
    slack = "notifications.argoproj.io/subscribe.on-sync-failed.slack"
    assert meta["annotations"][slack] == "ops"  # type: ignore[index]
    lost = [x for x in report_lines(stdout) if x["kind"] == "not-expressed"]
    assert not [x for x in lost if x["subject"] == "Application/wrapper"], lost


def textwrap_source(text: str) -> str:
    return text.strip("\n")


def test_a_release_name_helm_refuses_is_reported_not_written(tmp_path: Path) -> None:
    chart = GIT_CHART.replace("releaseName: wrap", "releaseName: Wrap_Me")
    tree = write_tree(
        tmp_path / "tree",
        {"root.yaml": root_app("apps"), "apps/wrapper.yaml": app_yaml("wrapper", chart, "w")},
    )
    _, text, stdout = import_and_render(tmp_path, tree)
    assert "release_name" not in tomllib.loads(text)["apps"]["wrapper"]["git"]["helm"]
    assert any("Wrap_Me" in str(x["message"]) for x in report_lines(stdout))


def test_an_app_named_with_a_leading_digit_loads(tmp_path: Path) -> None:
    git = f"source:\n  repoURL: {OTHER}\n  targetRevision: v1\n  path: deploy/4get\n"
    tree = write_tree(
        tmp_path / "tree",
        {"root.yaml": root_app("apps"), "apps/4get.yaml": app_yaml("4get", git, "4get")},
    )
    _, text, _ = import_and_render(tmp_path, tree)
    assert "4get" in tomllib.loads(text)["apps"]
    assert rendered_app(tmp_path, "4get")["metadata"]["name"] == "4get"  # type: ignore[index]


def test_an_app_named_like_the_root_keeps_its_name(tmp_path: Path) -> None:
    """A folder imported without its root: its own app-of-apps is an ordinary app there."""
    git = f"source:\n  repoURL: {OTHER}\n  targetRevision: v1\n  path: deploy/all\n"
    tree = write_tree(
        tmp_path / "tree",
        {"aoa.yaml": app_yaml("app-of-apps", git, "aoa")},
    )
    _, text, stdout = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert "app-of-apps" in data["apps"]
    assert data["argocd"]["root_app"] == "app-of-apps-root"
    assert any(x["subject"] == "argocd.root_app" for x in report_lines(stdout))
    assert rendered_app(tmp_path, "app-of-apps")["spec"]["source"]["path"] == "deploy/all"  # type: ignore[index]


GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: traefik
spec:
  controllerName: traefik.io/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: edge
spec:
  gatewayClassName: traefik
  listeners:
    - name: web
      port: 8000
      protocol: HTTP
      allowedRoutes:
        namespaces:
          from: All
"""
ROUTE = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: grafana
  namespace: monitoring
spec:
  parentRefs:
    - name: gw
      namespace: edge
      sectionName: web
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /grafana
      backendRefs:
        - name: kube-prometheus-stack-grafana
          port: 80
"""
BROKEN_SELECTOR = """
apiVersion: v1
kind: Service
metadata:
  name: lonely
  namespace: monitoring
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 80}]
"""


def test_the_first_render_succeeds_whatever_the_imported_objects_break(tmp_path: Path) -> None:
    """A route to a Service a chart makes, and a Service selecting no pod: integrity errors of
    imported objects become visible exceptions, never a failed first render."""
    local = f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: "
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/gateway.yaml": app_yaml("gateway", local + "gateway", "edge"),
            "apps/monitoring.yaml": app_yaml("monitoring", local + "monitoring", "monitoring"),
            "gateway/gateway.yaml": GATEWAY,
            "monitoring/route.yaml": ROUTE,
            "monitoring/service.yaml": BROKEN_SELECTOR,
        },
    )
    _, text, stdout = import_and_render(tmp_path, tree)  # asserts import and render exit 0
    table = tomllib.loads(text)["apps"]["monitoring"]
    route = next(o for o in table["objects"] if o["kind"] == "HTTPRoute")
    assert route["metadata"]["annotations"]["homegen.dev/external-backends"] == "true"
    assert table["policy_exceptions"]["HG214"].startswith("imported: Service/monitoring/lonely")
    lines = report_lines(stdout)
    assert not [x for x in lines if x["kind"] == "warning" and "will fail" in str(x["message"])]
    assert any(x["subject"] == "HTTPRoute/monitoring/grafana" for x in lines)
    decide = json.loads(stdout)["decide"]
    assert decide["exceptions"]["HG214"] == ["monitoring"]
    assert decide["exceptions"]["HG210"] == ["HTTPRoute/monitoring/grafana"]
    assert "by a render of this services.toml (the objects" in decide["reproduced"]
    assert any("homegen render --config" in step for step in decide["next"])


def test_the_text_report_ends_with_what_to_decide(tmp_path: Path) -> None:
    app = app_yaml("wrapper", GIT_CHART, "w").replace(
        "server: https://kubernetes.default.svc", "server: https://10.0.0.9:6443"
    )
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/w.yaml": app})
    code, _, stderr = import_cli(tree, tmp_path / "services.toml")
    assert code == 0, stderr
    tail = stderr.strip().splitlines()
    decide = [x for x in tail if x.startswith(("decide:", "next:"))]
    assert decide[0].startswith("decide: ") and "source objects reproduced" in decide[0]
    assert any("not expressed" in x and "destination" in x for x in decide)
    assert decide[-1].startswith("next: homegen diff")
    # the decisions come last, just before the line naming the file written
    assert tail[-1].startswith("wrote ") and tail[-2] == decide[-1]


def test_a_kustomization_decides_which_app_files_are_live(tmp_path: Path) -> None:
    git = "source:\n  repoURL: " + OTHER + "\n  targetRevision: v1\n  path: deploy/{}\n"
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/kustomization.yaml": "resources:\n  - web.yaml\n  - media\n",
            "apps/web.yaml": app_yaml("web", git.format("web"), "web"),
            "apps/old.yaml": app_yaml("old", git.format("old"), "old"),
            "apps/media/kustomization.yaml": "resources: [jellyfin.yaml]\n",
            "apps/media/jellyfin.yaml": app_yaml("jellyfin", git.format("jf"), "media"),
            "apps/media/sonarr.yaml": app_yaml("sonarr", git.format("sonarr"), "media"),
            "loose/free.yaml": app_yaml("free", git.format("free"), "free"),
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    apps = set(tomllib.loads(text)["apps"])
    assert {"web", "jellyfin", "free"} <= apps
    assert not {"old", "sonarr"} & apps
    # ArgoCD never creates them: the share reproduced does not count them
    missing = {label for label, _ in comparison.missing}
    assert not {"Application/argocd/old", "Application/argocd/sonarr"} & missing
    skipped = {str(x["subject"]) for x in report_lines(stdout) if x["kind"] == "skipped"}
    assert {"Application/old", "Application/sonarr"} <= skipped


CASES = Path(__file__).parent.parent / "cases" / "golden"
TREES = sorted(p / "expected" for p in CASES.iterdir() if (p / "expected").is_dir())


@pytest.mark.parametrize("tree", TREES, ids=[t.parent.name for t in TREES])
def test_every_tree_we_have_imports_and_renders_at_first_try(tmp_path: Path, tree: Path) -> None:
    import_and_render(tmp_path, tree)  # asserts import exits 0 and the first render exits 0


def test_a_chart_kept_in_the_tree_stays_a_git_source_with_its_options(tmp_path: Path) -> None:
    """An ApplicationSet-less wrapper chart of the repository: the Application is reproduced,
    value files, skipCrds and release name included (the imported app deploys the same)."""
    chart = GIT_CHART.replace(OTHER, REPO).replace("targetRevision: v2", "targetRevision: main")
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/wrapper.yaml": app_yaml("wrapper", chart, "wrapper"),
            "charts/wrapper/Chart.yaml": "apiVersion: v2\nname: wrapper\nversion: 1.0.0\n",
            "charts/wrapper/values.yaml": "replicas: 1\n",
        },
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    git = tomllib.loads(text)["apps"]["wrapper"]["git"]
    assert git["path"] == "charts/wrapper" and git["helm"]["release_name"] == "wrap"
    assert git["helm"]["value_files"] == ["values.yaml", "values-lab.yaml"]
    assert "Application/argocd/wrapper" in comparison.reproduced


VALUES_REF_CHART = f"""
sources:
  - repoURL: {REPO}
    targetRevision: main
    path: charts/wrapper
    helm:
      releaseName: wrapper
      valueFiles: [$values/values/wrapper.yaml]
  - repoURL: {REPO}
    targetRevision: main
    ref: values
"""


def test_a_git_charts_ref_value_file_renders_with_its_ref_source(tmp_path: Path) -> None:
    """`$values/...` resolves only through a `ref: values` source (else ArgoCD fails the sync),
    and a release name equal to the app's name is kept as written (home.io's fizzy)."""
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/wrapper.yaml": app_yaml("wrapper", VALUES_REF_CHART, "wrapper"),
            "charts/wrapper/Chart.yaml": "apiVersion: v2\nname: wrapper\nversion: 1.0.0\n",
            "values/wrapper.yaml": "replicas: 2\n",
        },
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    helm = tomllib.loads(text)["apps"]["wrapper"]["git"]["helm"]
    assert helm == {"value_files": ["$values/values/wrapper.yaml"], "release_name": "wrapper"}
    spec = rendered_app(tmp_path, "wrapper")["spec"]
    assert spec["sources"] == yaml.safe_load(VALUES_REF_CHART)["sources"]  # type: ignore[index]
    assert "Application/argocd/wrapper" in comparison.reproduced


def test_a_ref_value_file_of_another_repository_is_reported(tmp_path: Path) -> None:
    chart = VALUES_REF_CHART.replace(
        f"{REPO}\n    targetRevision: main\n    ref", f"{OTHER}\n    targetRevision: main\n    ref"
    )
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/wrapper.yaml": app_yaml("wrapper", chart, "wrapper"),
            "charts/wrapper/Chart.yaml": "apiVersion: v2\nname: wrapper\nversion: 1.0.0\n",
        },
    )
    _, _, stdout = import_and_render(tmp_path, tree)
    lost = [x for x in report_lines(stdout) if x["kind"] == "not-expressed"]
    assert [x["message"] for x in lost if x["subject"] == "Application/wrapper"] == [
        f"source.helm.valueFiles: $values/values/wrapper.yaml: its ref source {OTHER} values@main "
        "is not the chart's repository and revision, which homegen's `$ref` reads"
    ]
