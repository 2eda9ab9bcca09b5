"""Integrity of storage: every claim names a StorageClass that something provides."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from homegen.storage_charts import chart_storage_classes
from homegen.validate.findings import Finding, finding, not_verified, register
from homegen.validate.reader.tree import Obj, Tree, as_dict, as_list, homegen_made
from homegen.validate.rules.app_facts import AppFacts
from homegen.validate.rules.unknown import unexpanded_apps

STORAGE_CLASS_MISSING = register(
    "HG252", "storage-class-missing", "error",
    "install a provisioner for it in the tree (a StorageClass object), declare it in "
    "[cluster] storage_classes (validate: --storage-class), or name a class that exists",
    """A PersistentVolumeClaim naming a StorageClass nothing provides stays Pending forever,
    and so does every pod that mounts it (a Talos cluster has no StorageClass at all).""",
)  # fmt: skip
# values keys charts use for the StorageClass of the claims they render
_VALUES_KEYS = frozenset({"storageClassName", "storageClass"})


def _provided(tree: Tree) -> set[str]:
    return {o.name for o in tree.kind("StorageClass")} | set(tree.storage_classes)


def _claims(item: Obj) -> Iterator[tuple[str, Any]]:
    """(JSON path, storageClassName) of a claim or a StatefulSet's claim templates."""
    if item.kind == "PersistentVolumeClaim":
        yield "/spec/storageClassName", item.spec.get("storageClassName")
    elif item.kind == "StatefulSet":
        for i, template in enumerate(as_list(item.spec.get("volumeClaimTemplates"))):
            spec = as_dict(as_dict(template).get("spec"))
            yield (
                f"/spec/volumeClaimTemplates/{i}/spec/storageClassName",
                spec.get("storageClassName"),
            )


def check_storage_classes(tree: Tree, apps: list[AppFacts]) -> Iterator[Finding]:
    """HG252: claims (and chart values that set a claim's class) naming a missing class.
    A well-known storage chart of the tree provides its classes, expanded or not; while any
    source is not expanded, a class it might provide is a note, not an error."""
    provided = _provided(tree)
    for facts in apps:
        for chart, values in facts.charts:
            provided |= chart_storage_classes(chart, values)
    unknown = ", ".join(unexpanded_apps(tree))
    for item in tree.kind("PersistentVolumeClaim", "StatefulSet"):
        for path, name in _claims(item):
            # unset: the cluster's default class; "": no dynamic provisioning (a PV by hand)
            if isinstance(name, str) and name and name not in provided:
                found = finding(
                    STORAGE_CLASS_MISSING, item.where,
                    f"claims StorageClass {name!r}, which nothing provides"
                    f"{_known(provided)}", path=path,
                )  # fmt: skip
                yield _unless_unknown(found, item, unknown)
    for facts in apps:
        for chart, values in facts.charts:
            for path, name in _values_classes(values):
                if name not in provided:
                    found = finding(
                        STORAGE_CLASS_MISSING, facts.app.where,
                        f"chart {chart} is given StorageClass {name!r} ({path}), which nothing "
                        f"provides{_known(provided)}",
                    )  # fmt: skip
                    yield _unless_unknown(found, facts.app, unknown)


def _unless_unknown(found: Finding, item: Obj, unknown: str) -> Finding:
    """A note while sources are not expanded, in a hand-written tree: homegen's own tree
    declares the classes the cluster has ([cluster] storage_classes), so there it is sure."""
    return not_verified(found, unknown) if unknown and not homegen_made(item) else found


def _known(provided: set[str]) -> str:
    return f" (known: {', '.join(sorted(provided))})" if provided else " (the tree has none)"


def _values_classes(values: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, class) of every non-empty storageClass(Name) string in chart values."""
    if isinstance(values, dict):
        for key, value in values.items():
            here = f"{path}.{key}" if path else str(key)
            if key in _VALUES_KEYS and isinstance(value, str) and value and value != "-":
                yield here, value
            else:
                yield from _values_classes(value, here)
    elif isinstance(values, list):
        for i, value in enumerate(values):
            yield from _values_classes(value, f"{path}[{i}]")
