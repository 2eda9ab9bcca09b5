"""The ``--kube-version`` and ``--api-versions`` ArgoCD passes to ``helm template``.

ArgoCD passes the destination cluster's API resources, as ``group/version`` and
``group/version/Kind``. Offline, homegen's stand-in for that cluster is the core kinds of
``[cluster] kubernetes_version`` (from kubernetes-validate's schemas) plus every CRD the
tree installs: CRD manifests of the tree and the ``crds/`` folders of its charts. CRDs a chart
renders from templates are not counted (on a first sync the cluster does not have them yet).
Without API versions Helm's defaults know ``policy/v1`` but not
``policy/v1/PodDisruptionBudget``, so a chart that asks for the kind renders no PDB.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def kube_version(version: str) -> str:
    """``1.28`` → ``v1.28.0`` (what Helm's semver comparisons expect)."""
    parts = version.strip().lstrip("v").split(".")
    while len(parts) < 3:
        parts.append("0")
    return "v" + ".".join(parts[:3])


def crd_api_versions(crd: dict[str, Any]) -> list[str]:
    """``group/version`` and ``group/version/Kind`` of every served version of a CRD."""
    spec = crd.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    names = spec.get("names")
    group = spec.get("group")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    found = []
    for version in spec.get("versions") or []:
        if isinstance(version, dict) and version.get("served", True) and version.get("name"):
            found += [f"{group}/{version['name']}", f"{group}/{version['name']}/{kind}"]
    return found


def core_api_versions(kubernetes_version: str) -> list[str]:
    """``group/version`` and ``group/version/Kind`` of every core kind of that version."""
    from homegen.validate.engine.registry import core_schemas

    found: set[str] = set()
    for group, version, kind in core_schemas(kubernetes_version).by_gvk:
        gv = f"{group}/{version}" if group else version
        found.update((gv, f"{gv}/{kind}"))
    return sorted(found)


def api_versions(kubernetes_version: str, crds: Iterable[dict[str, Any]]) -> list[str]:
    """Every API version of the offline cluster: core kinds plus the tree's CRDs."""
    found = set(core_api_versions(kubernetes_version))
    for crd in crds:
        found.update(crd_api_versions(crd))
    return sorted(found)
