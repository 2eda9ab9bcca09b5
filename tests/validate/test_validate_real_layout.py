"""A repository laid out as public homelabs are, validated from its root: ApplicationSets with
git directory and file generators, Kustomize folders with patches, a Helm chart, docs and
tool configs. Never exit 3, no Kustomize file read as a resource, no orphan in a folder a
generator selects."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import SHARED_SCHEMAS, dedent, root_app, write_tree

from homegen.cli import app

# these tests are about reading trees, not CRD schemas: a fresh clone without ../shared
# (no ArgoCD schemas) must give the same findings
SCHEMAS = ["--schema-location", str(SHARED_SCHEMAS), "--ignore-missing-schemas"]
runner = CliRunner()
REPO = "https://github.com/someone/homelab"

ROOT = root_app(REPO, "kubernetes/apps", revision="main")

APPSETS = dedent(f"""
    apiVersion: argoproj.io/v1alpha1
    kind: ApplicationSet
    metadata: {{name: infra, namespace: argocd}}
    spec:
      goTemplate: true
      goTemplateOptions: ["missingkey=error"]
      generators:
        - git:
            repoURL: "{REPO}.git"
            revision: main
            directories:
              - path: kubernetes/infra/*
              - path: kubernetes/infra/old
                exclude: true
      template:
        metadata:
          name: "infra-{{{{ .path.basename }}}}"
          annotations: {{argocd.argoproj.io/sync-wave: "1"}}
        spec:
          project: default
          source: {{repoURL: "{REPO}", targetRevision: main, path: "{{{{ .path.path }}}}"}}
          destination: {{server: "https://kubernetes.default.svc", namespace: "{{{{ .path.basename }}}}"}}
      templatePatch: |
        spec:
          syncPolicy:
            syncOptions:
              - CreateNamespace=true
        {{{{- if eq .path.basename "metallb" }}}}
              - ServerSideApply=true
        {{{{- end }}}}
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: ApplicationSet
    metadata: {{name: apps, namespace: argocd}}
    spec:
      generators:
        - git:
            repoURL: "{REPO}"
            revision: main
            files: [{{path: "kubernetes/config/*/config.yml"}}]
      template:
        metadata: {{name: "{{{{app.name}}}}"}}
        spec:
          project: default
          source: {{repoURL: "{REPO}", targetRevision: main, path: "{{{{app.path}}}}"}}
          destination: {{server: "https://kubernetes.default.svc", namespace: "{{{{app.namespace}}}}"}}
""")  # noqa: E501


def _cm(name: str, namespace: str = "") -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}{ns}}}\ndata: {{k: v}}\n"


FILES = {
    ".github/workflows/ci.yaml": "on: push\njobs: {}\n",
    "mkdocs.yml": "site_name: lab\nhooks: !!python/name:material.hooks\n",
    "bootstrap/root.yaml": ROOT,
    "kubernetes/apps/appsets.yaml": APPSETS,
    "kubernetes/infra/metallb/kustomization.yaml": dedent("""
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [config.yaml, ../../base/shared]
        patches: [{path: patch.yaml}]
        configMapGenerator: [{name: extra, files: [settings.yaml]}]
    """),
    "kubernetes/infra/metallb/config.yaml": _cm("metallb-config"),
    # a patch of a resource the build has (kustomize refuses one that matches nothing)
    "kubernetes/infra/metallb/patch.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: metallb-config}\ndata: {k: w}\n"
    ),
    "kubernetes/infra/metallb/settings.yaml": "log: debug\n",
    "kubernetes/base/shared/cm.yaml": _cm("shared", "metallb"),
    # a base folder is a kustomization of its own (kustomize refuses a bare folder)
    "kubernetes/base/shared/kustomization.yaml": "resources: [cm.yaml]\n",
    "kubernetes/infra/cert-manager/list.yaml": (
        "apiVersion: v1\nkind: List\nitems:\n  - " + _cm("a").replace("\n", "\n    ")
    ),
    "kubernetes/infra/old/stale.yaml": _cm("stale", "old"),
    "kubernetes/config/web/config.yml": (
        "app: {name: web, namespace: web, path: kubernetes/workloads/web}\n"
    ),
    "kubernetes/workloads/web/cm.yaml": _cm("web"),
    "kubernetes/workloads/web/values.yaml": "replicaCount: 1\n",
    "charts/lab/Chart.yaml": "apiVersion: v2\nname: lab\nversion: 0.1.0\n",
    "charts/lab/values.yaml": "image: x\n",
    "charts/lab/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "{{- with .Values.x }}\ndata: {{ toYaml . | nindent 2 }}\n{{- end }}\n"
    ),
    "talos/talconfig.yaml": "clusterName: lab\nnodes: [{hostname: n1}]\n",
    "ansible/group_vars/all.yml": "ntp: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n",
}


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _validate(root: Path, *args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["validate", str(root), *SCHEMAS, *args])
    return result.exit_code, result.stdout.splitlines()


def test_a_homelab_repository_validates_from_its_root(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "homelab", FILES)
    code, lines = _validate(root)
    findings = [line.split(str(root) + "/")[-1] for line in lines[:-1]]
    # the only finding: a folder the generator excludes, which nothing else syncs
    assert findings == [
        "kubernetes/infra/old/stale.yaml:1: warning HG222 ConfigMap/old/stale: no Application "
        "syncs kubernetes/infra/old/stale.yaml (fix: add an Application whose source path is "
        "this folder, or delete the file)"
    ]
    assert code == 0
    # files that are no manifests, and those a kustomize build reads; what the build makes is
    # checked as objects, never counted as a skipped Kustomize file
    assert "14 files skipped (not Kubernetes objects); " in lines[-1], lines[-1]


def test_the_generated_apps_are_what_the_controller_creates(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "homelab", FILES)
    code, lines = _validate(root, "--list-apps")
    assert code == 0
    rows = [line.split()[:4] for line in lines[1:]]
    assert rows == [
        ["infra-cert-manager", REPO, "kubernetes/infra/cert-manager", "cert-manager"],
        ["infra-metallb", REPO, "kubernetes/infra/metallb", "metallb"],
        ["root", REPO, "kubernetes/apps", "argocd"],
        ["web", REPO, "kubernetes/workloads/web", "web"],
    ]


def test_the_root_app_may_name_the_repository_over_ssh(tmp_path: Path) -> None:
    files = {
        **FILES,
        "bootstrap/root.yaml": ROOT.replace(REPO, "git@github.com:someone/homelab.git"),
    }
    code, lines = _validate(write_tree(tmp_path / "homelab", files))
    assert code == 0 and sum("HG222" in line for line in lines) == 1, lines
