"""What homegen knows about the StorageClasses well-known storage charts create.

A small built-in table, like the CRD table of ``homegen.crds``: when a tree installs one of
these charts, the classes it creates exist even where the chart is not expanded (not in
``--charts``, not in the cache). Each entry names the chart's default classes and the values
keys that rename or add them. Once the chart is expanded, its StorageClass objects say more.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StorageChart:
    """The classes a chart creates by default, and where its values name them."""

    defaults: tuple[str, ...]
    # dotted keys of a class name (``storageClass.name``) or of a list of classes whose items
    # carry a name (``storageClasses[]`` / ``cephBlockPools[].storageClass``)
    name_keys: tuple[str, ...] = ()


STORAGE_CHARTS: dict[str, StorageChart] = {
    # the manager creates "longhorn-static" beside the chart's "longhorn" (Longhorn 1.5+)
    "longhorn": StorageChart(("longhorn", "longhorn-static")),
    "nfs-subdir-external-provisioner": StorageChart(("nfs-client",), ("storageClass.name",)),
    "local-path-provisioner": StorageChart(("local-path",), ("storageClass.name",)),
    "democratic-csi": StorageChart((), ("storageClasses[]",)),
    "openebs": StorageChart(("openebs-hostpath",), ("localpv-provisioner.hostpathClass.name",)),
    "localpv-provisioner": StorageChart(("openebs-hostpath",), ("hostpathClass.name",)),
    "rook-ceph-cluster": StorageChart(
        ("ceph-block", "ceph-filesystem", "ceph-bucket"),
        (
            "cephBlockPools[].storageClass",
            "cephFileSystems[].storageClass",
            "cephObjectStores[].storageClass",
        ),
    ),
}


def chart_storage_classes(chart: str, values: dict[str, Any]) -> set[str]:
    """The StorageClasses a chart of the table creates with these values (empty: unknown)."""
    known = STORAGE_CHARTS.get(chart)
    if known is None:
        return set()
    named = {name for key in known.name_keys for name in _names(values, key.split("."))}
    return named or set(known.defaults)


def _names(value: Any, keys: list[str]) -> Iterator[str]:
    """Class names at a dotted key; ``x[]`` walks a list, whose items (or their ``name``)
    are the classes."""
    if not keys:
        name = value.get("name") if isinstance(value, dict) else value
        if isinstance(name, str) and name:
            yield name
        return
    key, rest = keys[0], keys[1:]
    if not isinstance(value, dict):
        return
    if key.endswith("[]"):
        items = value.get(key[:-2])
        for item in items if isinstance(items, list) else []:
            yield from _names(item, rest)
    else:
        yield from _names(value.get(key), rest)
