"""`homegen charts TREE`, the part only a tree has: its own charts with their dependencies, and
its kustomizations' ``helmCharts:``, each with whether a render finds it offline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homegen.charts import ChartLocation, ChartRef
from homegen.charts.intree import HelmChartUse, InTreeChart
from homegen.escape import visible

CHART_COLUMNS = ("TREE CHART", "NAME", "VERSION", "DEPENDENCY", "RANGE", "REPOSITORY", "FOUND")
HELM_COLUMNS = ("KUSTOMIZATION", "CHART", "VERSION", "REPO", "OFFLINE")


def aligned(rows: Sequence[Sequence[str]]) -> str:
    """An aligned table, every cell escaped (it came from a tree); no colour (data on
    stdout); the last column, the long one, is not padded."""
    cells = [tuple(visible(cell) for cell in row) for row in rows]
    widths = [max(len(line[col]) for line in cells) for col in range(len(cells[0]) - 1)]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(line[:-1], widths, strict=True)) + "  " + line[-1]
        + "\n"
        for line in cells
    )  # fmt: skip


def tree_table(charts: list[InTreeChart], helm: list[HelmChartUse]) -> str:
    """The two tables after the chart table, each after an empty line, when not empty."""
    text = ""
    if charts:
        rows: list[tuple[str, ...]] = [CHART_COLUMNS]
        for chart in charts:
            head = (chart.path, chart.name, chart.version)
            rows += [
                (*head, use.dependency.shown, use.dependency.version or "-",
                 use.dependency.repository or "-", use.availability.shown)
                for use in chart.dependencies
            ] or [(*head, "-", "-", "-", "-")]  # fmt: skip
        text += "\n" + aligned(rows)
    if helm:
        rows = [HELM_COLUMNS, *[
            (use.kustomization, use.chart, use.version or "-", use.repo or "-",
             f"{'yes' if use.availability.offline else 'no'}: {use.availability.shown}")
            for use in helm
        ]]  # fmt: skip
        text += "\n" + aligned(rows)
    return text


def tree_json(charts: list[InTreeChart], helm: list[HelmChartUse]) -> dict[str, Any]:
    """The ``tree_charts`` and ``helm_charts`` of the JSON object."""
    return {
        "tree_charts": [
            {
                "path": chart.path,
                "name": chart.name,
                "version": chart.version,
                "dependencies": [
                    {
                        "name": use.dependency.name,
                        "alias": use.dependency.alias or None,
                        "condition": use.dependency.condition or None,
                        "version": use.dependency.version,
                        "repository": use.dependency.repository,
                        "found": use.availability.found,
                        "resolved_version": use.availability.version or None,
                        "where": use.availability.where or None,
                    }
                    for use in chart.dependencies
                ],
            }
            for chart in charts
        ],
        "helm_charts": [
            {
                "kustomization": use.kustomization,
                "chart": use.chart,
                "repo": use.repo,
                "version": use.version,
                "offline": use.availability.offline,
                "found": use.availability.found,
                "resolved_version": use.availability.version or None,
                "where": use.availability.where or None,
            }
            for use in helm
        ],
    }


def dependency_problems(
    charts: list[InTreeChart], pulled: dict[ChartRef, ChartLocation]
) -> tuple[list[str], list[str]]:
    """After a pull: the dependencies it could not obtain (errors, each naming its Chart.yaml
    and what was tried), and those no pull can obtain (warnings: a file:// refused, a
    repository known only by a name given with ``helm repo add``)."""
    errors: list[str] = []
    warnings: list[str] = []
    for chart in charts:
        for use in chart.dependencies:
            dep, where = use.dependency, use.availability
            if where.offline:
                continue
            line = f":{use.line}" if use.line else ""
            at = f"{chart.path}/Chart.yaml{line}: dependencies[{dep.index}]: {dep.shown} ("
            at += f"{dep.repository or 'no repository'}, version {dep.version or '-'})"
            if dep.source == "repository":
                found = pulled.get(ChartRef(dep.ref.repo, dep.name, dep.version))
                if found is not None and found.found:
                    continue  # obtained, kept for this run only (the cache was not writable)
                tried = "; ".join(found.tried) if found is not None else where.where
                errors.append(f"{at}: not obtained, tried: {tried}")
            else:
                why = "" if where.found == "refused" else f": {where.where}"
                warnings.append(f"{at}: {where.shown}{why}")
    return errors, warnings
