"""Policy for network isolation: every pod the tree defines is selected by a NetworkPolicy, and
no NetworkPolicy selects nothing.

A chart's pods are not held to HG330 (a blanket policy in a chart's namespace cuts its webhooks
and API-server traffic); hand-written pods get a note, homegen's own (labelled managed-by
homegen) a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.tree import (
    Tree,
    app_sources,
    app_spec,
    as_dict,
    as_list,
    tree_check,
)
from homegen.validate.rules.integrity_expanded import covered
from homegen.validate.rules.workloads import (
    LabelIndex,
    SelectorIndex,
    pod_templates,
    selector_matches,
)

NO_POLICY = register(
    "HG330", "network-policy-missing", "warning",
    "add a NetworkPolicy selecting the pod (homegen renders a default-deny ingress policy per "
    "service namespace), or suppress with policy.homegen.dev/HG330: <reason>",
    """A pod no NetworkPolicy selects accepts connections from every pod of the cluster on every
    port, a compromised chart pod in another namespace included (checkov CKV2_K8S_6).""",
)  # fmt: skip
SELECTS_NOTHING = register(
    "HG331", "network-policy-selects-nothing", "warning",
    "fix spec.podSelector (and the namespace) so it matches the pods it is meant for",
    """A NetworkPolicy whose podSelector matches no pod protects nothing: the pods it was
    written for stay open, usually after a label or namespace was renamed.""",
)  # fmt: skip
MANAGED_BY = "app.kubernetes.io/managed-by"


def _ingress_policies(tree: Tree) -> dict[str, SelectorIndex[dict[str, Any]]]:
    """The podSelector of each ingress policy, by namespace."""
    by_namespace: dict[str, SelectorIndex[dict[str, Any]]] = {}
    for policy in tree.kind("NetworkPolicy"):
        types = as_list(policy.spec.get("policyTypes")) or ["Ingress"]
        if "Ingress" in types:
            selector = as_dict(policy.spec.get("podSelector"))
            by_namespace.setdefault(policy.namespace, SelectorIndex()).add(selector, selector)
    return by_namespace


def check_pods_isolated(tree: Tree) -> Iterator[Finding]:
    """HG330: each pod the tree's own files define is selected by an ingress NetworkPolicy."""
    policies = _ingress_policies(tree)
    for template in pod_templates(tree):
        owner = template.owner
        if owner.doc.origin is not None:
            continue  # a chart's pod: no policy unless its app asks (docs/rules.md)
        in_namespace = policies.get(owner.namespace)
        labels = template.labels
        if in_namespace is not None and any(
            selector_matches(selector, labels) for selector in in_namespace.candidates(labels)
        ):
            continue
        item = finding(
            NO_POLICY,
            owner.where,
            f"no NetworkPolicy in {owner.namespace or 'its namespace'} selects the pods of "
            f"{owner.kind} {owner.name}: every pod of the cluster can reach them",
            path=template.path,
        )
        yield item if owner.labels.get(MANAGED_BY) == "homegen" else replace(item, severity="info")


def _opaque_namespaces(tree: Tree) -> set[str]:
    """Namespaces an app deploys into from a chart or another repository not expanded here:
    pods may run there that the tree does not show."""
    opaque = set()
    for app in tree.apps():
        namespace = as_dict(app_spec(app).get("destination")).get("namespace")
        for source in app_sources(app):
            if source.get("chart") or tree.source_folder(source) is None:
                opaque.add(str(namespace or ""))
    return opaque - covered(tree)


def check_policies_select(tree: Tree) -> Iterator[Finding]:
    """HG331: each NetworkPolicy of the tree selects at least one pod it can see."""
    opaque = _opaque_namespaces(tree)
    labels_by_namespace: dict[str, LabelIndex[dict[str, Any]]] = {}
    for template in pod_templates(tree):
        index = labels_by_namespace.setdefault(template.owner.namespace, LabelIndex())
        index.add(template.labels, template.labels)
    for policy in tree.kind("NetworkPolicy"):
        if policy.doc.origin is not None or policy.namespace in opaque:
            continue
        selector = as_dict(policy.spec.get("podSelector"))
        pods = labels_by_namespace.get(policy.namespace)
        candidates = pods.candidates(selector) if pods is not None else ()
        if not any(selector_matches(selector, labels) for labels in candidates):
            yield finding(
                SELECTS_NOTHING,
                policy.where,
                f"spec.podSelector matches no pod in namespace {policy.namespace}",
                path="/spec/podSelector",
            )


tree_check(check_pods_isolated)  # calls, not decorators: mutmut mutates undecorated functions only
tree_check(check_policies_select)
