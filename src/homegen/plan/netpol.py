"""NetworkPolicies derived from what homegen knows of the traffic: routes, allow_from, egress.

Every namespace of a service gets a default-deny ingress policy; each route opens its backend's
target port to the gateway controller's pods only; allow_from opens the same port to the pods it
names. Chart apps get none unless they ask (``network_policy = "default-deny"``): their webhooks
and API-server traffic need ingress homegen cannot see.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from homegen.config.checks_network import SYSTEM_NAMESPACES, is_cidr
from homegen.config.models import App, Config, Service
from homegen.plan.model import NetworkPolicyPlan

NAMESPACE_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every Namespace
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}  # CoreDNS's label, kept for kube-dns compatibility


@dataclass(frozen=True)
class Guarded:
    """A service or an app that asked for policies, as the planner sees it."""

    name: str
    namespace: str
    selector: dict[str, str]  # its pods; {} for an app: every pod of its namespace
    port: str | None  # the target port opened to its peers; None for an app: every port
    labels: dict[str, str]
    spec: App | Service


def workload_selector(name: str) -> dict[str, str]:
    """The pod labels a generated workload's Service and policies select."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


def plan_network_policies(
    config: Config, labels: dict[str, dict[str, str]]
) -> dict[str, tuple[NetworkPolicyPlan, ...]]:
    """Policies by the unit whose folder holds them; ``labels`` are each service's labels."""
    if not config.policy.network_policies:
        return {}
    guarded = _guarded(config, labels)
    whole = _whole_namespaces(config, guarded)
    out: dict[str, tuple[NetworkPolicyPlan, ...]] = {}
    for unit in guarded.values():
        out[unit.name] = tuple(_unit_policies(config, guarded, unit, whole))
    return out


def _guarded(config: Config, labels: dict[str, dict[str, str]]) -> dict[str, Guarded]:
    found: dict[str, Guarded] = {}
    for name, app in sorted(config.apps.items()):
        if app.network_policy == "default-deny":
            app_labels = {
                "app.kubernetes.io/name": name,
                "app.kubernetes.io/part-of": config.cluster.name,
                "app.kubernetes.io/managed-by": "homegen",
            }
            found[name] = Guarded(name, app.namespace or name, {}, None, app_labels, app)
    for name, svc in sorted(config.services.items()):
        found[name] = Guarded(
            name, svc.namespace or name, workload_selector(name), svc.port_name,
            labels.get(name, {"app.kubernetes.io/managed-by": "homegen"}), svc,
        )  # fmt: skip
    return found


def _whole_namespaces(config: Config, guarded: dict[str, Guarded]) -> dict[str, str]:
    """namespace → the unit holding its namespace-wide default deny: namespaces where every
    app and service asked for policies (a chart app's pods sharing one keep their traffic)."""
    unguarded = {app.namespace or name for name, app in config.apps.items() if name not in guarded}
    unguarded |= SYSTEM_NAMESPACES | {config.argocd.namespace}
    owners: dict[str, str] = {}
    for unit in sorted(guarded.values(), key=lambda u: u.name):
        if unit.namespace not in unguarded:
            owners.setdefault(unit.namespace, unit.name)
    return owners


def _unit_policies(
    config: Config, guarded: dict[str, Guarded], unit: Guarded, whole: dict[str, str]
) -> Iterator[NetworkPolicyPlan]:
    if whole.get(unit.namespace) == unit.name:
        yield _policy(
            unit, "default-deny-ingress", {}, ["Ingress"],
            f"Denies ingress to every pod of {unit.namespace} that no other policy admits",
        )  # fmt: skip
    elif unit.namespace not in whole:
        yield _policy(
            unit, f"{unit.name}-default-deny-ingress", unit.selector, ["Ingress"],
            f"Denies ingress to {unit.name}'s pods that no other policy admits",
        )  # fmt: skip
    label = f"allows :{unit.port}" if unit.port else "allows"
    if unit.spec.route is not None:
        controller = config.gateway.controller_app or config.gateway.app
        yield _policy(
            unit, f"{unit.name}-from-gateway", unit.selector, ["Ingress"],
            f"Admits the gateway controller to {unit.name}'s {_port_text(unit)} only",
            ingress=[_rule("from", [gateway_peer(config)], _ports(unit.port))],
            edges=((controller, unit.name, label),),
        )  # fmt: skip
    if unit.spec.allow_from:
        peers = [peer_selector(config, entry) for entry in unit.spec.allow_from]
        yield _policy(
            unit, f"{unit.name}-allow-from", unit.selector, ["Ingress"],
            f"Admits {', '.join(unit.spec.allow_from)} to {unit.name}'s {_port_text(unit)}",
            ingress=[_rule("from", peers, _ports(unit.port))],
            edges=tuple((e.removeprefix("app:"), unit.name, label) for e in unit.spec.allow_from),
        )  # fmt: skip
    if unit.spec.egress:
        names = [e.removeprefix("app:") for e in unit.spec.egress if not is_cidr(e)]
        yield _policy(
            unit, f"{unit.name}-egress", unit.selector, ["Egress"],
            f"Lets {unit.name} reach DNS and {', '.join(unit.spec.egress)} only",
            egress=[dns_rule(), *(_egress_rule(config, e) for e in unit.spec.egress)],
            edges=tuple((unit.name, name, "egress") for name in names),
        )  # fmt: skip


