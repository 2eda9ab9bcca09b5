"""`homegen graph`: the app-of-apps and the traffic path as a graph, independent of its notation.

Nodes are grouped by sync wave (and one "traffic" group for the Gateway and its routes);
edges say why two nodes are linked. ``homegen.graph_format`` writes it as Mermaid or DOT.
"""

from __future__ import annotations

from dataclasses import dataclass

from homegen.plan.model import AppPlan, GatewayPlan, Plan

ROOT = "app_of_apps"
TRAFFIC = "traffic"


@dataclass(frozen=True)
class Node:
    """A box: an Application, the root, the Gateway, a route or a backend Service."""

    id: str
    lines: tuple[str, ...]  # label, one entry per line
    shape: str  # root | app | gateway | route | service
    group: str | None = None


@dataclass(frozen=True)
class Edge:
    """An arrow; style is sync (root → wave), after (dependency), derived (an after edge
    homegen derived from CRDs, labelled with the kinds), traffic, runs, or allows (a connection
    a NetworkPolicy admits, labelled with the port)."""

    source: str
    target: str
    style: str
    label: str = ""


@dataclass(frozen=True)
class Group:
    """A box around nodes: one sync wave, or the traffic path."""

    id: str
    label: str


@dataclass(frozen=True)
class Graph:
    """Nodes, groups and edges in a stable order (the plan's order)."""

    nodes: tuple[Node, ...]
    groups: tuple[Group, ...]
    edges: tuple[Edge, ...]


def node_id(kind: str, *names: str) -> str:
    """An identifier both notations accept; '__' between names keeps them unambiguous."""
    return "__".join([kind, *(name.replace("-", "_").replace(".", "_") for name in names)])


def build_graph(plan: Plan) -> Graph:
    """The app-of-apps (root → waves, dependency edges) and Gateway → route → Service paths."""
    nodes = [Node(ROOT, ("app-of-apps",), "root")]
    groups: list[Group] = []
    edges: list[Edge] = []
    for app in plan.apps:  # already in (wave, name) order
        wave = node_id("wave", str(app.wave))
        if not groups or groups[-1].id != wave:
            groups.append(Group(wave, f"sync wave {app.wave}"))
            edges.append(Edge(ROOT, wave, "sync"))
        nodes.append(
            Node(node_id("app", app.name), (app.name, _what(app, plan.repo_url)), "app", wave)
        )
    for app in plan.apps:
        for before in app.after:
            edges.append(Edge(node_id("app", before), node_id("app", app.name), "after"))
        for before, kinds in app.derived_after:
            label = "derived: " + ", ".join(kinds)
            edges.append(Edge(node_id("app", before), node_id("app", app.name), "derived", label))
    edges.extend(_allowed(plan))
    traffic_nodes, traffic_edges = _traffic(plan.gateway)
    if traffic_nodes:
        groups.append(Group(TRAFFIC, "traffic"))
    return Graph(tuple(nodes + traffic_nodes), tuple(groups), tuple(edges + traffic_edges))


def _allowed(plan: Plan) -> list[Edge]:
    """The connections the NetworkPolicies allow between apps, once each (egress is open
    and ingress to charts without policies is open: only what a policy names is drawn)."""
    known = {app.name for app in plan.apps}
    found: dict[tuple[str, str], str] = {}
    for app in plan.apps:
        for policy in app.network_policies:
            for source, target, label in policy.edges:
                # an egress rule and the target's ingress rule are one connection: keep the port
                if source in known and target in known and found.get((source, target)) in (
                    None, "egress",
                ):  # fmt: skip
                    found[source, target] = label
    return [
        Edge(node_id("app", a), node_id("app", b), "allows", label)
        for (a, b), label in found.items()
    ]


def _what(app: AppPlan, tree_repo: str) -> str:
    """The second line of an app's box: its image, chart, Git source or "manifests"."""
    prefix = "ApplicationSet: " if app.generator else ""
    if app.workload is not None:
        return prefix + app.workload.container.image
    for source in app.sources:
        if source.chart:
            return f"{prefix}{source.chart}@{source.revision}"
    for source in app.sources:
        if source.repo_url != tree_repo and source.path:
            repo = source.repo_url.removesuffix(".git").rsplit("/", 1)[-1]
            return f"{prefix}{repo}@{source.revision}"
    return prefix + "manifests"


def _traffic(gateway: GatewayPlan) -> tuple[list[Node], list[Edge]]:
    if not gateway.routes:
        return [], []
    listeners = tuple(f"{ln['name']} :{ln['port']}" for ln in gateway.listeners)
    gateway_id = node_id("gateway", gateway.namespace, gateway.name)
    nodes = [
        Node(
            gateway_id,
            (f"Gateway {gateway.namespace}/{gateway.name}", *listeners),
            "gateway",
            TRAFFIC,
        )
    ]
    edges: list[Edge] = []
    seen: set[str] = set()
    for route in gateway.routes:
        route_id = node_id("route", route.namespace, route.name)
        matches = tuple(f"{host}{route.path}" for host in route.hostnames)
        rewrite = (f"rewrite → {route.rewrite}",) if route.rewrite else ()
        nodes.append(
            Node(route_id, (f"HTTPRoute {route.name}", *matches, *rewrite), "route", TRAFFIC)
        )
        service_id = node_id("service", route.service_namespace, route.service)
        if service_id not in seen:
            seen.add(service_id)
            label = f"Service {route.service_namespace}/{route.service}"
            nodes.append(Node(service_id, (label,), "service", TRAFFIC))
        edges.append(Edge(gateway_id, route_id, "traffic"))
        edges.append(Edge(route_id, service_id, "traffic", f":{route.port}"))
        edges.append(Edge(node_id("app", route.name), service_id, "runs"))
    return nodes, edges
