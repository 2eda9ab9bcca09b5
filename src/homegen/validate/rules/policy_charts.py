"""Policy for chart sources: a chart version is pinned, or the range is a visible choice."""

from __future__ import annotations

from collections.abc import Iterator

from homegen.charts.semver import is_range
from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.tree import APP_KINDS, Tree, app_sources, tree_check

CHART_UNPINNED = register(
    "HG332", "chart-version-unpinned", "warning",
    "pin the chart to one version (targetRevision: 1.2.3), or keep the range with "
    "policy.homegen.dev/HG332: <reason> on the Application",
    """ArgoCD syncs the newest chart version a range (`*`, `^1.2`) allows: a new upstream release
    deploys on its own, untested, and the tree no longer says what runs.""",
)  # fmt: skip


def check_chart_versions(tree: Tree) -> Iterator[Finding]:
    """HG332: every Helm chart source names one version, not a range."""
    for app in tree.kind(*APP_KINDS):
        for source in app_sources(app):
            chart, version = source.get("chart"), str(source.get("targetRevision") or "")
            if chart and version and is_range(version):
                yield finding(
                    CHART_UNPINNED, app.where,
                    f"chart {chart} version {version!r} is a range: ArgoCD takes the newest "
                    "release it allows",
                )  # fmt: skip


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated.
tree_check(check_chart_versions)
