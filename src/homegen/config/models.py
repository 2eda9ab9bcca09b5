"""The pydantic models of services.toml: strict, unknown keys are errors.

Here the apps and services and the whole file (``Config``); the cluster-level tables are in
``homegen.config.sections``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from homegen.config.fields import (
    ApiGroup,
    AppName,
    ChartRepoUrl,
    ChartVersion,
    EnvName,
    Hostname,
    HttpPath,
    Image,
    JqPath,
    JsonPointer,
    Kind,
    LabelValue,
    Name,
    Peer,
    Port,
    ProjectName,
    QualifiedName,
    Quantity,
    Reason,
    ReleaseName,
    RepoUrl,
    SecretRef,
    ValueFile,
    require_pinned_or_excepted,
)
from homegen.config.sections import (
    ArgoCD,
    Cluster,
    Defaults,
    DestinationFields,
    Gateway,
    Generator,
    Network,
    Policy,
    Resources,
    Secrets,
    Strict,
    Validate,
    hash_of_fields,
)

Tier = Literal["infra", "app"]


class PodSecurity(Strict):
    """A Pod Security exception: a level other than restricted, with the reason."""

    level: Literal["privileged", "baseline"] = Field(description="Pod Security level enforced.")
    reason: Reason = Field(description="Why the namespace needs this level.")


class Route(Strict):
    """How the Gateway reaches this workload: a path prefix and/or hostnames."""

    path: HttpPath = Field("/", description="Path prefix matched.")
    hosts: list[Hostname] = Field(
        default_factory=list, description="Hostnames; empty means the cluster domain."
    )
    rewrite: HttpPath | None = Field(None, description="Replace the matched prefix with this.")
    service: Name | None = Field(None, description="Backend Service (apps only).")
    port: Port | None = Field(None, description="Backend Service port (apps only).")


class Probe(Strict):
    """A liveness or readiness probe."""

    type: Literal["http", "tcp", "exec"] = Field("http", description="http GET, tcp or exec.")
    path: HttpPath = Field("/", description="Path of an http probe.", examples=["/ready"])
    port: Port | None = Field(None, description="Defaults to the service port.")
    command: list[str] = Field(default_factory=list, description="Command of an exec probe.")
    initial_delay: int = Field(5, ge=0, description="initialDelaySeconds.")
    period: int = Field(10, ge=1, description="periodSeconds.")

    @model_validator(mode="after")
    def _exec_has_command(self) -> Probe:
        if self.type == "exec" and not self.command:
            raise ValueError("an exec probe needs a command")
        return self


class Probes(Strict):
    """Probes of the container; a TCP probe on the port when not given."""

    liveness: Probe | None = Field(None, description="Liveness probe.")
    readiness: Probe | None = Field(None, description="Readiness probe.")


class Volume(Strict):
    """A persistent volume claim mounted into the container."""

    path: HttpPath = Field(description="Mount path.")
    size: Quantity = Field(description="Requested size, e.g. 1Gi.")
    storage_class: Name | None = Field(None, description="StorageClass; the cluster default.")


FINALIZER = "resources-finalizer.argocd.argoproj.io"


class Retry(Strict):
    """How ArgoCD retries a failed sync."""

    limit: int = Field(5, ge=-1, description="Attempts; -1 retries forever.")
    duration: str = Field("5s", description="First backoff.", examples=["5s"])
    factor: int = Field(2, ge=1, description="Backoff multiplier.")
    max_duration: str = Field("3m", description="Longest backoff.", examples=["3m"])


class ApplicationFields(Strict):
    """The rendered Application's fields, where they differ from HOMELAB's standards (most
    often to keep an imported tree as it was)."""

    history: int | None = Field(
        None, ge=0, description="revisionHistoryLimit (default: [defaults] history by tier)."
    )
    retry: Retry | Literal[False] | None = Field(
        None, description="Sync retry; false: none (default: [defaults] retry_limit, 5s/2/3m)."
    )
    automated: bool = Field(True, description="Sync automatically; false: sync by hand.")
    prune: bool = Field(True, description="Automated sync deletes what left the tree.")
    self_heal: bool = Field(True, description="Automated sync reverts changes in the cluster.")
    allow_empty: bool = Field(False, description="Automated sync may prune every object.")
    create_namespace: bool = Field(True, description="Add the CreateNamespace=true sync option.")
    finalizers: list[str] = Field(
        default_factory=lambda: [FINALIZER],
        description="Application finalizers ([] keeps the app's objects when it is deleted).",
    )
    project: ProjectName = Field(
        "default", description="spec.project: the AppProject the Application belongs to."
    )
    labels: dict[QualifiedName, LabelValue] = Field(
        default_factory=dict,
        description="Labels on the Application itself (homegen's app.kubernetes.io labels win).",
    )
    annotations: dict[QualifiedName, str] = Field(
        default_factory=dict,
        description="Annotations on the Application itself (not argocd.argoproj.io/sync-wave "
        "nor homegen.dev/*, which homegen sets).",
    )

    def __hash__(self) -> int:  # then the default every table shares is not deep-copied
        return hash_of_fields(self)


class Workload(Strict):
    """What services and apps share: placement, ordering, metadata, exceptions."""

    namespace: AppName | None = Field(None, description="Namespace; defaults to the name.")
    tier: Tier | None = Field(None, description="infra or app; sets waves and history.")
    after: list[AppName] = Field(default_factory=list, description="Apps synced before this one.")
    sync_options: list[str] = Field(default_factory=list, description="Extra ArgoCD syncOptions.")
    pod_security: PodSecurity | None = Field(
        None, description="Pod Security exception of the namespace (default: restricted)."
    )
    manage_namespace: bool = Field(True, description="Render the Namespace object.")
    labels: dict[QualifiedName, LabelValue] = Field(
        default_factory=dict, description="Extra labels on the Application's objects."
    )
    annotations: dict[QualifiedName, str] = Field(
        default_factory=dict, description="Extra annotations on the Application's objects."
    )
    policy_exceptions: dict[str, Reason] = Field(
        default_factory=dict, description="Policy rule id → reason it does not apply."
    )
    description: str = Field("", description="One line shown in the Application and `list`.")
    allow_from: list[Peer] = Field(
        default_factory=list,
        description="Who else may connect: a service's name (its pods) or app:NAME (every "
        "pod of the app's namespace); the gateway controller needs no entry.",
        examples=[["web", "app:monitoring"]],
    )
    egress: list[str] = Field(
        default_factory=list,
        description="Turn on default-deny egress, allowing only these: CIDRs, service names, "
        "app:NAME (DNS to kube-dns is always allowed). Empty: egress stays open.",
        examples=[["10.0.20.0/24", "db", "app:traefik"]],
    )
    application: ApplicationFields = Field(
        ApplicationFields(), description="Application fields other than HOMELAB's standards."
    )


class Service(Workload):
    """A workload homegen generates and hardens."""

    image: Image = Field(
        description="Pinned image: a version tag or a digest. Renovate tracks both "
        "(docs/renovate.md)."
    )
    port: Port = Field(description="Container port.")
    service_port: Port | None = Field(None, description="Service port; defaults to port.")
    replicas: int = Field(1, ge=0, description="Pod replicas.")
    command: list[str] = Field(default_factory=list, description="Container command.")
    args: list[str] = Field(default_factory=list, description="Container args.")
    route: Route | None = Field(None, description="Expose through the Gateway.")
    env: dict[EnvName, str] = Field(default_factory=dict, description="Plain env vars.")
    secret_env: dict[EnvName, SecretRef] = Field(
        default_factory=dict, description="Env var → op://vault/item/field."
    )
    secret_files: dict[HttpPath, SecretRef] = Field(
        default_factory=dict, description="File path → op://vault/item/field."
    )
    config_files: dict[HttpPath, str] = Field(
        default_factory=dict, description="File path → contents (a ConfigMap)."
    )
    probes: Probes = Field(Probes(), description="Probes; a TCP probe on the port otherwise.")
    resources: Resources | None = Field(None, description="Resources; [defaults.resources].")
    writable_paths: list[HttpPath] = Field(
        default_factory=lambda: ["/tmp"], description="emptyDir mounts on the read-only root."
    )
    volumes: dict[Name, Volume] = Field(
        default_factory=dict, description="Persistent volume claims by name."
    )
    service_account_token: bool = Field(False, description="Mount the service account token.")
    component: LabelValue = Field("server", description="The component label.")
    port_name: str = Field(
        "http",
        pattern=r"^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$",
        description="Name of the container and Service port.",
    )
    anti_affinity: bool = Field(True, description="Spread replicas across nodes.")


class HelmSource(Strict):
    """A Helm chart: https repository or OCI registry."""

    repo_url: ChartRepoUrl = Field(description="https://… chart repository or oci://… registry.")
    chart: str = Field(pattern=r"^[a-z0-9][-a-z0-9_.]*$", description="Chart name.")
    version: ChartVersion = Field(
        description="Exact chart version (Renovate tracks it, docs/renovate.md); a range ('*', "
        "'^1.2') only with the app's exception for HG332 (docs/services-toml.md).",
        examples=["1.2.3"],
    )
    skip_crds: bool = Field(
        False,
        description="spec.source.helm.skipCrds: do not install the chart's crds/ folder "
        "(another app owns those CRDs).",
    )
    release_name: ReleaseName | None = Field(
        None, description="spec.source.helm.releaseName (default: the app's name)."
    )


class IgnoreDifference(Strict):
    """One entry of spec.ignoreDifferences: fields of matching objects ArgoCD does not diff."""

    group: ApiGroup = Field(
        "",
        description="API group of the objects; empty for the core group.",
        examples=["apiextensions.k8s.io"],
    )
    kind: Kind = Field(
        description="Kind of the objects.",
        examples=["CustomResourceDefinition"],
    )
    name: str | None = Field(None, min_length=1, description="Only the object of this name.")
    namespace: Name | None = Field(None, description="Only objects in this namespace.")
    json_pointers: list[JsonPointer] = Field(
        default_factory=list,
        description="jsonPointers: RFC 6901 pointers to the ignored fields.",
        examples=[["/spec/conversion/webhook/clientConfig/caBundle"]],
    )
    jq_path_expressions: list[JqPath] = Field(
        default_factory=list,
        description="jqPathExpressions: jq paths to the ignored fields.",
        examples=[[".spec.conversion.webhook.clientConfig.caBundle"]],
    )

    @model_validator(mode="after")
    def _says_what(self) -> IgnoreDifference:
        if not self.json_pointers and not self.jq_path_expressions:
            raise ValueError("name the ignored fields: json_pointers or jq_path_expressions")
        return self


class GitChart(Strict):
    """Options of a Helm chart kept in a Git folder (ArgoCD detects it by its Chart.yaml)."""

    value_files: list[ValueFile] = Field(
        default_factory=list,
        description="valueFiles, relative to the chart folder, or $ref/path: a file of the chart's "
        "repository at its revision (a `ref` source is rendered for it).",
        examples=[["values.yaml", "values-prod.yaml"]],
    )
    skip_crds: bool = Field(False, description="skipCrds: do not install the chart's crds/.")
    ignore_missing_value_files: bool = Field(
        False, description="ignoreMissingValueFiles: a value file that is absent is skipped."
    )
    release_name: ReleaseName | None = Field(
        None, description="releaseName (default: the app's name)."
    )


class GitSource(Strict):
    """A directory of manifests in a Git repository."""

    repo_url: RepoUrl = Field(description="Git repository URL.")
    revision: str = Field(
        description="Branch, tag or commit. Renovate tracks a tag (v1.2.1, 2.4.0): GitHub "
        "releases for kubernetes-sigs/gateway-api, the repository's tags otherwise "
        "(docs/renovate.md).",
        examples=["v1.2.1"],
    )
    path: str = Field(description="Folder of manifests in the repository.")
    recurse: bool = Field(False, description="Include subfolders.")
    helm: GitChart | None = Field(
        None,
        description="The folder is a Helm chart: spec.source.helm options ArgoCD renders it with.",
    )


class App(Workload, DestinationFields):
    """A platform app: a Helm chart, a Git directory, or manifests homegen generates."""

    helm: HelmSource | None = Field(None, description="Source: a Helm chart.")
    git: GitSource | None = Field(None, description="Source: a folder in a Git repository.")
    values: dict[str, Any] = Field(default_factory=dict, description="Helm values.")
    objects: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Extra manifests synced with the app. Renovate tracks the image of every "
        "container, init container and ephemeral container in them (docs/renovate.md).",
    )
    secrets: list[SecretRef] = Field(
        default_factory=list, description="Secrets the app reads, as op:// references."
    )
    route: Route | None = Field(None, description="Expose the chart's Service via the Gateway.")
    generator: Generator | None = Field(
        None, description="Fan out into an ApplicationSet with a list generator."
    )
    ignore_differences: list[IgnoreDifference] = Field(
        default_factory=list,
        description="spec.ignoreDifferences: fields a controller rewrites, so ArgoCD neither "
        "shows them as drift nor (RespectIgnoreDifferences=true) reverts them.",
    )
    network_policy: Literal["none", "default-deny"] = Field(
        "none",
        description="NetworkPolicies of the app's namespace: none (a chart's webhooks and "
        "API-server traffic need ingress homegen cannot see), or default-deny with the "
        "route and allow_from opened.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> App:
        if self.helm and self.git:
            raise ValueError("an app has either helm or git, not both")
        if self.values and not self.helm:
            raise ValueError("values need a helm chart")
        if self.generator and not self.helm:
            raise ValueError("a generator needs a helm chart")
        if self.generator and self.helm and self.helm.release_name:
            raise ValueError("a generator names each release after its element: no release_name")
        if self.route and (self.route.service is None or self.route.port is None):
            raise ValueError("an app's route names its backend: route.service and route.port")
        if self.helm:
            require_pinned_or_excepted(self.helm.version, self.application.annotations)
        return self


class Config(Strict):
    """services.toml."""

    cluster: Cluster = Field(description="The Git repository and cluster.")
    argocd: ArgoCD = Field(description="ArgoCD itself.")
    gateway: Gateway = Field(description="The Gateway API entry point.")
    network: Network = Field(Network(), description="MetalLB pools and the app syncing them.")
    secrets: Secrets = Field(Secrets(), description="How 1Password references become Secrets.")
    defaults: Defaults = Field(Defaults(), description="Defaults of every app and service.")
    apps: dict[AppName, App] = Field(
        default_factory=dict, description="Platform apps: Helm charts, Git folders, manifests."
    )
    services: dict[Name, Service] = Field(
        default_factory=dict, description="Workloads homegen generates and hardens."
    )
    policy: Policy = Field(
        Policy(), description="NetworkPolicies on or off; whether images need a digest."
    )
    validation: Validate = Field(
        Validate(), alias="validate", description="How `homegen validate` checks a tree."
    )
