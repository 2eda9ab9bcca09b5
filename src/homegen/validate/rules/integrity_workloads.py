"""Integrity of workloads: Service and workload selectors, probe ports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.validate.findings import Finding, finding, not_verified, register
from homegen.validate.reader.tree import Tree, as_dict, as_list, homegen_made, tree_check
from homegen.validate.rules.unknown import never_applied, not_expanded, selects_argocd
from homegen.validate.rules.workloads import (
    LabelIndex,
    PodTemplate,
    pod_templates,
    selector_matches,
)

SERVICE_SELECTS_NOTHING = register(
    "HG214", "service-selects-nothing", "error",
    "make spec.selector equal labels of the workload's pod template (same namespace)",
    """A Service whose selector matches no pod has no endpoints: every request fails.""",
)  # fmt: skip
SELECTOR_MISMATCH = register(
    "HG215", "selector-mismatch", "error",
    "make spec.selector.matchLabels a subset of spec.template.metadata.labels",
    """The API server rejects a workload whose selector does not match its own pod template.""",
)  # fmt: skip
PROBE_PORT = register(
    "HG216", "probe-port-missing", "error",
    "probe a port the container declares in ports[] (by number or name)",
    """A probe on a port the container does not serve fails: the pod is never ready or is
    restarted in a loop.""",
)  # fmt: skip
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def check_workload_selectors(tree: Tree) -> Iterator[Finding]:
    """HG215: a workload's selector matches its own pod template labels (a Pod or CronJob has
    no spec.selector, and a Job usually none: the empty selector matches every pod)."""
    for template in pod_templates(tree):
        owner = template.owner
        selector = as_dict(owner.spec.get("selector"))
        if not selector_matches(selector, template.labels):
            yield finding(
                SELECTOR_MISMATCH, owner.where,
                "spec.selector does not match the pod template's labels",
                path="/spec/selector",
            )  # fmt: skip


def check_service_selectors(tree: Tree) -> Iterator[Finding]:
    """HG214: every Service selector selects the pods of a workload in its namespace."""
    templates: dict[str, LabelIndex[PodTemplate]] = {}
    for template in pod_templates(tree):
        index = templates.setdefault(template.owner.namespace, LabelIndex())
        index.add(template, template.labels)
    for service in tree.kind("Service"):
        selector = as_dict(service.spec.get("selector"))
        if not selector or never_applied(tree, service):
            continue
        wanted = {"matchLabels": selector}
        pods = templates.get(service.namespace)
        in_namespace = pods.candidates(wanted) if pods is not None else ()
        if selects_argocd(tree, service.namespace, selector):
            continue
        if not any(selector_matches(wanted, t.labels) for t in in_namespace):
            shown = ",".join(f"{k}={v}" for k, v in selector.items())
            found = finding(
                SERVICE_SELECTS_NOTHING, service.where,
                f"selector {shown} matches no workload in namespace {service.namespace}",
                path="/spec/selector",
            )  # fmt: skip
            unknown = not_expanded(tree, service.namespace)
            yield not_verified(found, unknown) if unknown else found


def _probe_port(probe: dict[str, Any]) -> Any:
    for handler in ("httpGet", "tcpSocket", "grpc"):
        if handler in probe:
            return as_dict(probe[handler]).get("port")
    return None


def _declared(port: Any, ports: list[dict[str, Any]]) -> bool:
    """Whether a probe's port (a name, a number, or a number written as text) is declared.
    Lists, not sets: a malformed port (a list, a mapping) is compared, never hashed."""
    if isinstance(port, str) and not port.isdecimal():
        return port in [p.get("name") for p in ports]
    number = int(port) if isinstance(port, str) else port
    return number in [p.get("containerPort") for p in ports]


def _probed(template: PodTemplate) -> Iterator[tuple[str, dict[str, Any]]]:
    """Containers whose probes run: app containers and sidecars (init containers that keep
    running, restartPolicy: Always); the API refuses probes on other init containers."""
    for path, container in template.containers():
        if "/containers/" in path or container.get("restartPolicy") == "Always":
            yield path, container


def check_probe_ports(tree: Tree) -> Iterator[Finding]:
    """HG216: a probe's named port is declared by its container. The kubelet probes any port
    number, so a number need be declared only in homegen's own tree (its checklist declares
    every port a container serves)."""
    for template in pod_templates(tree):
        numbers = homegen_made(template.owner)
        for path, container in _probed(template):
            ports = [as_dict(p) for p in as_list(container.get("ports"))]
            for probe_name in PROBES:
                port = _probe_port(as_dict(container.get(probe_name)))
                named = isinstance(port, str) and not port.isdecimal()
                if port is not None and (named or numbers) and not _declared(port, ports):
                    yield finding(
                        PROBE_PORT, template.owner.where,
                        f"{probe_name} of container {container.get('name')} uses port {port!r}, "
                        "which the container does not declare",
                        path=f"{path}/{probe_name}",
                    )  # fmt: skip


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated,
# and these bodies are the rules mutation testing must reach (tests/mutate.py).
tree_check(check_workload_selectors)
tree_check(check_service_selectors)
tree_check(check_probe_ports)
