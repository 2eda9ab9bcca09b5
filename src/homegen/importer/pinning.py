"""A chart whose targetRevision is a range (``*``, ``^1.2``, ``>=1 <2``): services.toml pins
an exact version, so import pins the newest one available offline that satisfies the range
(the --charts folders, HOMEGEN_CHARTS, homegen's chart cache). ArgoCD would follow newer
releases; the report says so. Where no version is available offline the source stays
``not-expressed``, with that reason."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from homegen.charts.model import ChartRef
from homegen.charts.semver import ConstraintError, is_range, parse_constraint, parse_version


def is_chart_range(version: str) -> bool:
    """Whether a chart targetRevision names a range rather than one version."""
    return bool(version) and (version.strip() in ("*", "x", "X") or is_range(version))


def pin_range(
    repo_url: str, chart: str, version: str, chart_dirs: Iterable[Path]
) -> tuple[str | None, str]:
    """(the newest version satisfying ``version`` available offline, where it was found), or
    (None, why none was)."""
    from homegen.charts.ranges import resolve_range
    from homegen.charts.search import ChartSearch

    search = ChartSearch.from_env(tuple(chart_dirs), online=False)
    try:
        pinned, where, tried = resolve_range(ChartRef(repo_url, chart, version), search)
    except OSError as exc:  # an unreadable chart folder or cache
        return None, str(exc)
    if pinned is None:
        return None, "; ".join(tried) or "no version available offline"
    return pinned, where


def satisfies(wanted: str, pinned: str) -> bool:
    """Whether ``pinned`` (an exact version) satisfies ``wanted`` when that is a range."""
    if not is_chart_range(wanted):
        return False
    version = parse_version(pinned)
    try:
        return version is not None and parse_constraint(wanted).allows(version)
    except ConstraintError:
        return False


def same_charts(source: list[Any], rendered: list[Any]) -> bool:
    """Whether two Applications' (repo, chart, version) lists are the same, a source range
    matching the exact version import pinned it to."""
    if len(source) != len(rendered):
        return False
    return all(
        a == b or (a[:2] == b[:2] and satisfies(str(a[2]), str(b[2])))
        for a, b in zip(sorted(source), sorted(rendered), strict=True)
    )


def app_diff(source: dict[str, Any], rendered: dict[str, Any]) -> list[str]:
    """The keys in which two Application views (compare.app_view) differ."""
    return [
        k
        for k in source
        if source[k] != rendered.get(k)
        and not (k == "charts" and same_charts(source[k], rendered.get(k, [])))
    ]
