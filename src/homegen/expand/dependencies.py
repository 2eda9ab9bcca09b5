"""Wrapper charts: an in-tree chart whose ``Chart.yaml`` lists ``dependencies:``.

ArgoCD runs ``helm dependency build`` before it renders such a chart. homegen does what that
step does, offline: a dependency not vendored in the chart's ``charts/`` folder is taken from
the ``--charts`` folders or the chart cache, and the chart is rendered from a scratch copy with
it vendored. A dependency found nowhere is not rendered: the app is said to be not fully
expanded, never passed clean.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from homegen.charts import ChartRef, ChartSearch, locate_chart


def declared(chart: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, version) of every dependency of a Chart.yaml."""
    found = []
    for dep in chart.get("dependencies") or []:
        if isinstance(dep, dict) and isinstance(dep.get("name"), str):
            found.append((dep["name"], str(dep.get("version") or "")))
    return found


def _repositories(chart: dict[str, Any]) -> dict[str, str]:
    return {
        str(d.get("name")): str(d.get("repository") or "")
        for d in chart.get("dependencies") or []
        if isinstance(d, dict)
    }


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


def vendor(chart: dict[str, Any], folder: Path, search: ChartSearch) -> list[str]:
    """Copy the missing dependencies of the chart at ``folder`` (a scratch copy of the tree's
    chart, made through the tree reader) into its ``charts/``; the dependencies found nowhere."""
    names = missing(chart, folder)
    versions, repos = dict(declared(chart)), _repositories(chart)
    absent = []
    for name in names:
        location = locate_chart(ChartRef(repos[name], name, versions[name]), search, download=False)
        if location.path is None:
            absent.append(name)
            continue
        (folder / "charts").mkdir(exist_ok=True)
        if location.path.is_dir():
            shutil.copytree(location.path, folder / "charts" / name)
        else:
            shutil.copy2(location.path, folder / "charts" / location.path.name)
    return absent
