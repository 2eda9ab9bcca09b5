"""The Helm engine: helm-python-sdk (Helm's Go SDK), behind three functions.

The SDK's Python wrapper exposes only name, namespace and revision for a render; its C ABI
also takes ``kube_version`` and ``api_versions`` (what ``helm template --kube-version
--api-versions`` set), so ``render_chart`` passes its options straight to that entry point.
``lookup`` returns nothing, as under ``helm template``. Imported only on a cache miss.

Every call runs in the engine worker (see ``homegen.expand.worker``): a chart or value from a
tree can exhaust Go's memory, which ends the process Go runs in, or loop for hours. There a
death or an overrun is a ``ChartFailed`` naming the limit, and homegen goes on.
``homegen.helm_worker`` is that worker's side: JSON lines in, JSON lines out.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homegen.expand.worker import WorkerFailed, engine_worker, timeout_seconds
from homegen.helm_worker import ChartFailed as ChartFailed
from homegen.helm_worker import EngineMissing as EngineMissing

ENGINE = "helm-python-sdk"
TEMPLATE_TIMEOUT = 10.0  # seconds per ApplicationSet template the engine renders


@dataclass(frozen=True)
class RenderedChart:
    """What ``helm template --include-crds`` prints, split: CRDs, then templates."""

    crds: list[tuple[str, str]]  # (file inside the chart, text)
    templates: list[tuple[str, str]]  # (template path, rendered text)
    defaults: dict[str, Any]  # the chart's default values (for the values-key check)
    schema: dict[str, Any] | None  # values.schema.json
    subcharts: list[str]  # names and aliases of loaded dependencies
    sources: list[str]  # the raw templates (which values paths they read)


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
    answer = _ask(request, timeout_seconds())
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
    answer = _ask({"op": "crds", "path": str(path)}, timeout_seconds())
    texts: list[str] = answer["crds"]
    return texts


def render_template(text: str, data: dict[str, Any], *, within: float | None = None) -> str:
    """A Go template (an ApplicationSet's) rendered by Helm's engine with ``data`` as ``.``,
    in at most ``within`` seconds when given (and never longer than the engine's limit)."""
    if not _installed():  # no worker started only to learn it
        raise EngineMissing("the 'charts' extra is not installed")
    timeout = timeout_seconds(default=TEMPLATE_TIMEOUT)
    if within is not None:
        timeout = min(timeout, within)
    answer = _ask({"op": "template", "text": text, "data": data}, timeout)
    rendered: str = answer["text"]
    return rendered


def _installed() -> bool:
    try:
        return importlib.util.find_spec("helm_python") is not None
    except ValueError:  # sys.modules holds None for it: an import would fail
        return False


def _ask(request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """The worker's answer; raises ChartFailed (the chart's, or the limit it hit) or
    EngineMissing."""
    try:
        answer = engine_worker().ask(request, timeout)
    except WorkerFailed as exc:
        raise ChartFailed(str(exc)) from None
    if "missing" in answer:
        raise EngineMissing(answer["missing"])
    if "failed" in answer:
        raise ChartFailed(answer["failed"])
    return answer
