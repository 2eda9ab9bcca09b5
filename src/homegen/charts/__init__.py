"""Obtaining Helm charts: local chart folders, a content-addressed cache, HTTP repos, OCI.

One entry: ``locate_chart(ChartRef(repo_url, chart, version), ChartSearch.from_env(...))``
answers a ``ChartLocation`` — the unpacked chart's folder and where it came from, or
``origin == "missing"`` with every place tried. Only this package and the CLI touch the
network for charts; everything it can meet there is a value, not an exception.
"""

from homegen.charts.locate import locate_chart
from homegen.charts.model import ORIGINS, ChartLocation, ChartRef, Origin, normalize_repo_url
from homegen.charts.search import ChartSearch

__all__ = [
    "ORIGINS",
    "ChartLocation",
    "ChartRef",
    "ChartSearch",
    "Origin",
    "locate_chart",
    "normalize_repo_url",
]
