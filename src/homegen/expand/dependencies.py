"""Wrapper charts: an in-tree chart whose ``Chart.yaml`` lists ``dependencies:``.

ArgoCD runs ``helm dependency build`` before it renders such a chart; homegen renders what the
chart folder holds. A dependency that is not vendored in its ``charts/`` folder (as a folder
or a ``.tgz``) is not rendered: the app is said to be not fully expanded, never passed clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def declared(chart: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, version) of every dependency of a Chart.yaml."""
    found = []
    for dep in chart.get("dependencies") or []:
        if isinstance(dep, dict) and isinstance(dep.get("name"), str):
            found.append((dep["name"], str(dep.get("version") or "")))
    return found


def missing(chart: dict[str, Any], folder: Path) -> list[str]:
    """The dependencies of the chart at ``folder`` that its ``charts/`` does not hold."""
    deps = declared(chart)
    if not deps:
        return []
    vendored = folder / "charts"
    names = {p.name for p in vendored.iterdir()} if vendored.is_dir() else set()
    return [
        name
        for name, _version in deps
        if name not in names and not any(n.startswith(f"{name}-") for n in names)
    ]
