"""Pod Security admission for what charts render: HG320 (baseline) and HG321 (restricted).

homegen's hardening checklist (HG301-HG319) holds the tree's own workloads to more than
admission asks; a chart's pods are held to exactly what the API server refuses, against the
``pod-security.kubernetes.io/enforce`` label of their namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.tree import Tree, from_chart, tree_check
from homegen.validate.rules.pod_security import LEVEL_CHECKS
from homegen.validate.rules.workloads import pod_templates

ENFORCE = "pod-security.kubernetes.io/enforce"

BASELINE = register(
    "HG320", "pod-security-baseline", "error",
    "set the chart's securityContext values so its pods meet Pod Security baseline",
    """The namespace enforces Pod Security baseline or restricted: the API server refuses to
    create the pods, so the chart's workload never runs (ArgoCD shows the ReplicaSet
    failing, not the reason).""",
)  # fmt: skip
RESTRICTED = register(
    "HG321", "pod-security-restricted", "error",
    "set the chart's securityContext values (runAsNonRoot, allowPrivilegeEscalation: false, "
    "seccompProfile RuntimeDefault, capabilities drop ALL)",
    """The namespace enforces Pod Security restricted: the API server refuses pods that miss
    any of its controls, so the chart's workload never runs.""",
)  # fmt: skip
_RULES = {"baseline": BASELINE, "restricted": RESTRICTED}


def check_admission(tree: Tree) -> Iterator[Finding]:
    """HG320/HG321: expanded pods pass their namespace's enforced Pod Security level."""
    enforced = {ns.name: str(ns.labels.get(ENFORCE)) for ns in tree.kind("Namespace")}
    levels = {name: level for name, level in enforced.items() if level in LEVEL_CHECKS}
    for template in pod_templates(tree):
        owner = template.owner
        level = levels.get(owner.namespace)
        if not from_chart(owner) or level is None:
            continue
        for violated, message, path in LEVEL_CHECKS[level](
            template.spec, template.annotations, template.path
        ):
            yield finding(
                _RULES[violated], owner.where,
                f"{message}: namespace {owner.namespace} enforces Pod Security {level}",
                path=path,
            )  # fmt: skip


tree_check(check_admission)  # a call, not a decorator: mutmut mutates undecorated functions only
