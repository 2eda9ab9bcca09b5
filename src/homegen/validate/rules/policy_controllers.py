"""Pods that controllers create from templates in chart values or custom resources.

The ARC controller creates one listener pod per runner scale set, in the controller's own
namespace, from the scale set's ``listenerTemplate``; no workload in the tree holds that pod,
so the Pod Security rules never see it, yet admission rejects it just the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.tree import Obj, Tree, as_dict, as_list
from homegen.validate.rules.app_facts import AppFacts
from homegen.validate.rules.policy_pods import LEVELS, admission_violations, enforced_level
from homegen.validate.rules.workloads import PodTemplate

CONTROLLER_POD = register(
    "HG253", "controller-pod-security", "error",
    "give the template a securityContext that meets the namespace's level (ARC: values "
    "listenerTemplate.spec.securityContext and a `listener` container's securityContext)",
    """A controller creates these pods at run time from a template, in a namespace whose Pod
    Security level admission enforces: a template without the securityContext that level
    needs gives pods that are rejected, and the controller retries forever (ARC's listener:
    no runners ever start).""",
)  # fmt: skip
SCALE_SET_CHART = "gha-runner-scale-set"
CONTROLLER_CHART = "gha-runner-scale-set-controller"
CONTROLLER_PART_OF = "gha-rs-controller"


def _levels(tree: Tree) -> dict[str, int]:
    found: dict[str, int] = {}
    for ns in tree.kind("Namespace"):
        level = enforced_level(ns)
        if level is not None:
            found[ns.name] = level
    return found


def _controller_namespaces(tree: Tree, apps: list[AppFacts]) -> set[str]:
    """Where the ARC controller runs: its chart app's destination, or its Deployment."""
    found = {
        facts.namespace
        for facts in apps
        if any(chart == CONTROLLER_CHART for chart, _ in facts.charts) and facts.namespace
    }
    for item in tree.kind("Deployment"):
        if item.labels.get("app.kubernetes.io/part-of") == CONTROLLER_PART_OF:
            found.add(item.namespace)
    return found


def listener_pod(template: Any) -> dict[str, Any]:
    """The listener pod spec ARC builds: the template's spec, its `listener` container merged
    into the default one (which sets no securityContext), other containers as sidecars."""
    spec = as_dict(as_dict(template).get("spec"))
    containers = [as_dict(c) for c in as_list(spec.get("containers"))]
    listener = next((c for c in containers if c.get("name") == "listener"), {"name": "listener"})
    sidecars = [c for c in containers if c.get("name") != "listener"]
    return {**spec, "containers": [listener, *sidecars]}


def check_listener_pods(tree: Tree, apps: list[AppFacts]) -> Iterator[Finding]:
    """HG253: ARC listener pods (from listenerTemplate) against their namespace's level."""
    levels = _levels(tree)
    controllers = _controller_namespaces(tree, apps)
    default_ns = next(iter(controllers)) if len(controllers) == 1 else None
    for item in tree.kind("AutoscalingRunnerSet"):
        path = "/spec/listenerTemplate/spec"
        yield from _check(item, item.spec.get("listenerTemplate"), default_ns, levels, path)
    for facts in apps:
        if any(o.kind == "AutoscalingRunnerSet" for o in facts.objects):
            continue  # the chart was expanded: its AutoscalingRunnerSet is checked above
        for chart, values in facts.charts:
            if chart == SCALE_SET_CHART:
                account = as_dict(values.get("controllerServiceAccount"))
                namespace = account.get("namespace")
                ns = namespace if isinstance(namespace, str) and namespace else default_ns
                yield from _check(facts.app, values.get("listenerTemplate"), ns, levels, "")


def _check(
    owner: Obj, template: Any, namespace: str | None, levels: dict[str, int], path: str
) -> Iterator[Finding]:
    if namespace is None or namespace not in levels:
        return  # where the pod runs, or what that namespace enforces, is not in the tree
    level = levels[namespace]
    name = next(k for k, v in LEVELS.items() if v == level)
    pod = PodTemplate(owner, {}, listener_pod(template), path)
    problems = [f"{message} ({rule.id})" for rule, message, _ in admission_violations(pod, level)]
    if problems:
        yield finding(
            CONTROLLER_POD, owner.where,
            f"the ARC listener pod created in {namespace} (enforces {name}) would be rejected: "
            + "; ".join(problems),
            path=path,
        )  # fmt: skip
