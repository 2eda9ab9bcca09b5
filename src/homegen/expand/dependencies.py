"""Wrapper charts: an in-tree chart whose ``Chart.yaml`` lists ``dependencies:``.

ArgoCD runs ``helm dependency build`` before it renders such a chart. homegen does what that
step does, offline: a dependency not vendored in the chart's ``charts/`` folder is taken from
the ``--charts`` folders or the chart cache, and the chart is rendered from a scratch copy with
it vendored. A dependency found nowhere is not rendered: the app is said to be not fully
expanded, never passed clean.
"""

from __future__ import annotations

import shutil
import tempfile
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


def vendor(
    chart: dict[str, Any], folder: Path, root: Path, search: ChartSearch, scratch: list[Path]
) -> tuple[Path, list[str]]:
    """The chart folder to render (a scratch copy with the missing dependencies vendored,
    appended to ``scratch`` for the caller to remove) and the dependencies found nowhere."""
    names = missing(chart, folder)
    if not names:
        return folder, []
    versions, repos = dict(declared(chart)), _repositories(chart)
    found: dict[str, Path] = {}
    for name in names:
        location = locate_chart(ChartRef(repos[name], name, versions[name]), search, download=False)
        if location.path is not None:
            found[name] = location.path
    if not found:
        return folder, names
    copy = Path(tempfile.mkdtemp(prefix="homegen-deps-"))
    scratch.append(copy)
    target = copy / folder.name
    # what a symlink of the tree reaches outside the repository is never copied
    outside = root.resolve()

    def leaving(parent: str, entries: list[str]) -> list[str]:
        paths = [Path(parent) / e for e in entries]
        return [p.name for p in paths if p.is_symlink() and not p.resolve().is_relative_to(outside)]

    shutil.copytree(folder, target, ignore=leaving)
    (target / "charts").mkdir(exist_ok=True)
    for name, path in found.items():
        if path.is_dir():
            shutil.copytree(path, target / "charts" / name)
        else:
            shutil.copy2(path, target / "charts" / path.name)
    return target, [n for n in names if n not in found]
