"""What the plan holds: plain frozen records the templates lay out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """One ArgoCD Application source."""

    repo_url: str
    revision: str
    path: str | None = None
    chart: str | None = None
    release_name: str | None = None
    value_files: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    ref: str | None = None
    recurse: bool = False
    skip_crds: bool = False
    ignore_missing_value_files: bool = False


@dataclass(frozen=True)
class NamespacePlan:
    """A Namespace homegen renders, with its Pod Security level."""

    name: str
    level: str = "restricted"
    reason: str | None = None


@dataclass(frozen=True)
class GrantPlan:
    """A ReferenceGrant letting routes in from_namespace reach exactly one Service."""

    name: str
    namespace: str
    from_namespace: str
    service: str


@dataclass(frozen=True)
class NetworkPolicyPlan:
    """One NetworkPolicy: where it lives, what it says and why."""

    name: str
    namespace: str
    labels: dict[str, str]
    description: str
    spec: dict[str, Any]
    # what `homegen graph` draws: (from unit, to unit, label) for each app or service it admits
    edges: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class RoutePlan:
    """An HTTPRoute in the Gateway's namespace to one backend Service."""

    name: str
    namespace: str
    hostnames: tuple[str, ...]
    path: str
    rewrite: str | None
    service: str
    service_namespace: str
    port: int
    external: bool  # the Service comes from a chart or install manifest, not this tree


@dataclass(frozen=True)
class SecretPlan:
    """A Kubernetes Secret made from one 1Password item: name, namespace and keys."""

    name: str
    namespace: str
    vault: str
    item: str
    keys: tuple[tuple[str, str], ...]  # (secret key, op:// reference)


@dataclass(frozen=True)
class BootstrapKey:
    """One key of a Secret that bootstrap/setup-secrets.sh creates from 1Password."""

    namespace: str
    secret: str
    key: str
    reference: str  # op:// reference
    encoding: str = "raw"  # "raw", or "base64" where the consumer wants the value encoded


@dataclass(frozen=True)
class Container:
    """The one container of a generated workload, ready for the template."""

    image: str
    port: int
    port_name: str
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    secret_env: tuple[tuple[str, str, str], ...]  # (var, secret name, key)
    liveness: dict[str, Any]
    readiness: dict[str, Any]
    resources: dict[str, dict[str, str]]
    mounts: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class WorkloadPlan:
    """A hardened Deployment, its Service, ConfigMap and claims."""

    name: str
    namespace: str
    replicas: int
    labels: dict[str, str]
    selector: dict[str, str]
    pod_annotations: dict[str, str]
    annotations: dict[str, str]
    run_as: int
    anti_affinity: bool
    service_account_token: bool
    container: Container
    volumes: tuple[dict[str, Any], ...]
    service_port: int
    config_data: dict[str, str]
    claims: tuple[tuple[str, str, str | None], ...]  # (name, size, storage class)


@dataclass(frozen=True)
class GeneratorPlan:
    """An ApplicationSet list generator and the template's Helm parameters."""

    elements: tuple[dict[str, Any], ...]
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AppPlan:
    """One Application (or ApplicationSet) and everything its manifests folder holds."""

    name: str
    tier: str
    wave: int
    namespace: str
    folder: str
    history: int
    sources: tuple[Source, ...]
    sync_options: tuple[str, ...]
    after: tuple[str, ...]
    description: str
    # after edges homegen derived from CRDs: (installer app, kinds this app uses from it)
    derived_after: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ignore_differences: tuple[dict[str, Any], ...] = ()
    generator: GeneratorPlan | None = None
    namespace_plan: NamespacePlan | None = None
    workload: WorkloadPlan | None = None
    grants: tuple[GrantPlan, ...] = ()
    network_policies: tuple[NetworkPolicyPlan, ...] = ()
    secrets: tuple[SecretPlan, ...] = ()
    objects: tuple[dict[str, Any], ...] = ()
    values: dict[str, Any] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    project: str = "default"
    # False: the Application has no spec.destination.namespace (services.toml
    # destination_namespace); namespace still places what homegen generates
    destination_namespace: bool = True
    # the Application's own metadata, beside homegen's (services.toml [*.application])
    app_labels: tuple[tuple[str, str], ...] = ()
    app_annotations: tuple[tuple[str, str], ...] = ()
    automated: dict[str, Any] | None = field(
        default_factory=lambda: {"prune": True, "selfHeal": True, "allowEmpty": False}
    )
    retry: dict[str, Any] | None = field(  # None: no retry
        default_factory=lambda: {
            "limit": 5,
            "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"},
        }
    )
    finalizers: tuple[str, ...] = ("resources-finalizer.argocd.argoproj.io",)


@dataclass(frozen=True)
class GatewayPlan:
    """The GatewayClass, Gateway and every HTTPRoute."""

    class_name: str
    controller_name: str
    name: str
    namespace: str
    listeners: tuple[dict[str, Any], ...]
    routes: tuple[RoutePlan, ...]


@dataclass(frozen=True)
class ArgoCDPlan:
    """ArgoCD's own settings and its bootstrap facts."""

    app: str
    version: str
    namespace: str
    cm: dict[str, str]
    params: dict[str, str]
    url: str | None
    oci_repos: tuple[tuple[str, str], ...]  # (name, url) Helm OCI registries to declare
    root_app: str = "app-of-apps"


@dataclass(frozen=True)
class Plan:
    """Everything the templates need, derived from one Config."""

    repo_url: str
    revision: str
    tree_path: str
    apps: tuple[AppPlan, ...]
    gateway: GatewayPlan
    pools: tuple[dict[str, Any], ...]
    network_app: str
    network_namespace: str
    argocd: ArgoCDPlan
    secrets_provider: str
    secret_store: str
    part_of: str
    all_secrets: tuple[SecretPlan, ...] = field(default=())
    bootstrap_keys: tuple[BootstrapKey, ...] = field(default=())
