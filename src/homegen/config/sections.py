"""The cluster-level tables of services.toml ([cluster], [argocd], [gateway], [network],
[secrets], [defaults], [policy], [validate]) and the strict base of every table."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from homegen.config.fields import (
    AddressRange,
    AppName,
    Hostname,
    HttpPath,
    IPAddress,
    Kind,
    LabelValue,
    Name,
    Port,
    QualifiedName,
    Quantity,
    RepoUrl,
    RuleSelector,
    SecretRef,
)


class Strict(BaseModel):
    """Base of every table: unknown keys are errors, values keep their TOML types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


def hash_of_fields(model: BaseModel) -> int:
    """A hash equal tables share, of fields that may hold lists and tables.

    pydantic deep-copies an unhashable default for every table that leaves it out (~8 µs
    each, once per service); a table hashed by this shares it instead (none is mutated).
    """
    return hash(tuple(_hashable(value) for value in model.__dict__.values()))


def _hashable(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return tuple(value) if isinstance(value, list) else value


class Cluster(Strict):
    """Where the rendered tree lives and which cluster it targets."""

    name: Name = Field("homelab", description="The app.kubernetes.io/part-of label.")
    repo_url: RepoUrl = Field(
        description="Git repository ArgoCD syncs from.",
        examples=["https://github.com/TechDufus/home.io"],
    )
    revision: str = Field("main", description="Branch, tag or commit ArgoCD syncs.")
    tree_path: str = Field(
        "rendered",
        description="Folder of the rendered tree inside the repository.",
        examples=["kubernetes/argocd"],
    )
    kubernetes_version: str = Field(
        "1.28",
        pattern=r"^1\.[0-9]+$",
        description="Kubernetes minor version to validate against.",
    )
    domain: Hostname = Field(
        description="Default hostname of path-based routes.", examples=["lab.techdufus.com"]
    )
    storage_classes: list[Name] = Field(
        default_factory=list,
        description="StorageClasses the cluster already has, besides those the tree installs; "
        "a PersistentVolumeClaim naming any other is never bound.",
        examples=[["local-path"]],
    )


class ArgoCD(Strict):
    """ArgoCD itself: where it is served and the settings homegen renders for it."""

    version: str = Field(
        pattern=r"^v[0-9]+\.[0-9]+\.[0-9]+$",
        description="ArgoCD release. Renovate tracks it: GitHub releases of argoproj/argo-cd "
        "(docs/renovate.md).",
        examples=["v2.11.3"],
    )
    namespace: AppName = Field("argocd", description="Namespace ArgoCD runs in.")
    app: AppName = Field("argocd", description="Application that syncs ArgoCD's own settings.")
    root_app: AppName = Field(
        "app-of-apps", description="Name of the root Application (app-of-apps.yaml)."
    )
    path: HttpPath | None = Field(
        None, description="Serve the UI under this path prefix.", examples=["/argocd"]
    )
    host: Hostname | None = Field(None, description="Serve the UI at its own hostname.")
    insecure: bool = Field(False, description="Serve plain HTTP (TLS ends upstream).")
    service: Name = Field("argocd-server", description="ArgoCD's server Service.")
    service_port: Port = Field(80, description="Port of the server Service the route names.")
    tracking: Literal["annotation", "label", "annotation+label"] = Field(
        "annotation", description="application.resourceTrackingMethod in argocd-cm."
    )
    application_health: bool = Field(
        True, description="Add the Application health check that makes sync waves wait."
    )


class Listener(Strict):
    """One Gateway listener."""

    name: Name = Field(description="Listener (section) name.")
    port: Port = Field(description="Port; must equal the controller's entrypoint port.")
    protocol: Literal["HTTP", "HTTPS"] = Field("HTTP", description="HTTP, or HTTPS.")
    hostname: Hostname | None = Field(
        None, description="Hostname the listener admits; any when not given."
    )


class Gateway(Strict):
    """The Gateway API entry point every route attaches to."""

    app: AppName = Field("gateway-config", description="App that syncs the Gateway and routes.")
    class_name: Name = Field(description="GatewayClass name.", examples=["traefik"])
    controller_name: str = Field(
        description="GatewayClass controllerName.", examples=["traefik.io/gateway-controller"]
    )
    name: Name = Field(description="Gateway name.", examples=["lab-gateway"])
    namespace: AppName = Field(description="Gateway namespace; routes live here too.")
    controller_app: AppName | None = Field(
        None,
        description="Chart app of the gateway controller; its values get the "
        "load-balancer address annotation.",
    )
    load_balancer_ip: IPAddress | None = Field(
        None, description="Address pinned on the controller's LoadBalancer Service."
    )
    listeners: list[Listener] = Field(min_length=1, description="Listeners of the Gateway.")
    controller_namespace: Name | None = Field(
        None,
        description="Namespace the controller's pods run in, which NetworkPolicies admit "
        "(default: the controller app's namespace, else the Gateway's).",
    )
    controller_pod_labels: dict[QualifiedName, LabelValue] = Field(
        default_factory=dict,
        description="Labels of the controller's pods, which NetworkPolicies admit (default: "
        "app.kubernetes.io/name = the controller app's chart; none: any pod of its namespace).",
        examples=[{"app.kubernetes.io/name": "traefik"}],
    )


class Pool(Strict):
    """A MetalLB IPAddressPool."""

    name: Name = Field(description="IPAddressPool name.", examples=["lab-pool"])
    addresses: list[AddressRange] = Field(min_length=1, description="CIDRs or first-last ranges.")
    l2: bool = Field(True, description="Announce the pool with an L2Advertisement.")


class Network(Strict):
    """MetalLB address pools."""

    app: AppName = Field("metallb-config", description="App that syncs the pools.")
    namespace: AppName = Field("metallb-system", description="MetalLB's namespace.")
    pools: list[Pool] = Field(default_factory=list, description="MetalLB IPAddressPools.")


class Secrets(Strict):
    """How 1Password references become Kubernetes Secrets."""

    provider: Literal["script", "1password-operator", "external-secrets"] = Field(
        "script", description="script: bootstrap/setup-secrets.sh creates them; or an operator."
    )
    store: Name = Field("onepassword", description="External Secrets ClusterSecretStore name.")
    namespace: Name | None = Field(
        None,
        description="Namespace of the operator's own 1Password Connect Secrets "
        "(default: 1password, or external-secrets for External Secrets).",
    )
    connect_credentials: SecretRef = Field(
        "op://Personal/1password-connect/1password-credentials.json",
        description="1Password Connect server credentials file (operators only).",
    )
    connect_token: SecretRef = Field(
        "op://Personal/1password-connect/token",
        description="1Password Connect access token the operator authenticates with.",
    )


class Resources(Strict):
    """Container resources."""

    cpu_request: Quantity = Field("100m", description="CPU request.", examples=["100m"])
    memory_request: Quantity = Field("128Mi", description="Memory request.", examples=["128Mi"])
    cpu_limit: Quantity = Field("500m", description="CPU limit.", examples=["500m"])
    memory_limit: Quantity = Field("512Mi", description="Memory limit.", examples=["512Mi"])


class Defaults(Strict):
    """Defaults every service and app starts from."""

    resources: Resources = Field(Resources(), description="Default container resources.")
    run_as: int = Field(65532, ge=1, description="UID, GID and fsGroup of every pod.")
    history_infra: int = Field(10, ge=1, description="revisionHistoryLimit of infra apps.")
    history_app: int = Field(3, ge=1, description="revisionHistoryLimit of regular apps.")
    retry_limit: int = Field(5, ge=0, description="Sync retry limit of every Application.")


class DeclaredCluster(Strict):
    """A cluster ApplicationSet cluster generators yield, as its ArgoCD cluster secret has it."""

    server: str = Field(description="The cluster's API server URL.")
    project: str = Field("", description="The secret's `project` (the `project` parameter).")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="The secret's labels (cluster generator selectors match them).",
    )
    annotations: dict[str, str] = Field(
        default_factory=dict, description="The secret's annotations."
    )


