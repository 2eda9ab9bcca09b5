"""Workloads seen uniformly: the pod template of each kind, its containers, label selectors."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from homegen.validate.reader.tree import Obj, Tree, as_dict, as_list, from_chart

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


@dataclass(frozen=True)
class PodTemplate:
    """A workload's pod: its labels, spec and annotations (for a Pod, the Pod itself)."""

    owner: Obj
    labels: dict[str, Any]
    spec: dict[str, Any]
    path: str  # JSON path of the pod spec inside the owner; its metadata is beside it
    annotations: dict[str, Any] = dataclasses.field(default_factory=dict)

    def containers(self, *, init: bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
        """(JSON path, container) of every container, init and ephemeral ones included."""
        fields = (
            ("containers", "initContainers", "ephemeralContainers") if init else ("containers",)
        )
        for field in fields:
            for i, container in enumerate(as_list(self.spec.get(field))):
                yield f"{self.path}/{field}/{i}", as_dict(container)


def pod_template(item: Obj) -> PodTemplate | None:
    """The pod template of a workload, or None for other kinds."""
    obj = item.obj
    if item.kind == "Pod":
        return PodTemplate(item, item.labels, as_dict(obj.get("spec")), "/spec", item.annotations)
    if item.kind == "CronJob":
        job = as_dict(as_dict(item.spec.get("jobTemplate")).get("spec"))
        template, path = as_dict(job.get("template")), "/spec/jobTemplate/spec/template"
    elif item.kind in WORKLOAD_KINDS:
        template, path = as_dict(item.spec.get("template")), "/spec/template"
    else:
        return None
    meta = as_dict(template.get("metadata"))
    return PodTemplate(
        item,
        as_dict(meta.get("labels")),
        as_dict(template.get("spec")),
        path + "/spec",
        as_dict(meta.get("annotations")),
    )


def pod_templates(tree: Tree) -> Iterator[PodTemplate]:
    """Pod templates of every workload of the tree."""
    for item in tree.kind(*WORKLOAD_KINDS):
        template = pod_template(item)
        if template is not None:
            yield template


def own_pod_templates(tree: Tree) -> Iterator[PodTemplate]:
    """Pod templates of the tree's own workloads: homegen's hardening checklist is held to
    the files of the tree and what Kustomize builds from them, not to what a chart renders
    (that meets Pod Security admission, checked by HG320/HG321)."""
    for template in pod_templates(tree):
        if not from_chart(template.owner):
            yield template


def _expression_matches(expr: dict[str, Any], labels: dict[str, Any]) -> bool:
    key, op = expr.get("key"), expr.get("operator")
    if not isinstance(key, str):
        return False  # a malformed key (the schema reports it) selects nothing
    values = [str(v) for v in as_list(expr.get("values"))]
    if op == "In":
        return key in labels and str(labels[key]) in values
    if op == "NotIn":
        return key not in labels or str(labels[key]) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    return False


def selector_matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) selects ``labels``."""
    for key, value in as_dict(selector.get("matchLabels")).items():
        if key not in labels or str(labels[key]) != str(value):
            return False
    return all(
        _expression_matches(as_dict(e), labels) for e in as_list(selector.get("matchExpressions"))
    )


T = TypeVar("T")
# one matchLabels entry as selector_matches compares it: the key, the value as text
_Pair = tuple[Any, str]


def _first_pair(selector: dict[str, Any]) -> _Pair | None:
    """One matchLabels entry of a selector (every label set it selects has it), or None."""
    for key, value in as_dict(selector.get("matchLabels")).items():
        return key, str(value)
    return None


class LabelIndex(Generic[T]):
    """Items with labels (pod templates), by each of their labels: the items a selector may
    select are those carrying its first matchLabels entry, not every item of the namespace
    (a scan of them all per selector grew with the square of a namespace's workloads)."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._by_pair: dict[_Pair, list[T]] = {}

    def add(self, item: T, labels: dict[str, Any]) -> None:
        self.items.append(item)
        for key, value in labels.items():
            self._by_pair.setdefault((key, str(value)), []).append(item)

    def candidates(self, selector: dict[str, Any]) -> Sequence[T]:
        """A superset of the items selector selects, in the order they were added."""
        pair = _first_pair(selector)
        return self.items if pair is None else self._by_pair.get(pair, ())


class SelectorIndex(Generic[T]):
    """Items with a selector (NetworkPolicies), by their selector's first matchLabels entry:
    the items that may select a label set are those filed under one of its labels."""

    def __init__(self) -> None:
        self._any: list[T] = []  # no matchLabels: only the expressions decide
        self._by_pair: dict[_Pair, list[T]] = {}

    def add(self, item: T, selector: dict[str, Any]) -> None:
        pair = _first_pair(selector)
        (self._any if pair is None else self._by_pair.setdefault(pair, [])).append(item)

    def candidates(self, labels: dict[str, Any]) -> Iterator[T]:
        """A superset of the items whose selector selects labels."""
        yield from self._any
        for key, value in labels.items():
            yield from self._by_pair.get((key, str(value)), ())
