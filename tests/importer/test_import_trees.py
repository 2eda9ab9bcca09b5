"""Import hand-written trees, render the result, compare object by object (issue 13)."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

from importer_trees import (
    REPO,
    app_yaml,
    import_and_render,
    import_cli,
    report_lines,
    root_app,
    write_tree,
)

from robustness import render_cli

HELM = f"""
sources:
  - repoURL: https://charts.example.com
    chart: podinfo
    targetRevision: 6.5.0
    helm:
      releaseName: podinfo
      valueFiles:
        - $values/values/podinfo.yaml
  - repoURL: {REPO}
    targetRevision: main
    ref: values
"""
PODINFO_VALUES = """
# How many pods serve the UI.
replicaCount: 2
ui:
  # The colour of the page.
  color: "#34577c"
  message: "on"
ports:
  8080: http
"""
CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: tools
data:
  # a version, not a number
  mode: "1.10"
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: tools
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: tools
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
"""


def flat_tree(root: Path) -> Path:
    """A flat apps/ folder: a chart with a values file, an external Git path, a local folder."""
    return write_tree(
        root,
        {
            "root.yaml": root_app("apps"),
            "apps/podinfo.yaml": app_yaml("podinfo", HELM, "podinfo", wave=5),
            "apps/crds.yaml": app_yaml(
                "crds",
                "source:\n  repoURL: https://github.com/kubernetes-sigs/gateway-api\n"
                "  targetRevision: v1.2.1\n  path: config/crd/standard",
                "default",
                wave=-1,
            ),
            "apps/tools.yaml": app_yaml(
                "tools",
                f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/tools",
                "tools",
            ),
            "values/podinfo.yaml": PODINFO_VALUES,
            "manifests/tools/configmap.yaml": CONFIGMAP,
            "manifests/tools/web.yaml": DEPLOYMENT,
        },
    )


def test_flat_tree_is_reproduced_and_renders(tmp_path: Path) -> None:
    tree = flat_tree(tmp_path / "tree")
    comparison, text, stdout = import_and_render(tmp_path, tree)
    assert comparison.missing == []
    assert len(comparison.reproduced) == 6  # 3 apps, ConfigMap, Deployment, Service
    # the root is applied at bootstrap: compared apart, and the same as homegen's
    assert comparison.bootstrap == [("Application/argocd/root", "")]
    data = tomllib.loads(text)
    assert data["cluster"]["repo_url"] == REPO
    assert data["cluster"]["tree_path"] == "rendered"  # a folder of its own (treefolder.py)
    podinfo = data["apps"]["podinfo"]
    assert podinfo["helm"] == {
        "repo_url": "https://charts.example.com",
        "chart": "podinfo",
        "version": "6.5.0",
    }
    assert podinfo["values"] == {
        "replicaCount": 2, "ui": {"color": "#34577c", "message": "on"}, "ports": {"8080": "http"},
    }  # fmt: skip
    assert "# How many pods serve the UI.\nreplicaCount = 2" in text
    assert "# The colour of the page.\nui.color" in text
    assert "# a version, not a number\ndata.mode = " in text  # a manifest's comment
    assert data["apps"]["crds"]["git"]["path"] == "config/crd/standard"
    # waves -1 < 0 < 5 → crds, then tools, then podinfo
    assert data["apps"]["tools"]["after"] == ["crds"]
    assert data["apps"]["podinfo"]["after"] == ["tools"]
    # the unhardened Deployment is not hardened: its findings become imported exceptions
    exceptions = data["apps"]["tools"]["policy_exceptions"]
    assert exceptions and all(r.startswith("imported: ") for r in exceptions.values())
    assert "HG312" in exceptions  # no probes
    lines = report_lines(stdout)
    assert any(x["kind"] == "inferred" and "sync-wave 5" in str(x["message"]) for x in lines)
    summary = json.loads(stdout)["reproduced"]
    assert summary == {
        "objects": 6,
        "reproduced": 6,
        "share": 1.0,
        "not_reproduced": [],
        "unsynced": 0,
        "not_applied": [],
        "bootstrap_roots": [{"object": "Application/argocd/root", "why": ""}],
    }
    assert data["argocd"]["root_app"] == "root"


