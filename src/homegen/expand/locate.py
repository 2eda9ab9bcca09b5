"""Finding a chart on disk: ``<chart>-<version>/`` (or ``.tgz``) in the chart folders.

A stand-in for the chart fetcher (local folders, cache, network), which replaces it.
"""

from __future__ import annotations

import os
from pathlib import Path

CHARTS_ENV = "HOMEGEN_CHARTS"


def chart_dirs(given: tuple[Path, ...] | list[Path]) -> tuple[Path, ...]:
    """``--charts`` folders, then those of $HOMEGEN_CHARTS (split on the path separator)."""
    extra = [Path(p) for p in os.environ.get(CHARTS_ENV, "").split(os.pathsep) if p.strip()]
    return tuple(given) + tuple(extra)


def find_chart(chart: str, version: str, dirs: tuple[Path, ...]) -> Path | None:
    """The first ``<chart>-<version>`` folder (holding Chart.yaml) or archive in ``dirs``."""
    for folder in dirs:
        unpacked = folder / f"{chart}-{version}"
        if (unpacked / "Chart.yaml").is_file():
            return unpacked
        archive = folder / f"{chart}-{version}.tgz"
        if archive.is_file():
            return archive
    return None
