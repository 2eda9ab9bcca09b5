"""Wrapper charts: an in-tree chart whose ``Chart.yaml`` lists ``dependencies:``.

ArgoCD runs ``helm dependency build`` before it renders such a chart. homegen does what that
step does, offline: a dependency not vendored in the chart's ``charts/`` folder is taken from
the ``--charts`` folders or the chart cache (``homegen charts pull`` fills it), a ``file://``
one from the tree through the tree reader, and the chart is rendered from a scratch copy with
them vendored. A dependency found nowhere is not rendered: the app is said to be not fully
expanded, never passed clean. A ``file://`` dependency that leaves the repository root, or
whose version does not fit, fails the build as it fails ArgoCD's (HG130).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.charts import ChartSearch, locate_chart
from homegen.charts.local import plain_name
from homegen.charts.wrapper import (
    Dependency,
    DependencyError,
    declared,
    enabled,
    file_folder,
    file_version,
    is_vendored,
)
from homegen.expand.setvalues import merge_values
from homegen.expand.treecharts import chart_value_files
from homegen.treeread import Refused, TreeReader


@dataclass
class Vendored:
    """What vendoring a wrapper chart's dependencies gave: the copy to render, the names found
    nowhere, and the reason the build fails (``""`` when it does not)."""

    path: Path
    absent: list[str] = field(default_factory=list)
    failure: str = ""
    unused: list[str] = field(default_factory=list)  # found nowhere, but off for these values


def missing(chart: dict[str, Any], folder: Path) -> list[Dependency]:
    """The dependencies of the chart at ``folder`` that its ``charts/`` does not hold."""
    deps = declared(chart)
    if not deps:
        return []
    vendored = folder / "charts"
    entries = {p.name for p in vendored.iterdir()} if vendored.is_dir() else set()
    return [dep for dep in deps if not is_vendored(dep, entries)]


def vendor(
    chart: dict[str, Any],
    folder: Path,
    search: ChartSearch,
    reader: TreeReader | None = None,
    source: Path | None = None,
) -> Vendored:
    """Copy the missing dependencies of the chart at ``folder`` (a scratch copy of the tree's
    chart folder ``source``, made through ``reader``) into its ``charts/``."""
    outcome = Vendored(folder)
    for dep in missing(chart, folder):
        if not plain_name(dep.name):  # it names the folder it is copied to: stay in charts/
            outcome.failure = f"Chart.yaml: dependency {dep.name!r}: not a chart name"
            break
        target = folder / "charts" / dep.name
        if target.exists():
            continue  # the same chart under two aliases: Helm needs it once
        if dep.source == "file" and reader is not None and source is not None:
            outcome.failure = _copy_from_tree(dep, reader, source, target)
            if outcome.failure:
                break
            continue
        # no repository: Helm wants it vendored; a named one (@repo) may be in --charts
        location = None
        if dep.source in ("repository", "named"):
            location = locate_chart(dep.ref, search, download=False)
        if location is None or location.path is None:
            outcome.absent.append(dep.name)
            continue
        target.parent.mkdir(exist_ok=True)
        shutil.copytree(location.path, target)
    return outcome


def unused(outcome: Vendored, chart: dict[str, Any], values: dict[str, Any]) -> Vendored:
    """``outcome`` with the dependencies found nowhere that Helm would not render for
    ``values`` (their ``condition:`` or ``tags:`` turn them off) moved to ``unused``."""
    off = {dep.name for dep in declared(chart) if not enabled(dep, values)}
    on = [name for name in outcome.absent if name not in off]
    return Vendored(outcome.path, on, outcome.failure, [n for n in outcome.absent if n in off])


def chart_values(
    reader: TreeReader | None, source: Path, value_files: list[str], values: dict[str, Any]
) -> dict[str, Any]:
    """The values a tree chart at ``source`` is rendered with (its values.yaml, the value
    files an Application names, its inline values), to decide conditions as Helm does; the
    inline values alone when a file cannot be read (the render reports it)."""
    names = ["values.yaml", *value_files]
    try:
        files = chart_value_files(reader, source, names, True, ignore_missing=True)
    except (Refused, ValueError, OSError):
        return values
    return merge_values({}, *[f for f in files if isinstance(f, dict)], values)


def _copy_from_tree(dep: Dependency, reader: TreeReader, source: Path, target: Path) -> str:
    """Copy a ``file://`` dependency through the reader; the failure, ``""`` when none."""
    where = reader.rel(source / "Chart.yaml")
    try:
        found = file_folder(reader, source, dep)
        file_version(reader, found, dep)
    except Refused as exc:
        return f"{where}: {exc.refusal.message}"
    except DependencyError as exc:
        return f"{where}: {exc}"
    refused = reader.copy_folder(found, target)
    if refused:
        return f"{where}: {', '.join(f'{r.path} ({r.message})' for r in refused)}"
    return ""