def test_split_tree_with_two_roots(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "bootstrap/root.yaml": root_app("k8s/apps", recurse=True),
            "apps/platform/crds.yaml": app_yaml(
                "crds",
                "source:\n  repoURL: https://github.com/kubernetes-sigs/gateway-api\n"
                "  targetRevision: v1.2.1\n  path: config/crd/standard",
                "default",
                wave=0,
            ),
            "apps/applications/tools.yaml": app_yaml(
                "tools",
                f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: k8s/manifests/tools",
                "tools",
                wave=1,
            ),
            "manifests/tools/configmap.yaml": CONFIGMAP,
        },
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert data["cluster"]["tree_path"] == "k8s"
    assert data["apps"]["tools"]["after"] == ["crds"]
    assert comparison.missing == [] and comparison.share == 1.0


def test_multi_source_chart_values_and_local_folder(tmp_path: Path) -> None:
    sources = HELM + f"  - repoURL: {REPO}\n    targetRevision: main\n    path: manifests/podinfo\n"
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/podinfo.yaml": app_yaml("podinfo", sources, "podinfo"),
            "values/podinfo.yaml": PODINFO_VALUES,
            "manifests/podinfo/configmap.yaml": CONFIGMAP.replace("tools", "podinfo"),
        },
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert data["apps"]["podinfo"]["objects"][0]["kind"] == "ConfigMap"
    assert comparison.missing == []


APPSET = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: runners
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - name: home
            repo: home.io
          - name: dots
            repo: dotfiles
  template:
    metadata:
      name: "runners-{{ .name }}"
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: default
      sources:
        - repoURL: ghcr.io/actions/actions-runner-controller-charts
          chart: gha-runner-scale-set
          targetRevision: 0.13.0
          helm:
            releaseName: "{{ .name }}"
            parameters:
              - name: githubConfigUrl
                value: "https://github.com/me/{{.repo}}"
      destination:
        server: https://kubernetes.default.svc
        namespace: runners
      syncPolicy:
        automated: {prune: true, selfHeal: true}
        syncOptions: [CreateNamespace=true]
        retry: {limit: 5, backoff: {duration: 5s, factor: 2, maxDuration: 3m}}