class Validate(Strict):
    """How `homegen validate` checks a tree (the command line adds to these)."""

    select: list[RuleSelector] = Field(
        default_factory=list,
        description="Rules to report, by id or prefix (HG3 = the whole hardening policy); "
        "empty: every rule.",
    )
    ignore: list[RuleSelector] = Field(
        default_factory=list,
        description="Rules not to report, by id or prefix; a more specific select wins.",
    )
    skip: list[Kind] = Field(
        default_factory=list, description="Kinds not checked at all (kubeconform's -skip)."
    )
    reject: list[Kind] = Field(
        default_factory=list,
        description="Kinds refused: each such object is an error (kubeconform's -reject).",
    )
    clusters: dict[str, str | DeclaredCluster] = Field(
        default_factory=dict,
        description="Clusters ApplicationSet cluster generators yield (their cluster secrets), "
        "name → API server URL or a table with server, project, labels, annotations "
        "(in-cluster is added as ArgoCD adds it).",
        examples=[
            {"edge": "https://10.0.0.5:6443"},
            {"edge": {"server": "https://10.0.0.5:6443", "labels": {"env": "prod"}}},
        ],
    )


class Policy(Strict):
    """Cluster-wide policy switches."""

    network_policies: bool = Field(
        True,
        description="Render NetworkPolicies derived from routes, allow_from and egress; "
        "false for a cluster whose CNI enforces none.",
    )
    require_digest: bool = Field(
        False, description="An image without a digest (image@sha256:...) is an error."
    )


class Generator(Strict):
    """An ApplicationSet list generator: one Application per element."""

    elements: list[dict[str, str | int | bool]] = Field(
        min_length=1, description="One Application per element; keys usable as {{.key}}."
    )
    parameters: dict[str, str] = Field(
        default_factory=dict, description="Helm parameter → template using {{.key}}."
    )


class DestinationFields(Strict):
    """An app's keys about spec.destination (kept here: models.py is at its size limit)."""

    destination_namespace: bool = Field(
        True,
        description="Set spec.destination.namespace to the app's namespace; false: none (the "
        "objects name their own namespaces or are cluster-scoped, e.g. a CRD bundle). Needs "
        "manage_namespace = false; CreateNamespace=true then creates nothing.",
    )
