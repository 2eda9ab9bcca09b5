"""A ``targetRevision`` that is a semver range: which exact version it means here.

ArgoCD syncs the newest version in the repository that satisfies the range, so that is what
is looked up first when online; local chart folders still come before it (they are the
user's explicit choice), and the cache stands in when the repository cannot be asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from homegen.charts.local import plain_name
from homegen.charts.model import ChartRef, FetchError
from homegen.charts.semver import ConstraintError, parse_constraint, parse_version

if TYPE_CHECKING:
    from homegen.charts.search import ChartSearch


def resolve_range(ref: ChartRef, search: ChartSearch) -> tuple[str | None, str, list[str]]:
    """The exact version ``ref``'s range selects, where it was chosen, and the places tried."""
    try:
        constraint = parse_constraint(ref.version)
    except ConstraintError as exc:
        return None, "", [str(exc)]
    wanted = f"no {ref.chart} version matching {ref.version!r}"
    tried: list[str] = []
    for folder in search.chart_dirs:
        best = constraint.best(local_versions(folder, ref.chart))
        if best:
            return best, str(folder), tried
        tried.append(f"{folder}: {wanted}")
    if search.online:
        try:
            client = search.registries() if ref.is_oci else search.repos()
            versions = client.versions(ref)
        except FetchError as exc:
            tried.append(str(exc))
        else:
            best = constraint.best(versions)
            if best:
                return best, ref.repo, tried
            tried.append(f"{ref.repo}: {wanted} (of {len(versions)})")
    best = constraint.best(search.cache.versions(ref))
    if best:
        return best, f"cache {search.cache.root}", tried
    tried.append(f"cache {search.cache.root}: {wanted}")
    if not search.online:
        tried.append("network: not tried (offline)")
    return None, "", tried


def local_versions(folder: Path, chart: str) -> list[str]:
    """Versions of ``chart`` in a chart folder (``<chart>-<version>/`` or ``.tgz``)."""
    found: list[str] = []
    if not plain_name(chart) or any(c in chart for c in "*?["):
        return found
    try:
        entries = list(folder.glob(f"{chart}-*"))
    except OSError:
        return found
    for entry in entries:
        name = entry.name.removeprefix(f"{chart}-")
        if entry.suffix == ".tgz" and entry.is_file():
            name = name.removesuffix(".tgz")
        elif not (entry / "Chart.yaml").is_file():
            continue
        if parse_version(name) is not None:
            found.append(name)
    return found
