"""The Helm engine: helm-python-sdk (Helm's Go SDK in process), behind two functions.

The SDK's Python wrapper exposes only name, namespace and revision for a render; its C ABI
also takes ``kube_version`` and ``api_versions`` (what ``helm template --kube-version
--api-versions`` set), so ``render_chart`` passes its options straight to that entry point.
``lookup`` returns nothing, as under ``helm template``. Imported only on a cache miss.

Go's runtime does not survive ``fork``: a process that forked after the engine was loaded
(render's validation process, when the parent had rendered a chart before) must not call it.
There the engine runs in a fresh interpreter (``python -m homegen.expand.helm``), one call
per request, JSON in and out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ENGINE = "helm-python-sdk"
_LOADED_BY: int | None = None  # the pid that loaded the engine through this module


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


def _engine() -> Any:
    """The engine module, loaded here; raises EngineMissing."""
    global _LOADED_BY
    try:
        import helm_python
    except ImportError as exc:
        raise EngineMissing(
            "chart expansion needs the 'charts' extra: pip install 'homegen[charts]'"
        ) from exc
    if _LOADED_BY is None:
        _LOADED_BY = os.getpid()
    return helm_python


def _forked_after_load() -> bool:
    """Whether the engine was loaded in this process's parent, before a fork."""
    loaded = "helm_python._native" in sys.modules
    return loaded and os.getpid() != _LOADED_BY


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
    request = {
        "op": "render", "path": str(path), "values": values, "release": release,
        "namespace": namespace, "kube_version": kube_version, "api_versions": api_versions,
    }  # fmt: skip
    answer = _in_worker(request) if _forked_after_load() else _serve(request)
    return RenderedChart(
        crds=[(a, b) for a, b in answer["crds"]],
        templates=[(a, b) for a, b in answer["templates"]],
        defaults=answer["defaults"],
        schema=answer["schema"],
        subcharts=answer["subcharts"],
        sources=answer["sources"],
    )


def crd_texts(path: Path) -> list[str]:
    """The files of a chart's ``crds/`` folders (its own and its subcharts')."""
    request = {"op": "crds", "path": str(path)}
    answer = _in_worker(request) if _forked_after_load() else _serve(request)
    texts: list[str] = answer["crds"]
    return texts


def _serve(request: dict[str, Any]) -> dict[str, Any]:
    """One request, answered in this process; raises ChartFailed or EngineMissing."""
    helm_python = _engine()
    try:
        with helm_python.Chart.load(request["path"]) as chart:
            if request["op"] == "crds":
                return {"crds": [c["data"] for c in chart.crds]}
            return _render_loaded(helm_python, chart, request)
    except helm_python.HelmError as exc:
        raise ChartFailed(str(exc).strip()) from exc


def _render_loaded(helm_python: Any, chart: Any, request: dict[str, Any]) -> dict[str, Any]:
    from helm_python import _native

    options = {
        "name": request["release"],
        "namespace": request["namespace"],
        "is_install": True,
        "kube_version": request["kube_version"],
        "api_versions": request["api_versions"],
    }
    out = _native.call_string(
        "helm_render", chart._raw(), json.dumps(request["values"]), json.dumps(options)
    )
    subcharts = [str(d.get("name")) for d in chart.dependencies]
    for dep in chart.metadata.get("dependencies") or []:
        subcharts += [str(d) for d in (dep.get("alias"), dep.get("name")) if d]
    manifests: dict[str, str] = json.loads(out)
    rendered = RenderedChart(
        crds=[(c["filename"], c["data"]) for c in chart.crds],
        templates=sorted(
            (name, text)
            for name, text in manifests.items()
            if name.endswith((".yaml", ".yml", ".json")) and text.strip()
        ),
        defaults=chart.values,
        schema=chart.schema,
        subcharts=subcharts,
        sources=[t["data"] for t in chart.templates],
    )
    return asdict(rendered)


def _in_worker(request: dict[str, Any]) -> dict[str, Any]:
    """One request, answered by a fresh interpreter (Go's runtime there is its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "homegen.expand.helm"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        answer: dict[str, Any] = json.loads(done.stdout)
    except ValueError as exc:
        raise ChartFailed(f"the chart engine process failed: {done.stderr.strip()}") from exc
    if "missing" in answer:
        raise EngineMissing(answer["missing"])
    if "failed" in answer:
        raise ChartFailed(answer["failed"])
    return answer


def main() -> int:
    """The worker: one JSON request on stdin, one JSON answer on stdout."""
    request = json.loads(sys.stdin.read())
    try:
        answer = _serve(request)
    except EngineMissing as exc:
        answer = {"missing": str(exc)}
    except ChartFailed as exc:
        answer = {"failed": str(exc)}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
