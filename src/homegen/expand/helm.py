"""The Helm engine: helm-python-sdk (Helm's Go SDK in process), behind one function.

The SDK's Python wrapper exposes only name, namespace and revision for a render; its C ABI
also takes ``kube_version`` and ``api_versions`` (what ``helm template --kube-version
--api-versions`` set), so ``render_chart`` passes its options straight to that entry point.
``lookup`` returns nothing, as under ``helm template``. Imported only on a cache miss.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENGINE = "helm-python-sdk"


class EngineMissing(Exception):
    """The ``charts`` extra is not installed."""


class ChartFailed(Exception):
    """The chart did not load or render; the message is the chart's own."""


@dataclass(frozen=True)
class RenderedChart:
    """What ``helm template --include-crds`` prints, split: CRDs, then templates."""

    crds: list[tuple[str, str]]  # (file inside the chart, text)
    templates: list[tuple[str, str]]  # (template path, rendered text)
    defaults: dict[str, Any]  # the chart's default values (for the values-key check)
    schema: dict[str, Any] | None  # values.schema.json
    subcharts: list[str]  # names and aliases of loaded dependencies
    sources: list[str]  # the raw templates (which values paths they read)


def engine_version() -> str:
    """The engine and Helm SDK versions (part of every cache key); raises EngineMissing."""
    try:
        import helm_python
    except ImportError as exc:
        raise EngineMissing(
            "chart expansion needs the 'charts' extra: pip install 'homegen[charts]'"
        ) from exc
    return f"{ENGINE} {helm_python.__version__} helm {helm_python.helm_sdk_version()}"


def render_chart(
    path: Path,
    values: dict[str, Any],
    *,
    release: str,
    namespace: str,
    kube_version: str,
    api_versions: list[str],
) -> RenderedChart:
    """Render the chart at ``path`` (a folder or .tgz) as ``helm template`` would."""
    engine_version()
    import helm_python
    from helm_python import _native

    options = {
        "name": release,
        "namespace": namespace,
        "is_install": True,
        "kube_version": kube_version,
        "api_versions": api_versions,
    }
    try:
        with helm_python.Chart.load(path) as chart:
            out = _native.call_string(
                "helm_render", chart._raw(), json.dumps(values), json.dumps(options)
            )
            crds = [(c["filename"], c["data"]) for c in chart.crds]
            defaults = chart.values
            schema = chart.schema
            sources = [t["data"] for t in chart.templates]
            subcharts = [str(d.get("name")) for d in chart.dependencies]
            for dep in chart.metadata.get("dependencies") or []:
                subcharts += [str(d) for d in (dep.get("alias"), dep.get("name")) if d]
    except helm_python.HelmError as exc:
        raise ChartFailed(str(exc).strip()) from exc
    manifests: dict[str, str] = json.loads(out)
    templates = sorted(
        (name, text)
        for name, text in manifests.items()
        if name.endswith((".yaml", ".yml", ".json")) and text.strip()
    )
    return RenderedChart(crds, templates, defaults, schema, subcharts, sources)


def crd_texts(path: Path) -> list[str]:
    """The files of a chart's ``crds/`` folders (its own and its subcharts')."""
    engine_version()
    import helm_python

    try:
        with helm_python.Chart.load(path) as chart:
            return [c["data"] for c in chart.crds]
    except helm_python.HelmError as exc:
        raise ChartFailed(str(exc).strip()) from exc