"""


def test_applicationset_list_generator(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/runners.yaml": APPSET}
    )
    comparison, text, _ = import_and_render(tmp_path, tree)
    generator = tomllib.loads(text)["apps"]["runners"]["generator"]
    assert generator["elements"] == [
        {"name": "home", "repo": "home.io"},
        {"name": "dots", "repo": "dotfiles"},
    ]
    assert generator["parameters"] == {"githubConfigUrl": "https://github.com/me/{{.repo}}"}
    assert "ApplicationSet/argocd/runners" in comparison.reproduced


def test_applicationset_other_generator_is_reported(tmp_path: Path) -> None:
    git_set = APPSET.replace("    - list:\n", "    - git:\n        repoURL: x\n      list:\n")
    tree = write_tree(
        tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/runners.yaml": git_set}
    )
    code, _, stderr = import_cli(tree, tmp_path / "services.toml")
    assert code == 0
    assert "ApplicationSet/runners: not imported: generators git, list" in stderr


def kustomize_tree(root: Path, kustomization: str) -> Path:
    return write_tree(
        root,
        {
            "root.yaml": root_app("apps"),
            "apps/tools.yaml": app_yaml(
                "tools",
                f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/tools",
                "tools",
            ),
            "manifests/tools/kustomization.yaml": kustomization,
            "manifests/tools/configmap.yaml": CONFIGMAP.replace("  namespace: tools\n", ""),
        },
    )


def test_plain_kustomization_is_flattened(tmp_path: Path) -> None:
    tree = kustomize_tree(tmp_path / "tree", "resources: [configmap.yaml]\nnamespace: tools\n")
    comparison, text, _ = import_and_render(tmp_path, tree)
    obj = tomllib.loads(text)["apps"]["tools"]["objects"][0]
    assert obj["metadata"] == {"name": "settings", "namespace": "tools"}
    assert "ConfigMap/tools/settings" in comparison.reproduced


def test_kustomization_with_patches_is_reported_not_imported(tmp_path: Path) -> None:
    tree = kustomize_tree(
        tmp_path / "tree", "resources: [configmap.yaml]\npatches: [{path: p.yaml}]\n"
    )
    code, stdout, _ = import_cli(tree, tmp_path / "services.toml", "--output", "json")
    assert code == 0
    messages = [str(x["message"]) for x in report_lines(stdout)]
    assert any("uses patches" in m for m in messages)
    assert any("resource of kustomization" in m for m in messages)


def test_secret_with_literal_data_becomes_a_reference(tmp_path: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: tools\n"
        "stringData:\n  password: hunter2\n"
    )
    tree = flat_tree(tmp_path / "tree")
    write_tree(tree, {"manifests/tools/secret.yaml": secret})
    comparison, text, stdout = import_and_render(tmp_path, tree)
    assert "hunter2" not in text and "hunter2" not in stdout
    assert tomllib.loads(text)["apps"]["tools"]["secrets"] == ["op://Imported/db/password"]
    assert "Secret/tools/db" in comparison.reproduced
    assert any(
        x["kind"] == "secret" and "op://Imported/db/password" in str(x["message"])
        for x in report_lines(stdout)
    )


def test_homegens_own_tree_is_reproduced(tmp_path: Path, repo_root: Path) -> None:
    comparison, _, _ = import_and_render(tmp_path, repo_root / "rendered")
    assert comparison.missing == []
    assert comparison.total >= 30


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    tree = flat_tree(tmp_path / "tree")
    out = tmp_path / "services.toml"
    out.write_text("keep")
    code, _, stderr = import_cli(tree, out)
    assert code == 2 and "--force" in stderr and out.read_text() == "keep"
    code, _, _ = import_cli(tree, out, "--force")
    assert code == 0 and out.read_text() != "keep"


def test_unreadable_tree_exits_2_with_file_and_line(tmp_path: Path) -> None:
    tree = flat_tree(tmp_path / "tree")
    write_tree(tree, {"manifests/tools/broken.yaml": "a: [1\nb: 2\n"})
    out = tmp_path / "services.toml"
    code, _, stderr = import_cli(tree, out)
    assert code == 2
    assert "manifests/tools/broken.yaml:" in stderr and "Traceback" not in stderr
    assert not out.exists()


def _rendered_web(tmp_path: Path) -> dict[str, str]:
    """A Deployment and Service written exactly as homegen renders [services.web]."""
    config = tmp_path / "web.toml"
    config.write_text(
        (Path(__file__).parents[1] / "cases/accept/minimal/services.toml").read_text()
        + 'replicas = 2\nenv = { TZ = "UTC" }\n'
    )
    code, text = render_cli(config, tmp_path / "web-out")
    assert code == 0, text
    folder = tmp_path / "web-out/manifests/web"
    return {
        f"manifests/web/{f}": (folder / f).read_text() for f in ("deployment.yaml", "service.yaml")
    }


def test_deployment_and_service_equal_to_homegens_become_a_service(tmp_path: Path) -> None:
    files = {
        "root.yaml": root_app("apps"),
        "apps/web.yaml": app_yaml(
            "web",
            f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/web",
            "web",
        ),
        **_rendered_web(tmp_path),
    }
    tree = write_tree(tmp_path / "tree", files)
    comparison, text, stdout = import_and_render(tmp_path, tree)
    web = tomllib.loads(text)["services"]["web"]
    assert web["image"] == "nginx:1.27.0" and web["port"] == 8080 and web["replicas"] == 2
    assert web["env"] == {"TZ": "UTC"}
    assert "Deployment/web/web" in comparison.reproduced
    assert "Service/web/web" in comparison.reproduced
    assert any("→ [services.web]" in str(x["message"]) for x in report_lines(stdout))


def test_deployment_and_service_not_equal_stay_objects(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/web.yaml": app_yaml(
                "web",
                f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/web",
                "tools",
            ),
            "manifests/web/web.yaml": DEPLOYMENT,
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert "services" not in data
    assert [o["kind"] for o in data["apps"]["web"]["objects"]] == ["Deployment", "Service"]
    assert any("kept as objects of app web" in str(x["message"]) for x in report_lines(stdout))
    assert {"Deployment/tools/web", "Service/tools/web"} <= set(comparison.reproduced)


def test_application_fields_other_than_homegens_are_kept(tmp_path: Path) -> None:
    manual = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: crds\n"
        "  namespace: argocd\nspec:\n  project: default\n  source:\n"
        "    repoURL: https://github.com/kubernetes-sigs/gateway-api\n"
        "    targetRevision: v1.2.1\n    path: config/crd/standard\n"
        "  destination:\n    server: https://kubernetes.default.svc\n    namespace: default\n"
        "  revisionHistoryLimit: 2\n"
        "  syncPolicy:\n    syncOptions: [ServerSideApply=true]\n"
    )
    tree = write_tree(tmp_path / "tree", {"root.yaml": root_app("apps"), "apps/crds.yaml": manual})
    comparison, text, _ = import_and_render(tmp_path, tree)
    fields = tomllib.loads(text)["apps"]["crds"]["application"]
    assert fields == {
        "create_namespace": False, "automated": False, "retry": False, "finalizers": [],
        "history": 2,
    }  # fmt: skip
    assert "Application/argocd/crds" in comparison.reproduced
    rendered = (tmp_path / "OUT/apps/crds.yaml").read_text()
    assert "automated" not in rendered and "retry" not in rendered
    assert "finalizers" not in rendered and "CreateNamespace" not in rendered


GIT_SET = f"""
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: teams
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: {REPO}
        revision: main
        directories:
          - path: "teams/*"
  template:
    metadata:
      name: "{{{{.path.basename}}}}"
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: default
      source:
        repoURL: {REPO}
        targetRevision: main
        path: "{{{{.path.path}}}}"
      destination:
        server: https://kubernetes.default.svc
        namespace: "{{{{.path.basename}}}}"
      syncPolicy:
        automated: {{prune: true, selfHeal: true}}
        syncOptions: [CreateNamespace=true]
        retry: {{limit: 5, backoff: {{duration: 5s, factor: 2, maxDuration: 3m}}}}
