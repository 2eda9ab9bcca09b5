"""Integrity of Gateway API routing: parents, listeners, backends, grants, route conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from homegen.validate.findings import Finding, finding, not_verified, register
from homegen.validate.reader.tree import (
    Obj,
    Tree,
    as_dict,
    as_list,
    homegen_made,
    tree_check,
)
from homegen.validate.rules.unknown import (
    ARGOCD_SERVER_PORTS,
    argocd_namespaces,
    never_applied,
    not_expanded,
)
from homegen.validate.rules.workloads import selector_matches

GATEWAY_GROUP = "gateway.networking.k8s.io"
EXTERNAL_BACKENDS = "homegen.dev/external-backends"

PARENT_MISSING = register(
    "HG207", "route-parent-missing", "error",
    "name a Gateway (and namespace) that exists in the tree",
    """A route whose parent Gateway does not exist is never attached: the path returns 404.""",
)  # fmt: skip
LISTENER_MISMATCH = register(
    "HG208", "route-listener-mismatch", "error",
    "use the sectionName and port of one of the Gateway's listeners",
    """A parentRef whose sectionName or port matches no listener is not attached; note the
    listener port is the controller's entrypoint (8000), not the Service port (80).""",
)  # fmt: skip
NOT_ALLOWED = register(
    "HG209", "route-not-allowed", "error",
    "let the listener's allowedRoutes admit the route's namespace and kind",
    """A listener admits routes from its own namespace unless allowedRoutes says otherwise; a
    route it does not admit is rejected.""",
)  # fmt: skip
BACKEND_MISSING = register(
    "HG210", "backend-missing", "error",
    "name a Service in the tree, or annotate the route homegen.dev/external-backends: \"true\"",
    """A backendRef to a Service that does not exist answers 500 for every request.""",
)  # fmt: skip
BACKEND_PORT = register(
    "HG211", "backend-port-missing", "error",
    "use a port the Service declares (spec.ports[].port, not the targetPort)",
    """A backend port the Service does not expose gets no endpoints.""",
)  # fmt: skip
GRANT_MISSING = register(
    "HG212", "reference-grant-missing", "error",
    "add a ReferenceGrant in the backend's namespace from HTTPRoute in the route's namespace "
    "to this Service",
    """A cross-namespace backendRef without a ReferenceGrant is refused (ResolvedRefs false).""",
)  # fmt: skip
GRANT_BROAD = register(
    "HG213", "reference-grant-too-broad", "warning",
    "name the Service in the grant's `to` entry",
    """A grant without a name lets routes reach every Service of the namespace; least
    privilege names the one Service that is needed.""",
)  # fmt: skip
ROUTE_CONFLICT = register(
    "HG217", "route-conflict", "error",
    "give each route its own hostname or path",
    """Two routes claiming the same hostname and path on one Gateway: only one wins, by age,
    so which service answers depends on creation order.""",
)  # fmt: skip


def _parents(route: Obj) -> Iterator[tuple[dict[str, Any], str, str]]:
    for ref in as_list(route.spec.get("parentRefs")):
        ref = as_dict(ref)
        if (
            ref.get("group", GATEWAY_GROUP) == GATEWAY_GROUP
            and ref.get("kind", "Gateway") == "Gateway"
        ):
            yield ref, str(ref.get("namespace") or route.namespace), str(ref.get("name", ""))


def _admits(tree: Tree, gateway: Obj, listener: dict[str, Any], route: Obj) -> bool:
    allowed = as_dict(listener.get("allowedRoutes"))
    kinds = as_list(allowed.get("kinds"))
    if kinds and not any(as_dict(k).get("kind") == route.kind for k in kinds):
        return False
    if not kinds and str(listener.get("protocol", "HTTP")) not in ("HTTP", "HTTPS"):
        return False
    namespaces = as_dict(allowed.get("namespaces"))
    source = namespaces.get("from", "Same")
    if source == "All":
        return True
    if source == "Selector":
        ns = tree.get("Namespace", "", route.namespace)
        labels = dict(ns.labels) if ns else {}
        labels.setdefault("kubernetes.io/metadata.name", route.namespace)
        return selector_matches(as_dict(namespaces.get("selector")), labels)
    return route.namespace == gateway.namespace


def check_parents(tree: Tree) -> Iterator[Finding]:
    """HG207/HG208/HG209: parent Gateways and listeners exist and admit the route."""
    for route in tree.kind("HTTPRoute"):
        for ref, namespace, name in _parents(route):
            gateway = tree.get("Gateway", namespace, name)
            if gateway is None:
                found = finding(
                    PARENT_MISSING, route.where, f"Gateway {namespace}/{name} does not exist"
                )
                unknown = not_expanded(tree, namespace)
                yield not_verified(found, unknown) if unknown else found
                continue
            listeners = [as_dict(x) for x in as_list(gateway.spec.get("listeners"))]
            section, port = ref.get("sectionName"), ref.get("port")
            matching = [
                x for x in listeners
                if (section is None or x.get("name") == section)
                and (port is None or x.get("port") == port)
            ]  # fmt: skip
            if not matching:
                wanted = ", ".join(
                    f"{k} {v}"
                    for k, v in (("sectionName", section), ("port", port))
                    if v is not None
                )
                have = ", ".join(f"{x.get('name')}:{x.get('port')}" for x in listeners)
                yield finding(
                    LISTENER_MISMATCH, route.where,
                    f"Gateway {namespace}/{name} has no listener with {wanted} (listeners: {have})",
                )  # fmt: skip
            elif not any(_admits(tree, gateway, x, route) for x in matching):
                yield finding(
                    NOT_ALLOWED, route.where,
                    f"no listener of Gateway {namespace}/{name} admits {route.kind} from "
                    f"namespace {route.namespace}",
                )  # fmt: skip


