"""`homegen charts [pull] [PATH]`: every chart the homelab uses and where it is; fill the cache."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homegen import console
from homegen.charts import ChartLocation, ChartSearch, Origin, locate_chart
from homegen.charts.usage import ChartUse, TreeCharts, charts_of_config, charts_of_tree
from homegen.commands.charts_tree import aligned
from homegen.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from homegen.config.models import Config

OUTPUTS = ("text", "json")
COLUMNS = ("CHART", "VERSION", "APPS", "FOUND", "WHERE")
_SHOWN: dict[Origin, str] = {
    "local": "local", "cache": "cache", "network": "network", "missing": "not found",
}  # fmt: skip


@dataclass(frozen=True)
class ChartsRequest:
    """What `homegen charts` was asked: pull or list, of services.toml or of a tree."""

    pull: bool
    tree: Path | None
    config: Path
    chart_dirs: tuple[Path, ...]
    offline: bool
    output: str


def parse_args(args: list[str]) -> tuple[bool, Path | None]:
    """``[pull] [PATH]`` → (pull?, the tree or None for services.toml)."""
    pull = bool(args) and args[0] == "pull"
    rest = args[1:] if pull else args
    if len(rest) > 1:
        raise UsageError(f"charts: unexpected argument {rest[1]!r}; usage: charts [pull] [PATH]")
    return pull, Path(rest[0]) if rest else None


def run_charts(request: ChartsRequest) -> int:
    """List (or pull) every chart; exit 1 when a pull could not obtain one."""
    if request.output not in OUTPUTS:
        raise UsageError(f"unknown --output {request.output!r}; use one of {', '.join(OUTPUTS)}")
    tree = _tree_charts(request)
    uses = charts_of_config(_config(request)) if tree is None else tree.uses
    # a tree may be a stranger's: listing it never contacts the hosts it names; only
    # `charts pull` goes out (docs/security.md)
    online = not request.offline and (request.pull or request.tree is None)
    search = ChartSearch.from_env(request.chart_dirs, online=online)
    results: list[tuple[ChartUse, ChartLocation]] = []
    for use in uses:
        if request.pull:
            console.note(f"pulling {use.ref}")
        found = locate_chart(use.ref, search, download=request.pull)
        if request.pull:
            console.note(f"  {_progress(found)}")
        results.append((use, found))
    failed = _list(request, results, tree, search)
    counts: Counter[Origin] = Counter(found.origin for _, found in results)
    summary = ", ".join(f"{counts[o]} {_SHOWN[o]}" for o in _SHOWN if counts[o])
    console.note(f"{len(results)} chart{'s' * (len(results) != 1)}: {summary or 'none'}")
    if counts["network"] and not request.pull:
        console.note(
            "`homegen charts pull` downloads the charts seen on the network into the cache"
        )
    if request.pull and (counts["missing"] or failed):
        return EXIT_FINDINGS
    return EXIT_OK


def _list(
    request: ChartsRequest,
    results: list[tuple[ChartUse, ChartLocation]],
    tree: TreeCharts | None,
    search: ChartSearch,
) -> bool:
    """Print the listing (a tree's own charts and helmCharts after the chart table); whether
    a pull left a dependency of a tree chart unobtained (each said on stderr)."""
    rows = _json(results)
    if tree is None:
        if request.output == "json":
            console.out_json(json.dumps(rows, indent=2) + "\n")
        else:
            console.out(_table(results))
        return False
    from homegen.charts.intree import helm_chart_uses, in_tree_charts
    from homegen.commands.charts_tree import dependency_problems, tree_json, tree_table

    # what a render finds afterwards: the folders and the cache, never the network
    offline = ChartSearch(search.chart_dirs, search.cache, online=False)
    charts = in_tree_charts(tree.built, tree.reader, offline)
    helm = helm_chart_uses(tree.built, tree.reader, offline)
    if request.output == "json":
        console.out_json(json.dumps({"charts": rows, **tree_json(charts, helm)}, indent=2) + "\n")
    else:
        console.out(_table(results) + tree_table(charts, helm))
    if not request.pull:
        return False
    errors, warnings = dependency_problems(charts, {use.ref: found for use, found in results})
    for line in warnings:
        console.warn(f"warning: {line}")
    for line in errors:
        console.warn(f"error: {line}")
    return bool(errors)


def _config(request: ChartsRequest) -> Config:
    from homegen.config.loader import read_config

    return read_config(request.config)


def _tree_charts(request: ChartsRequest) -> TreeCharts | None:
    if request.tree is None:
        return None
    if not request.tree.is_dir():
        raise UsageError(f"{request.tree}: not a folder (charts PATH takes an ArgoCD tree)")
    found = charts_of_tree(request.tree)
    for line in found.skipped:
        console.warn(f"{line}: not listed")
    for line in found.refused:
        console.warn(f"{line}: not read")
    return found


def _progress(found: ChartLocation) -> str:
    if found.origin == "missing":
        return f"not found, tried: {'; '.join(found.tried)}"
    verb = {"local": "local", "cache": "cached", "network": "downloaded"}[found.origin]
    digest = f" ({found.digest})" if found.digest else ""
    note = f" — {found.note}" if found.note else ""
    return f"{verb}: {found.source}{digest}{note}"


def _where(found: ChartLocation) -> str:
    if found.origin == "missing":
        return f"not found, tried: {'; '.join(found.tried)}"
    return found.source


def _version(found: ChartLocation) -> str:
    """The version as written, and what a range selected."""
    return f"{found.ref.version} ({found.resolved})" if found.resolved else found.ref.version


def _table(results: list[tuple[ChartUse, ChartLocation]]) -> str:
    """An aligned table; WHERE, the long one, comes last."""
    return aligned(
        [COLUMNS]
        + [
            (use.ref.chart, _version(found), ",".join(use.apps), _SHOWN[found.origin],
             _where(found))
            for use, found in results
        ]
    )  # fmt: skip


def _json(results: list[tuple[ChartUse, ChartLocation]]) -> list[dict[str, Any]]:
    return [
        {
            "chart": use.ref.chart,
            "version": use.ref.version,
            "resolved_version": found.resolved or None,
            "repo_url": use.ref.repo,
            "apps": list(use.apps),
            "found": found.origin,
            "path": str(found.path) if found.path else None,
            "archive": str(found.archive) if found.archive else None,
            "source": found.source or None,
            "digest": found.digest or None,
            "note": found.note or None,
            "tried": list(found.tried),
        }
        for use, found in results
    ]
