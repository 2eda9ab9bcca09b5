"""Where a Helm source's chart is, offline: in the tree, a --charts folder or the chart cache."""

from __future__ import annotations

from pathlib import Path

from homegen.charts import ChartRef, ChartSearch, locate_chart
from homegen.expand.model import ExpandSettings
from homegen.expand.sources import HelmJob

# a range expands at the newest version available offline; ArgoCD asks the repository
RANGE_NOTE = "expanded offline at that version: ArgoCD syncs the newest upstream release it allows"


def chart_path(
    job: HelmJob, settings: ExpandSettings, search: ChartSearch, notes: list[str]
) -> Path | None:
    """The chart's folder: in the tree, in a --charts folder or in the chart cache. Never
    the network: a render must work offline (``homegen charts pull`` fills the cache)."""
    if job.chart_folder is not None:
        return settings.tree_root / job.chart_folder if settings.tree_root else None
    location = locate_chart(ChartRef(job.repo_url, job.chart, job.version), search, download=False)
    if location.resolved and location.path:  # a range: ArgoCD asks the repository instead
        notes.append(f"{job.app.name}: chart {job.label}: {location.note}; {RANGE_NOTE}")
    return location.path


def not_found(job: HelmJob, settings: ExpandSettings) -> str:
    if job.chart_folder is not None:
        where = "the tree is not on disk"
    elif settings.chart_dirs:
        where = (
            "not found in " + ", ".join(str(d) for d in settings.chart_dirs) + " or the chart cache"
        )
    else:
        where = "no chart folders given (--charts, HOMEGEN_CHARTS)"
    return f"{job.app.name}: chart {job.label} not expanded: {where}"
