"""One chart job rendered by Helm for the expand stage: the capabilities every chart of a run
sees (Kubernetes version, API versions with the tree's and the charts' CRDs) and the cache
entry a render makes (documents, values problems, or the failure).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from homegen.expand.capabilities import api_versions, kube_version
from homegen.expand.sources import HelmJob
from homegen.expand.treecharts import ChartRefused, TreeCharts, chart_value_files
from homegen.treeread import Refused
from homegen.validate.reader.documents import parse_with_yaml
from homegen.validate.reader.tree import as_dict


class ChartCapabilities:
    """API versions for every chart of one run, computed only when a chart is rendered."""

    def __init__(
        self, version: str, tree_crds: list[dict[str, Any]], charts: list[tuple[Path, str]]
    ) -> None:
        self.version = kube_version(version)
        self._kubernetes = version
        self._tree_crds = tree_crds
        self._charts = [path for path, _digest in charts]
        names = sorted(str(as_dict(c.get("metadata")).get("name")) for c in tree_crds)
        self.key = [self.version, names, sorted(d for _p, d in charts)]
        self._api: list[str] | None = None
        self.loadable: Callable[[Path], Path] = lambda path: path

    def api_versions(self) -> list[str]:
        if self._api is None:
            crds = list(self._tree_crds)
            for path in self._charts:
                try:
                    crds += _chart_crds(self.loadable(path))
                except ChartRefused:
                    continue
            self._api = api_versions(self._kubernetes, crds)
        return self._api


def _chart_crds(path: Path) -> list[dict[str, Any]]:
    """The CRDs of a chart's ``crds/`` folders (its own and its subcharts')."""
    import yaml

    from homegen.expand.helm import ChartFailed, crd_texts

    found = []
    try:
        texts = crd_texts(path)
    except ChartFailed:
        return []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for text in texts:
        try:
            found += [d for d in yaml.load_all(text, Loader=loader) if isinstance(d, dict)]
        except yaml.YAMLError:
            continue
    return found


def render_job(
    job: HelmJob, path: Path, capabilities: ChartCapabilities, charts: TreeCharts
) -> dict[str, Any]:
    """Render one chart: a cache entry (documents, values problems, or the failure)."""
    from homegen.expand.helm import ChartFailed, render_chart
    from homegen.expand.setvalues import merge_values
    from homegen.expand.valuekeys import unknown_keys

    in_tree = job.chart_folder is not None
    try:
        files = chart_value_files(
            charts.reader,
            charts.source_of(path),  # a wrapper chart's copy reads the tree's value files
            job.value_files,
            in_tree,
            job.ignore_missing_value_files,
        )
        values = merge_values({}, *[f for f in files if isinstance(f, dict)], job.values)
        # Helm loads a copy made through the tree reader, never the tree's own folder
        loadable = charts.loadable(path, in_tree)
        rendered = render_chart(
            loadable, values, release=job.release, namespace=job.app.namespace,
            kube_version=capabilities.version, api_versions=capabilities.api_versions(),
        )  # fmt: skip
    except Refused as exc:
        return {"failure": f"{exc.refusal.path}: {exc.refusal.message}"}
    except (ChartFailed, ChartRefused, OSError, ValueError) as exc:
        return {"failure": str(exc) or type(exc).__name__}
    files = [] if job.skip_crds else [(_crd_path(job, name), text) for name, text in rendered.crds]
    files += rendered.templates
    documents = []
    for name, text in files:
        for doc in parse_with_yaml(name, text):
            loaded = [(p.kind, p.line, p.message) for p in doc.problems]
            documents.append((name, doc.index, doc.line, doc.obj, loaded))
    unknown = unknown_keys(
        job.user_values, rendered.defaults, rendered.schema, rendered.subcharts, rendered.sources
    )
    return {
        "failure": "",
        "documents": documents,
        "values": [(p.path, p.message, p.error) for p in unknown],
    }


def _crd_path(job: HelmJob, name: str) -> str:
    return name if name.startswith(job.chart + "/") else f"{job.chart}/{name}"
