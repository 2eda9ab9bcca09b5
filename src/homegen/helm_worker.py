"""The engine worker's side: Helm's Go SDK (helm-python-sdk) answering JSON lines.

``python -m homegen.helm_worker`` is the process ``homegen.expand.worker`` starts and limits.
It caps its own memory before Go loads, then answers one JSON line per request line. Kept out
of ``homegen.expand`` so that starting it imports nothing but this module: a worker that
imported the expand stage would cost every run with charts a third of a second more.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


class EngineMissing(Exception):
    """The ``charts`` extra is not installed."""


class ChartFailed(Exception):
    """The chart did not load or render; the message is the chart's own."""


def _engine() -> Any:
    """The engine module, loaded here (in the worker); raises EngineMissing."""
    try:
        import helm_python
    except ImportError as exc:
        raise EngineMissing(
            "chart expansion needs the 'charts' extra: pip install 'homegen[charts]'"
        ) from exc
    return helm_python


def _serve(request: dict[str, Any]) -> dict[str, Any]:
    """One request, answered in this process; raises ChartFailed or EngineMissing."""
    helm_python = _engine()
    if request["op"] == "template":
        return _template(helm_python, request["text"], request["data"])
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
    return {  # the fields of homegen.expand.helm.RenderedChart
        "crds": [(c["filename"], c["data"]) for c in chart.crds],
        "templates": sorted(
            (name, text)
            for name, text in manifests.items()
            if name.endswith((".yaml", ".yml", ".json")) and text.strip()
        ),
        "defaults": chart.values,
        "schema": chart.schema,
        "subcharts": subcharts,
        "sources": [t["data"] for t in chart.templates],
    }


def _template(helm_python: Any, text: str, data: dict[str, Any]) -> dict[str, Any]:
    """A template as the only one of a throwaway chart, ``data`` as its values."""
    with tempfile.TemporaryDirectory(prefix="homegen-appset-") as tmp:
        chart = Path(tmp) / "t"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: t\nversion: 0.0.0\n")
        (chart / "templates" / "_t.tpl").write_text('{{ define "t" }}' + text + "{{ end }}")
        (chart / "templates" / "t.yaml").write_text('{{- template "t" .Values -}}')
        try:
            rendered = helm_python.Chart.load(str(chart)).render(values=data)
        except helm_python.HelmError as exc:
            raise ChartFailed(str(exc).splitlines()[0]) from exc
    return {"text": next(iter(rendered.values()), "")}


def limit_own_memory() -> None:
    """Cap the data segment (where Go's heap lives) at ``HOMEGEN_ENGINE_MEMORY_BYTES``."""
    limit = int(os.environ.get("HOMEGEN_ENGINE_MEMORY_BYTES") or "0")
    if limit <= 0:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):  # not Linux: the time limit still holds
        return


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    try:
        return _serve(request)
    except EngineMissing as exc:
        return {"missing": str(exc)}
    except ChartFailed as exc:
        return {"failed": str(exc)}


def die_with_parent() -> None:
    """Linux: be killed when homegen ends, even by SIGKILL mid-call (a chart that loops would
    otherwise spin on as an orphan; between calls the closed input ends the worker anyway)."""
    parent = os.environ.get("HOMEGEN_ENGINE_PARENT", "")
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux
        return
    if parent and str(os.getppid()) != parent:  # homegen ended before prctl took effect
        os._exit(1)


def main() -> int:
    """The worker: limits on itself, then one JSON answer line per request line."""
    limit_own_memory()
    die_with_parent()
    # answers go out on a copy of stdout; anything Go or C prints to fd 1 lands on stderr,
    # where it cannot break the one-line-per-answer protocol
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for line in sys.stdin.buffer:
        try:
            answer = _answer(json.loads(line))
        except MemoryError:  # Python's share of the limit; Go's ends the process instead
            answers.write(b'{"failed": "out of memory in the chart engine"}\n')
            answers.flush()
            return 1
        answers.write(json.dumps(answer).encode("utf-8") + b"\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
