"""Derive the Plan from a Config: waves, namespace owners, routes, grants, sources."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from homegen.config.models import App, ApplicationFields, Config, Retry, Service
from homegen.plan.argocd import oci_registry, plan_argocd
from homegen.plan.bootstrap import plan_bootstrap_keys
from homegen.plan.crd_order import derive_after
from homegen.plan.model import (
    AppPlan,
    GeneratorPlan,
    GrantPlan,
    NamespacePlan,
    NetworkPolicyPlan,
    Plan,
    SecretPlan,
    Source,
    WorkloadPlan,
)
from homegen.plan.netpol import plan_network_policies
from homegen.plan.routes import plan_gateway, plan_grants, plan_routes
from homegen.plan.secrets import plan_secrets
from homegen.plan.waves import sync_waves
from homegen.plan.workload import plan_workload
from homegen.render.yamltext import sort_keys

SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
GATEWAY_FOLDER = "gateway"


@dataclass(frozen=True)
class Unit:
    """An app, a service or ArgoCD's own app, seen the same way by the planner."""

    name: str
    spec: App | Service | None  # None: ArgoCD's own settings app
    namespace: str
    tier: str
    after: tuple[str, ...]
    derived: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (installer, kinds used)


def build_plan(config: Config) -> Plan:
    """The whole plan of a valid Config."""
    units = _units(config)
    waves = sync_waves(
        {u.name: [*u.after, *(i for i, _ in u.derived)] for u in units.values()},
        {u.name: u.tier == "app" for u in units.values()},
    )
    owners = _namespace_owners(config, units, waves)
    routes = tuple(plan_routes(config))
    grants = plan_grants(routes)
    workloads = {name: plan_workload(config, name, svc) for name, svc in config.services.items()}
    policies = plan_network_policies(config, {n: w.labels for n, w in workloads.items()})
    secrets = plan_secrets(config)
    all_secrets = tuple(s for unit_secrets in secrets.values() for s in unit_secrets)
    argocd = plan_argocd(config)
    apps = tuple(
        _plan_app(config, unit, waves, owners, grants, secrets, workloads, policies)
        for unit in sorted(units.values(), key=lambda u: (waves[u.name], u.name))
    )
    return Plan(
        repo_url=config.cluster.repo_url,
        revision=config.cluster.revision,
        tree_path=config.cluster.tree_path.strip("/") or ".",
        apps=apps,
        gateway=plan_gateway(config, routes),
        pools=tuple(
            {"name": p.name, "addresses": list(p.addresses), "l2": p.l2}
            for p in config.network.pools
        ),
        network_app=config.network.app,
        network_namespace=config.network.namespace,
        argocd=argocd,
        secrets_provider=config.secrets.provider,
        secret_store=config.secrets.store,
        part_of=config.cluster.name,
        all_secrets=all_secrets,
        bootstrap_keys=plan_bootstrap_keys(config, all_secrets),
    )


def _units(config: Config) -> dict[str, Unit]:
    derived = {
        name: tuple((app, tuple(sorted({k for _, k in kinds}))) for app, kinds in edges.items())
        for name, edges in derive_after(config).items()
    }
    argocd = config.argocd.app
    found = {
        argocd: Unit(argocd, None, config.argocd.namespace, "infra", (), derived.get(argocd, ()))
    }
    for name, app in config.apps.items():
        found[name] = Unit(
            name, app, app.namespace or name, app.tier or "infra", tuple(app.after),
            derived.get(name, ()),
        )  # fmt: skip
    for name, svc in config.services.items():
        found[name] = Unit(
            name, svc, svc.namespace or name, svc.tier or "app", tuple(svc.after),
            derived.get(name, ()),
        )  # fmt: skip
    return found


def _namespace_owners(
    config: Config, units: dict[str, Unit], waves: dict[str, int]
) -> dict[str, NamespacePlan]:
    """The unit that renders each Namespace: the earliest (wave, name) that manages it."""
    owners: dict[str, NamespacePlan] = {}
    owned: set[str] = set()
    levels = _pod_security(units)
    for unit in sorted(units.values(), key=lambda u: (waves[u.name], u.name)):
        if unit.spec is None or not unit.spec.manage_namespace:
            continue
        if unit.namespace in SYSTEM_NAMESPACES or unit.namespace == config.argocd.namespace:
            continue
        if unit.namespace in owned:
            continue
        owned.add(unit.namespace)
        owners[unit.name] = NamespacePlan(
            unit.namespace, *levels.get(unit.namespace, ("restricted", None))
        )
    return owners


