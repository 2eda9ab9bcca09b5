"""Checks only expansion makes possible: what a chart renders, seen beside the tree.

Each check looks at a namespace only when every source that deploys into it was expanded
(``covered``): with a chart missing, an absent Service or ServiceAccount proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.tree import Obj, Tree, as_dict, as_list, tree_check
from homegen.validate.rules.integrity_gateway import EXTERNAL_BACKENDS, _backends
from homegen.validate.rules.unknown import never_applied

BACKEND_MISSING = register(
    "HG230", "chart-backend-missing", "error",
    "route to a Service the chart creates (see the expanded objects of its app)",
    """A route marked homegen.dev/external-backends trusts that a chart creates its backend;
    with the chart expanded that guess is checked: a Service the chart never creates answers
    500 for every request.""",
)  # fmt: skip
BACKEND_PORT = register(
    "HG231", "chart-backend-port-missing", "error",
    "use a port the chart's Service declares (spec.ports[].port)",
    """A backend port the chart's Service does not expose gets no endpoints.""",
)  # fmt: skip
DEFINED_TWICE = register(
    "HG232", "object-defined-twice", "error",
    "let one source define the object: turn it off in the chart's values, or drop the other",
    """Two sources rendering one object (a chart and homegen's manifests, two charts, two
    elements of an ApplicationSet) fight over it: each sync overwrites the other, ArgoCD shows
    the apps out of sync forever, and pruning one deletes the other's object.""",
)  # fmt: skip
SUBJECT_MISSING = register(
    "HG233", "binding-subject-missing", "error",
    "bind the ServiceAccount the chart creates (check its name and namespace)",
    """A RoleBinding or ClusterRoleBinding to a ServiceAccount nothing creates grants nothing:
    the workload that needed the permissions fails with 403s.""",
)  # fmt: skip


def covered(tree: Tree) -> set[str]:
    """Namespaces whose every chart or kustomize source was expanded."""
    expansion = tree.expansion
    if expansion is None:
        return set()
    made = {o.doc.origin.namespace for o in tree.objects if o.doc.origin is not None}
    made |= {o.namespace for o in tree.objects if o.doc.origin is not None}
    return {ns for ns in made if ns} - set(expansion.incomplete)


def describe(tree: Tree, item: Obj) -> str:
    """Where an object comes from: its app and chart template, or its file and apps."""
    origin = item.doc.origin
    if origin is not None:
        return f"app {origin.app} ({origin.source}: {origin.template})"
    apps = sorted({a.name for a in tree.synced_by.get(item.doc.file, ())})
    owner = f"app {', '.join(apps)} " if apps else ""
    return f"{owner}({item.doc.file}:{item.doc.line})"


def check_chart_backends(tree: Tree) -> Iterator[Finding]:
    """HG230/HG231: routes that trust a chart for their backend reach a real Service and port."""
    namespaces = covered(tree)
    for route in tree.kind("HTTPRoute"):
        if str(route.annotations.get(EXTERNAL_BACKENDS, "")).lower() != "true":
            continue
        for ref in _backends(route):
            name = str(ref.get("name", ""))
            namespace = str(ref.get("namespace") or route.namespace)
            if namespace not in namespaces:
                continue
            service = tree.get("Service", namespace, name)
            if service is None:
                yield finding(
                    BACKEND_MISSING, route.where,
                    f"Service {namespace}/{name} is created by no expanded chart",
                )  # fmt: skip
                continue
            ports = [as_dict(p).get("port") for p in as_list(service.spec.get("ports"))]
            if ref.get("port") not in ports:
                yield finding(
                    BACKEND_PORT, route.where,
                    f"Service {namespace}/{name} of {describe(tree, service)} has no port "
                    f"{ref.get('port')} (ports: {', '.join(map(str, ports)) or 'none'})",
                )  # fmt: skip


def _source_key(item: Obj) -> tuple[str, str]:
    origin = item.doc.origin
    if origin is not None:
        return (origin.app, origin.source)
    return ("", item.doc.file)


def check_defined_twice(tree: Tree) -> Iterator[Finding]:
    """HG232: no object is rendered by two sources when a chart is one of them."""
    for items in tree.by_key.values():
        items = [i for i in items if not never_applied(tree, i)]
        if len(items) < 2 or all(i.doc.origin is None for i in items):
            continue
        first = items[0]
        for item in items[1:]:
            if _source_key(item) != _source_key(first):
                yield finding(
                    DEFINED_TWICE, item.where,
                    f"defined by {describe(tree, item)} and by {describe(tree, first)}",
                )  # fmt: skip


def check_binding_subjects(tree: Tree) -> Iterator[Finding]:
    """HG233: every ServiceAccount a binding names exists in the expanded tree."""
    namespaces = covered(tree)
    if not namespaces:
        return
    for binding in tree.kind("RoleBinding", "ClusterRoleBinding"):
        for subject in as_list(binding.obj.get("subjects")):
            subject = as_dict(subject)
            if subject.get("kind") != "ServiceAccount":
                continue
            name = str(subject.get("name") or "")
            namespace = str(subject.get("namespace") or binding.namespace)
            if name == "default" or namespace not in namespaces:
                continue
            if tree.get("ServiceAccount", namespace, name) is None:
                yield finding(
                    SUBJECT_MISSING, binding.where,
                    f"ServiceAccount {namespace}/{name} is created by nothing in the expanded "
                    "tree",
                )  # fmt: skip


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated.
tree_check(check_chart_backends)
tree_check(check_defined_twice)
tree_check(check_binding_subjects)
