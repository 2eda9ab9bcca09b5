"""Local chart folders: ``--charts DIR`` and ``HOMEGEN_CHARTS`` hold ``<chart>-<version>/``
(an unpacked chart) or ``<chart>-<version>.tgz`` (a packed one, as ``helm pull`` saves it)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from homegen.charts.archive import ArchiveError, check_identity
from homegen.charts.model import ChartRef


def chart_dirs_from_env(explicit: Iterable[Path] = ()) -> tuple[Path, ...]:
    """The folders to search: ``explicit`` first, then ``HOMEGEN_CHARTS`` (a path list)."""
    listed = os.environ.get("HOMEGEN_CHARTS", "")
    from_env = [Path(part) for part in listed.split(os.pathsep) if part.strip()]
    seen: dict[Path, None] = {}
    for folder in (*explicit, *from_env):
        seen.setdefault(folder, None)
    return tuple(seen)


def plain_name(name: str) -> bool:
    """Whether a tree's chart and version make one file name (no folder part, no ``..``):
    a chart name never leads a lookup out of the chart folders."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


@dataclass(frozen=True)
class LocalHit:
    """A chart in a local folder: an unpacked folder, or an archive still to unpack."""

    folder: Path | None
    archive: Path | None


def find_local(folder: Path, chart: str, version: str) -> tuple[LocalHit | None, str]:
    """Look for one chart in one folder: the hit (or ``None``) and a line for "tried"."""
    ref = ChartRef("", chart, version)
    if not plain_name(ref.package):
        return None, f"{folder}: {ref.package!r} is not a chart file name"
    if not folder.is_dir():
        return None, f"{folder}: no such folder"
    unpacked = folder / ref.package
    if (unpacked / "Chart.yaml").is_file():
        try:
            check_identity(unpacked, ref)
        except ArchiveError as exc:
            return None, f"{unpacked}: {exc}"
        return LocalHit(unpacked, None), str(unpacked)
    packed = folder / f"{ref.package}.tgz"
    if packed.is_file():
        return LocalHit(None, packed), str(packed)
    return None, f"{folder}: no {ref.package}/ or {ref.package}.tgz"