def _port_text(unit: Guarded) -> str:
    return f"port {unit.port}" if unit.port else "pods"


def _policy(
    unit: Guarded,
    name: str,
    selector: dict[str, str],
    types: list[str],
    description: str,
    *,
    ingress: list[dict[str, Any]] | None = None,
    egress: list[dict[str, Any]] | None = None,
    edges: tuple[tuple[str, str, str], ...] = (),
) -> NetworkPolicyPlan:
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": dict(selector)} if selector else {},
        "policyTypes": types,
    }
    # an empty list is left out, as the API server stores it: no rule means deny all
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    return NetworkPolicyPlan(name[:253], unit.namespace, unit.labels, description, spec, edges)


def _rule(
    direction: str, peers: list[dict[str, Any]], ports: list[dict[str, Any]]
) -> dict[str, Any]:
    return {direction: peers, **({"ports": ports} if ports else {})}


def _ports(port: str | int | None, protocol: str = "TCP") -> list[dict[str, Any]]:
    return [] if port is None else [{"protocol": protocol, "port": port}]


def namespace_selector(namespace: str) -> dict[str, Any]:
    """Selects one namespace by the label the API server gives every Namespace."""
    return {"matchLabels": {NAMESPACE_LABEL: namespace}}


def gateway_peer(config: Config) -> dict[str, Any]:
    """The gateway controller's pods: its namespace and, when known, its pod labels."""
    gw = config.gateway
    controller = config.apps.get(gw.controller_app or "")
    namespace = gw.controller_namespace or (
        (controller.namespace or gw.controller_app) if controller else gw.namespace
    )
    labels = dict(gw.controller_pod_labels)
    if not labels and controller is not None and controller.helm is not None:
        labels = {"app.kubernetes.io/name": controller.helm.chart}
    peer: dict[str, Any] = {"namespaceSelector": namespace_selector(str(namespace))}
    if labels:
        peer["podSelector"] = {"matchLabels": dict(sorted(labels.items()))}
    return peer


def peer_selector(config: Config, entry: str) -> dict[str, Any]:
    """An allow_from or egress entry: a service's pods, or every pod of an app's namespace."""
    if entry.startswith("app:"):
        name = entry.removeprefix("app:")
        return {"namespaceSelector": namespace_selector(config.apps[name].namespace or name)}
    svc = config.services[entry]
    return {
        "namespaceSelector": namespace_selector(svc.namespace or entry),
        "podSelector": {"matchLabels": workload_selector(entry)},
    }


def dns_rule() -> dict[str, Any]:
    """Egress to the cluster DNS, on UDP and TCP 53: without it no name resolves."""
    peer = {
        "namespaceSelector": namespace_selector(DNS_NAMESPACE),
        "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
    }
    return _rule("to", [peer], [*_ports(53, "UDP"), *_ports(53, "TCP")])


def _egress_rule(config: Config, entry: str) -> dict[str, Any]:
    if is_cidr(entry):
        cidr = str(ipaddress.ip_network(entry))  # a bare address becomes its /32 (or /128)
        return _rule("to", [{"ipBlock": {"cidr": cidr}}], [])
    if entry.startswith("app:"):
        return _rule("to", [peer_selector(config, entry)], [])
    return _rule("to", [peer_selector(config, entry)], _ports(config.services[entry].port))