def _pod_security(units: dict[str, Unit]) -> dict[str, tuple[str, str | None]]:
    """Each namespace's Pod Security exception: the first by unit name that declares one."""
    levels: dict[str, tuple[str, str | None]] = {}
    for unit in sorted(units.values(), key=lambda u: u.name):
        if unit.spec and unit.spec.pod_security and unit.namespace not in levels:
            levels[unit.namespace] = (unit.spec.pod_security.level, unit.spec.pod_security.reason)
    return levels


def _plan_app(
    config: Config,
    unit: Unit,
    waves: dict[str, int],
    owners: dict[str, NamespacePlan],
    grants: dict[str, tuple[GrantPlan, ...]],
    secrets: dict[str, tuple[SecretPlan, ...]],
    workloads: dict[str, WorkloadPlan],
    policies: dict[str, tuple[NetworkPolicyPlan, ...]],
) -> AppPlan:
    spec = unit.spec
    folder = GATEWAY_FOLDER if unit.name == config.gateway.app else unit.name
    workload = workloads.get(unit.name) if isinstance(spec, Service) else None
    values = _values(config, unit.name, spec) if isinstance(spec, App) and spec.helm else None
    objects = (
        tuple(sort_keys(_with_exceptions(o, spec.policy_exceptions)) for o in spec.objects)
        if isinstance(spec, App)
        else ()
    )
    unit_secrets = secrets.get(unit.name, ()) if config.secrets.provider != "script" else ()
    is_set = isinstance(spec, App) and spec.generator is not None
    namespace_plan = owners.get(unit.name)
    # an ApplicationSet's own manifests go with it in apps/<name>.yaml (tree.py), not a folder
    has_folder = not is_set and bool(
        namespace_plan
        or workload
        or grants.get(unit.name)
        or policies.get(unit.name)
        or unit_secrets
        or objects
        or unit.spec is None
        or unit.name in (config.gateway.app, config.network.app)
    )
    fields = spec.application if spec else ApplicationFields()
    history = config.defaults.history_infra if unit.tier == "infra" else config.defaults.history_app
    if fields.history is not None:
        history = fields.history
    create = ("CreateNamespace=true",) if fields.create_namespace else ()
    return AppPlan(
        name=unit.name,
        tier=unit.tier,
        wave=waves[unit.name],
        namespace=unit.namespace,
        folder=folder,
        history=history,
        sources=_sources(config, unit, folder if has_folder else None, values is not None),
        sync_options=_sync_options(spec, create),
        after=tuple(sorted(unit.after)),
        derived_after=unit.derived,
        ignore_differences=_ignore_differences(spec),
        description=spec.description if spec else "ArgoCD's own settings and route grant",
        generator=_generator(spec) if isinstance(spec, App) else None,
        namespace_plan=namespace_plan,
        workload=workload,
        grants=grants.get(unit.name, ()),
        network_policies=policies.get(unit.name, ()),
        secrets=unit_secrets,
        objects=objects,
        values=values,
        automated=_automated(fields),
        retry=_retry(config, fields),
        finalizers=tuple(fields.finalizers),
        project=fields.project,
        destination_namespace=not isinstance(spec, App) or spec.destination_namespace,
        app_labels=tuple(sorted(fields.labels.items())),
        app_annotations=tuple(sorted(fields.annotations.items())),
    )


def _automated(fields: ApplicationFields) -> dict[str, Any] | None:
    if not fields.automated:
        return None
    return {"prune": fields.prune, "selfHeal": fields.self_heal, "allowEmpty": fields.allow_empty}


def _retry(config: Config, fields: ApplicationFields) -> dict[str, Any] | None:
    if fields.retry is False:
        return None
    retry = fields.retry or Retry(limit=config.defaults.retry_limit)
    backoff = {
        "duration": retry.duration,
        "factor": retry.factor,
        "maxDuration": retry.max_duration,
    }
    return {"limit": retry.limit, "backoff": backoff}


def _with_exceptions(obj: dict[str, Any], exceptions: dict[str, str]) -> dict[str, Any]:
    """An app's object with its policy exceptions as policy.homegen.dev/<rule> annotations."""
    if not exceptions:
        return obj
    meta = dict(obj.get("metadata") or {})
    meta["annotations"] = {
        **(meta.get("annotations") or {}),
        **{f"policy.homegen.dev/{rule}": reason for rule, reason in exceptions.items()},
    }
    return {**obj, "metadata": meta}