"""


def test_applicationset_git_generator_is_expanded_into_apps(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root_app("apps"),
            "apps/teams.yaml": GIT_SET,
            "teams/red/configmap.yaml": CONFIGMAP.replace("tools", "red"),
            "teams/blue/configmap.yaml": CONFIGMAP.replace("tools", "blue"),
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    apps = tomllib.loads(text)["apps"]
    assert apps["red"]["objects"][0]["metadata"] == {"name": "settings", "namespace": "red"}
    assert apps["blue"]["namespace"] == "blue"
    assert {"ConfigMap/red/settings", "ConfigMap/blue/settings"} <= set(comparison.reproduced)
    # homegen renders the Applications the set creates: the set is reproduced through them
    assert "ApplicationSet/argocd/teams" in comparison.reproduced, comparison.missing
    assert any("expanded into 2 Application(s)" in str(x["message"]) for x in report_lines(stdout))


def test_local_chart_and_templates_are_reported_not_fatal(tmp_path: Path) -> None:
    tree = flat_tree(tmp_path / "tree")
    write_tree(
        tree,
        {
            "apps/mine.yaml": app_yaml(
                "mine",
                f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: charts/mine",
                "mine",
            ),
            "charts/mine/Chart.yaml": "apiVersion: v2\nname: mine\nversion: 1.0.0\n",
            "charts/mine/templates/cm.yaml": "kind: ConfigMap\nname: {{ .Release.Name }}\n",
            "notes/snippet.yaml": "a: {{ .Values.x }\n",
        },
    )
    code, stdout, _ = import_cli(tree, tmp_path / "services.toml", "--output", "json")
    assert code == 0
    lines = report_lines(stdout)
    assert any("a Helm chart in this tree (charts/mine)" in str(x["message"]) for x in lines)
    mine = tomllib.loads((tmp_path / "services.toml").read_text())["apps"]["mine"]
    assert mine["git"] == {"repo_url": REPO, "revision": "main", "path": "charts/mine"}
    assert any(x["file"] == "notes/snippet.yaml" and "template" in str(x["message"]) for x in lines)
    assert any(x["subject"] == "charts/mine/templates/cm.yaml" for x in lines)


def test_mixed_real_world_tree(tmp_path: Path) -> None:
    """ssh and https spellings of one repo, in-cluster by name, a chart's values from a file,
    an inline block, valuesObject and parameters, a privileged Deployment with a literal token,
    a Secret, a kustomization with images, an app name that is no DNS label."""
    tree = Path(__file__).parent / "trees" / "mixed"
    comparison, text, stdout = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert data["cluster"]["repo_url"] == "git@github.com:someone/homelab.git"
    assert data["cluster"]["storage_classes"] == ["local-path"]
    assert "hunter2" not in text and "aHVudGVyMg==" not in text and "hunter2" not in stdout
    ha = data["apps"]["home-assistant"]
    assert sorted(ha["secrets"]) == [
        "op://Imported/ha-secrets/api-key", "op://Imported/home-assistant-env/API_TOKEN",
    ]  # fmt: skip
    assert all(r.startswith("imported: ") for r in ha["policy_exceptions"].values())
    assert {"HG306", "HG308", "HG313", "HG319"} <= set(ha["policy_exceptions"])
    assert data["apps"]["ingress-nginx"]["helm"]["skip_crds"] is True
    nginx = data["apps"]["ingress-nginx"]["values"]["controller"]
    assert nginx["replicaCount"] == 2 and nginx["service"] == {"type": "LoadBalancer"}
    assert data["apps"]["cert-manager"]["values"]["installCRDs"] is True
    missing = dict(comparison.missing)
    assert set(missing) == {
        "Application/argocd/My.Web",
        "Deployment/home/home-assistant", "Application/argocd/cert-manager",
    }  # fmt: skip
    assert [o for o, _ in comparison.bootstrap] == ["Application/argocd/root"]
    assert (
        "env" in missing["Deployment/home/home-assistant"]
        or "spec" in missing["Deployment/home/home-assistant"]
    )
    assert "syncOptions" in missing["Application/argocd/cert-manager"]  # RespectIgnoreDifferences
    assert comparison.total == 11 and len(comparison.reproduced) == 8  # web's kustomization built
    lines = report_lines(stdout)
    named = {str(x["subject"]) for x in lines if x["kind"] == "not-reproduced"}
    assert named == {*missing, "Application/argocd/root"}  # the root, listed, not counted
    assert data["apps"]["cert-manager"]["ignore_differences"] == [
        {"group": "admissionregistration.k8s.io", "kind": "ValidatingWebhookConfiguration",
         "json_pointers": ["/webhooks/0/clientConfig/caBundle"]},
    ]  # fmt: skip
    for what in ("RespectIgnoreDifferences", "built as ArgoCD builds it"):
        assert any(what in str(x["message"]) for x in lines), what
    # what services.toml now holds is kept, not reported lost
    assert data["apps"]["cert-manager"]["application"]["project"] == "infra"
    assert data["apps"]["ingress-nginx"]["helm"]["release_name"] == "ingress"
    for what in ("spec.project", "helm.releaseName"):
        assert not any(what in str(x["message"]) for x in lines), what


def test_root_with_several_sources_and_objects_beside_the_apps(tmp_path: Path) -> None:
    root = app_yaml(
        "root",
        f"sources:\n  - repoURL: {REPO}\n    targetRevision: main\n    path: apps/platform\n"
        f"  - repoURL: {REPO}\n    targetRevision: main\n    path: apps/applications",
        "argocd",
    )
    crds = app_yaml(
        "crds",
        "source:\n  repoURL: https://github.com/kubernetes-sigs/gateway-api\n"
        "  targetRevision: v1.2.1\n  path: config/crd/standard",
        "default",
    )
    tools = app_yaml(
        "tools",
        f"source:\n  repoURL: {REPO}\n  targetRevision: main\n  path: manifests/tools",
        "tools",
    )
    twin = CONFIGMAP.replace("namespace: tools", "namespace: other")
    tree = write_tree(
        tmp_path / "tree",
        {
            "root.yaml": root,
            "apps/platform/crds.yaml": crds,
            "apps/platform/stray.yaml": CONFIGMAP.replace("settings", "stray"),
            "apps/applications/tools.yaml": tools,
            "manifests/tools/a.yaml": CONFIGMAP,
            "manifests/tools/b.yaml": twin,
        },
    )
    comparison, text, stdout = import_and_render(tmp_path, tree)
    data = tomllib.loads(text)
    assert set(data["apps"]) >= {"crds", "tools", "root-objects"}
    # the root applies the stray ConfigMap into its own destination namespace
    assert data["apps"]["root-objects"]["namespace"] == "argocd"
    assert [o["metadata"]["name"] for o in data["apps"]["root-objects"]["objects"]] == ["stray"]
    lines = report_lines(stdout)
    assert any(
        x["subject"] == "ConfigMap/stray"
        and x["kind"] == "imported"
        and "[apps.root-objects]: applied by root app root" in str(x["message"])
        for x in lines
    )
    assert any("a second ConfigMap named settings" in str(x["message"]) for x in lines)
    assert dict(comparison.missing).keys() == {"ConfigMap/other/settings"}
    root = dict(comparison.bootstrap)["Application/argocd/root"]
    assert root.startswith("differs in sources (2; homegen's root syncs one apps/ folder)")


def test_malformed_fields_are_reported_never_an_internal_error(tmp_path: Path) -> None:
    odd = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
        "metadata: {name: a, annotations: {argocd.argoproj.io/sync-wave: x}}\n"
        "spec:\n  source: {repoURL: https://x/y, chart: c, targetRevision: '1.*',\n"
        "    helm: {valueFiles: [1], values: [1], parameters: [1, {name: 'a[0]', value: 1}]}}\n"
        "  destination: {namespace: a}\n  revisionHistoryLimit: x\n"
        "  syncPolicy: {automated: {prune: 'yes'}, retry: {limit: x, backoff: 5}}\n"
        "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: b}\n"
        "spec: {sources: x, destination: [1], syncPolicy: {syncOptions: x, retry: 3}}\n"
        "---\napiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\n"
        "spec: {generators: x, template: 3}\n---\n- a list\n"
    )
    tree = write_tree(tmp_path / "tree", {"apps/a.yaml": odd})
    code, _, stderr = import_cli(tree, tmp_path / "services.toml")
    assert code in (0, 1), stderr
    assert "internal error" not in stderr
    assert "c version `1.*` kept as a range, excepted from HG332; no version is available" in stderr


def test_homegens_own_tree_keeps_its_1password_references(tmp_path: Path, repo_root: Path) -> None:
    shipped = tomllib.loads((repo_root / "services.toml").read_text())
    code, _, _ = import_cli(repo_root / "rendered", tmp_path / "services.toml")
    assert code == 0
    imported = tomllib.loads((tmp_path / "services.toml").read_text())
    for name, app in shipped["apps"].items():
        assert imported["apps"].get(name, {}).get("secrets", []) == app.get("secrets", []), name
    assert (
        imported["services"]["cloudflared"]["secret_env"]
        == (shipped["services"]["cloudflared"]["secret_env"])
    )


def test_a_service_whose_network_policy_was_edited_stays_objects(
    tmp_path: Path, repo_root: Path
) -> None:
    """homegen's own NetworkPolicy is what it would render: the service is imported; an edited
    one would be lost by [services.NAME], so the objects stay, and the report says why."""
    tree = tmp_path / "tree"
    shutil.copytree(repo_root / "rendered", tree)
    policy = tree / "manifests" / "cloudflared" / "networkpolicy-default-deny-ingress.yaml"
    policy.write_text(
        policy.read_text().replace("podSelector: {}", "podSelector: {matchLabels: {a: b}}")
    )
    code, stdout, stderr = import_cli(tree, tmp_path / "services.toml")
    assert code == 0, stderr
    imported = tomllib.loads((tmp_path / "services.toml").read_text())
    assert "cloudflared" not in imported.get("services", {})
    assert "NetworkPolicy default-deny-ingress" in stdout + stderr
