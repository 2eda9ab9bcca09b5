"""Trees the validate tests start from: a small clean app-of-apps, and helpers to write
and change them. Each test changes one thing and shows it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from homegen.validate.findings import Report

REPO = Path(__file__).resolve().parents[2]
# ../shared/schemas: a second schema catalog (other versions), tried before the built-in one by
# tests that pass it as --schema-location. Absent in a fresh clone: a location that does not
# exist finds nothing, and the built-in catalog answers, so such tests need no skip.
SHARED_SCHEMAS = REPO.parent / "shared" / "schemas"


def dedent(text: str) -> str:
    """Test YAML written indented in the test source."""
    return textwrap.dedent(text).lstrip("\n")


ROOT_APP = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata:
      name: app-of-apps
      namespace: argocd
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: default
      source:
        repoURL: https://github.com/TechDufus/home.io
        targetRevision: main
        path: kubernetes/argocd/apps
      destination:
        server: https://kubernetes.default.svc
        namespace: argocd
      syncPolicy:
        automated: {prune: true, selfHeal: true}
""")


def root_app(repo: str, path: str, *, revision: str = "HEAD") -> str:
    """A root Application named ``root`` syncing ``path`` of ``repo`` (a hand-written tree)."""
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: root, namespace: argocd}}
        spec:
          project: default
          source: {{repoURL: "{repo}", targetRevision: {revision}, path: {path}}}
          destination: {{server: "https://kubernetes.default.svc", namespace: argocd}}
    """)


def app(name: str, path: str, *, wave: int = 0, after: str = "", namespace: str = "") -> str:
    """An Application syncing ``kubernetes/argocd/<path>`` of the home.io repository."""
    annotations = f'\n    argocd.argoproj.io/sync-wave: "{wave}"'
    if after:
        annotations += f'\n    homegen.dev/after: "{after}"'
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n"
        f"  name: {name}\n  namespace: argocd\n  annotations:{annotations}\n"
        "spec:\n  project: default\n  source:\n"
        "    repoURL: https://github.com/TechDufus/home.io\n    targetRevision: main\n"
        f"    path: kubernetes/argocd/{path}\n"
        "  destination:\n    server: https://kubernetes.default.svc\n"
        f"    namespace: {namespace or name}\n"
        "  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n"
        "    syncOptions: [CreateNamespace=true]\n"
    )


NAMESPACE = dedent("""
    apiVersion: v1
    kind: Namespace
    metadata:
      name: whoami
      labels:
        pod-security.kubernetes.io/enforce: restricted
""")

DEPLOYMENT = dedent("""
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: whoami
      namespace: whoami
      labels:
        app: whoami
        version: "1.10"
        component: web
        app.kubernetes.io/name: whoami
        app.kubernetes.io/instance: whoami
        app.kubernetes.io/version: "1.10"
        app.kubernetes.io/component: web
        app.kubernetes.io/part-of: homelab
        app.kubernetes.io/managed-by: homegen
    spec:
      replicas: 1
      selector:
        matchLabels: {app: whoami}
      template:
        metadata:
          labels: {app: whoami, version: "1.10", component: web}
        spec:
          automountServiceAccountToken: false
          securityContext:
            runAsNonRoot: true
            runAsUser: 65532
            runAsGroup: 65532
            fsGroup: 65532
            seccompProfile: {type: RuntimeDefault}
          containers:
            - name: whoami
              image: traefik/whoami:v1.10
              ports:
                - {name: http, containerPort: 8080}
              env:
                - {name: WHOAMI_PORT_NUMBER, value: "8080"}
              securityContext:
                allowPrivilegeEscalation: false
                readOnlyRootFilesystem: true
                capabilities: {drop: [ALL]}
              resources:
                requests: {cpu: 100m, memory: 128Mi}
                limits: {cpu: 500m, memory: 512Mi}
              livenessProbe:
                httpGet: {path: /health, port: http}
              readinessProbe:
                httpGet: {path: /health, port: 8080}
""")

SERVICE = dedent("""
    apiVersion: v1
    kind: Service
    metadata:
      name: whoami
      namespace: whoami
    spec:
      selector: {app: whoami}
      ports:
        - {name: http, port: 80, targetPort: http}
""")

REFERENCE_GRANT = dedent("""
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata:
      name: traefik-to-whoami
      namespace: whoami
    spec:
      from:
        - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: traefik}
      to:
        - {group: "", kind: Service, name: whoami}
""")

GATEWAY = dedent("""
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
      name: lab-gateway
      namespace: traefik
    spec:
      gatewayClassName: traefik
      listeners:
        - name: web
          protocol: HTTP
          port: 8000
          allowedRoutes:
            namespaces: {from: Same}
""")

ROUTE = dedent("""
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata:
      name: whoami
      namespace: traefik
    spec:
      parentRefs:
        - {group: gateway.networking.k8s.io, kind: Gateway, name: lab-gateway, sectionName: web}
      hostnames: [lab.techdufus.com]
      rules:
        - matches:
            - path: {type: PathPrefix, value: /whoami}
          backendRefs:
            - {group: "", kind: Service, name: whoami, namespace: whoami, port: 80, weight: 1}
""")


NETWORK_POLICY = dedent("""
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny-ingress
      namespace: whoami
    spec:
      podSelector: {}
      policyTypes: [Ingress]
""")


def clean_files() -> dict[str, str]:
    """A small tree that passes every check: root app, two apps, a routed hardened service."""
    return {
        "app-of-apps.yaml": ROOT_APP,
        "apps/gateway-config.yaml": app("gateway-config", "manifests/gateway", namespace="traefik"),
        "apps/whoami.yaml": app("whoami", "manifests/whoami", wave=1, after="gateway-config"),
        "manifests/gateway/gateway.yaml": GATEWAY,
        "manifests/gateway/httproute-whoami.yaml": ROUTE,
        "manifests/whoami/namespace.yaml": NAMESPACE,
        "manifests/whoami/deployment.yaml": DEPLOYMENT,
        "manifests/whoami/service.yaml": SERVICE,
        "manifests/whoami/referencegrant.yaml": REFERENCE_GRANT,
        "manifests/whoami/networkpolicy.yaml": NETWORK_POLICY,
        "values/traefik.yaml": "ports:\n  web: {port: 8000}\n",
    }


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path → text) below ``root``; return ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def rule_ids(report: Report, *, failing_only: bool = False) -> set[str]:
    """The ids of a report's findings (only failing ones when asked)."""
    return {f.rule for f in report.findings if f.failing or not failing_only}


def edit(files: dict[str, str], path: str, old: str, new: str) -> dict[str, str]:
    """``files`` with ``old`` replaced by ``new`` in one file (``old`` must be there)."""
    assert old in files[path], f"{old!r} not in {path}"
    return {**files, path: files[path].replace(old, new)}


Edit = tuple[str, str, str]  # (file, old, new), as ``edit`` takes them


def changed(*edits: Edit, added: dict[str, str] | None = None) -> dict[str, str]:
    """The clean tree with ``added`` files, then each edit applied in turn."""
    files = {**clean_files(), **(added or {})}
    for path, old, new in edits:
        files = edit(files, path, old, new)
    return files