def _sync_options(spec: App | Service | None, create: tuple[str, ...]) -> tuple[str, ...]:
    options = [*create, *(spec.sync_options if spec else ())]
    respect = "RespectIgnoreDifferences=true"
    # without it a sync applies the ignored fields anyway, undoing the controller's writes
    if isinstance(spec, App) and spec.ignore_differences and respect not in options:
        options.append(respect)
    return tuple(options)


def _ignore_differences(spec: App | Service | None) -> tuple[dict[str, Any], ...]:
    """spec.ignoreDifferences as ArgoCD writes it."""
    if not isinstance(spec, App):
        return ()
    out = []
    for entry in spec.ignore_differences:
        item: dict[str, Any] = {"group": entry.group, "kind": entry.kind}
        if entry.name is not None:
            item["name"] = entry.name
        if entry.namespace is not None:
            item["namespace"] = entry.namespace
        if entry.json_pointers:
            item["jsonPointers"] = list(entry.json_pointers)
        if entry.jq_path_expressions:
            item["jqPathExpressions"] = list(entry.jq_path_expressions)
        out.append(item)
    return tuple(out)


def _sources(
    config: Config, unit: Unit, folder: str | None, has_values: bool
) -> tuple[Source, ...]:
    cluster = config.cluster
    sources: list[Source] = []
    spec = unit.spec
    if isinstance(spec, App) and spec.helm:
        helm = spec.helm
        values_file = _in_tree(config, "values", f"{unit.name}.yaml")
        sources.append(
            Source(
                repo_url=oci_registry(helm.repo_url) or helm.repo_url,
                revision=helm.version,
                chart=helm.chart,
                release_name=helm.release_name or unit.name,
                value_files=(f"$values/{values_file}",) if has_values else (),
                skip_crds=helm.skip_crds,
            )
        )
        if has_values:
            sources.append(Source(cluster.repo_url, cluster.revision, ref="values"))
    if isinstance(spec, App) and spec.git:
        git = spec.git
        chart = git.helm
        sources.append(
            Source(
                git.repo_url,
                git.revision,
                path=git.path,
                recurse=git.recurse,
                release_name=chart.release_name if chart else None,
                value_files=tuple(chart.value_files) if chart else (),
                skip_crds=chart.skip_crds if chart else False,
                ignore_missing_value_files=chart.ignore_missing_value_files if chart else False,
            )
        )
        sources.extend(_value_refs(sources, git.repo_url, git.revision))
    if folder:
        path = _in_tree(config, "manifests", folder)
        sources.append(Source(cluster.repo_url, cluster.revision, path=path))
    return tuple(sources)


def _value_refs(sources: list[Source], repo_url: str, revision: str) -> list[Source]:
    """The `ref` sources a Git chart's `$ref/path` value files read: ArgoCD resolves `$ref` only
    through a source of that ref, else the sync fails; it is the chart's repository and
    revision (services.toml documents it so)."""
    have = {s.ref for s in sources if s.ref}
    refs = {f.split("/", 1)[0][1:] for f in sources[-1].value_files if f.startswith("$")}
    return [Source(repo_url, revision, ref=ref) for ref in sorted(refs - have)]


def _in_tree(config: Config, *parts: str) -> str:
    """A path of the rendered tree inside the Git repository."""
    tree = config.cluster.tree_path.strip("/")
    return posixpath.join(*parts) if tree in ("", ".") else posixpath.join(tree, *parts)


def _values(config: Config, name: str, app: App) -> dict[str, Any]:
    values: dict[str, Any] = sort_keys(app.values)
    gw = config.gateway
    if name == gw.controller_app and gw.load_balancer_ip:
        service = values.setdefault("service", {})
        annotations = service.setdefault("annotations", {})
        annotations["metallb.universe.tf/loadBalancerIPs"] = gw.load_balancer_ip
        values = sort_keys(values)
    return values


def _generator(app: App) -> GeneratorPlan | None:
    if app.generator is None:
        return None
    return GeneratorPlan(
        elements=tuple(sort_keys(e) for e in app.generator.elements),
        parameters=tuple(sorted(app.generator.parameters.items())),
    )