def _backends(route: Obj) -> Iterator[dict[str, Any]]:
    for rule in as_list(route.spec.get("rules")):
        for ref in as_list(as_dict(rule).get("backendRefs")):
            ref = as_dict(ref)
            if ref.get("group", "") == "" and ref.get("kind", "Service") == "Service":
                yield ref


def _granted(grants: dict[str, list[Obj]], route: Obj, namespace: str, service: str) -> bool:
    for grant in grants.get(namespace, ()):
        sources = any(
            as_dict(f).get("group") == GATEWAY_GROUP
            and as_dict(f).get("kind") == route.kind
            and as_dict(f).get("namespace") == route.namespace
            for f in as_list(grant.spec.get("from"))
        )
        targets = any(
            as_dict(t).get("group", "") == ""
            and as_dict(t).get("kind") == "Service"
            and as_dict(t).get("name", service) == service
            for t in as_list(grant.spec.get("to"))
        )
        if sources and targets:
            return True
    return False


def check_backends(tree: Tree) -> Iterator[Finding]:
    """HG210/HG211/HG212: backend Services and ports exist; cross-namespace ones are granted."""
    grants: dict[str, list[Obj]] = {}
    for grant in tree.kind("ReferenceGrant"):
        grants.setdefault(grant.namespace, []).append(grant)
    for route in tree.kind("HTTPRoute"):
        if never_applied(tree, route):
            continue
        external = str(route.annotations.get(EXTERNAL_BACKENDS, "")).lower() == "true"
        for ref in _backends(route):
            name = str(ref.get("name", ""))
            namespace = str(ref.get("namespace") or route.namespace)
            if namespace != route.namespace and not _granted(grants, route, namespace, name):
                found = finding(
                    GRANT_MISSING, route.where,
                    f"no ReferenceGrant in {namespace} lets {route.kind} from {route.namespace} "
                    f"reach Service {name}",
                )  # fmt: skip
                unknown = not_expanded(tree, namespace)
                yield not_verified(found, unknown) if unknown else found
            if not external:
                yield from _backend_exists(tree, route, ref, namespace, name)


HAND_WRITTEN_FIX = "name a Service that exists (check its name, namespace and the app creating it)"


def _backend_exists(
    tree: Tree, route: Obj, ref: dict[str, Any], namespace: str, name: str
) -> Iterator[Finding]:
    """HG210/HG211 for one backendRef: a note when the namespace is not fully known."""
    unknown = not_expanded(tree, namespace)
    service = tree.get("Service", namespace, name)
    if service is None:
        if name == "argocd-server" and namespace in argocd_namespaces(tree):
            ports: list[Any] = list(ARGOCD_SERVER_PORTS)  # ArgoCD's own, wherever it runs
        else:
            fix = None if homegen_made(route) else HAND_WRITTEN_FIX
            found = finding(
                BACKEND_MISSING, route.where, f"Service {namespace}/{name} does not exist", fix=fix
            )
            yield not_verified(found, unknown) if unknown else found
            return
    else:
        ports = [as_dict(p).get("port") for p in as_list(service.spec.get("ports"))]
    if ref.get("port") not in ports:
        found = finding(
            BACKEND_PORT, route.where,
            f"Service {namespace}/{name} has no port {ref.get('port')} (ports: "
            f"{', '.join(map(str, ports)) or 'none'})",
        )  # fmt: skip
        yield found


def check_grant_scope(tree: Tree) -> Iterator[Finding]:
    """HG213: ReferenceGrants name the Service they allow."""
    for grant in tree.kind("ReferenceGrant"):
        for target in as_list(grant.spec.get("to")):
            target = as_dict(target)
            if target.get("kind") == "Service" and not target.get("name"):
                yield finding(GRANT_BROAD, grant.where, "allows every Service of the namespace")


def _claims(route: Obj) -> Iterator[tuple[str, ...]]:
    parents = sorted(f"{ns}/{name}" for _ref, ns, name in _parents(route)) or [""]
    hostnames = [str(h) for h in as_list(route.spec.get("hostnames"))] or ["*"]
    for rule in as_list(route.spec.get("rules")):
        for match in as_list(as_dict(rule).get("matches")) or [{}]:
            match = as_dict(match)
            path = as_dict(match.get("path"))
            rest = json.dumps({k: v for k, v in match.items() if k != "path"}, sort_keys=True)
            kind, value = str(path.get("type", "PathPrefix")), str(path.get("value", "/"))
            for parent in parents:
                for host in hostnames:
                    yield (parent, host, kind, value, rest)


def check_route_conflicts(tree: Tree) -> Iterator[Finding]:
    """HG217: no two routes claim the same hostname and path on one Gateway."""
    owner: dict[tuple[str, ...], Obj] = {}
    for route in tree.kind("HTTPRoute"):
        if never_applied(tree, route):
            continue
        reported = False
        for claim in _claims(route):
            first = owner.setdefault(claim, route)
            if first is not route and not reported:
                reported = True
                yield finding(
                    ROUTE_CONFLICT, route.where,
                    f"hostname {claim[1]} path {claim[3]} is also claimed by {first.where.object}",
                )  # fmt: skip


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated,
# and these bodies are the rules mutation testing must reach (tests/mutate.py).
tree_check(check_parents)
tree_check(check_backends)
tree_check(check_grant_scope)
tree_check(check_route_conflicts)
