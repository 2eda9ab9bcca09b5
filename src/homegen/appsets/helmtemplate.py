"""sprig functions homegen does not implement, called in sprig itself: Helm's engine (the
same text/template and sprig) in a worker process that is killed at the set's deadline.

One call at a time, its arguments already evaluated by homegen (so missing keys and
variables keep text/template's semantics), its result back as JSON. A worker, not an
in-process call: Go code inside a C call cannot be interrupted, so a call that never ends
would hang homegen, or exhaust its memory. The worker serves one ApplicationSet (``stop``
ends it), is replaced after a timeout, and belongs to the process that started it (a forked
child starts its own).
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from homegen.appsets.govalues import OutOfTime, TemplateError, Unsupported

_NO_ENGINE = "needs sprig itself: install homegen[charts] (helm-python-sdk)"
_worker: subprocess.Popen[str] | None = None
_owner = 0  # the pid that started _worker


def call_function(name: str, args: list[Any], deadline: float | None) -> Any:
    """sprig's ``name`` called with ``args``; TemplateError when it fails, OutOfTime past
    ``deadline``, Unsupported without the engine."""
    if importlib.util.find_spec("helm_python") is None:
        raise Unsupported(f"the sprig function {name} {_NO_ENGINE}")
    literals: list[str] = []
    passed: list[Any] = []
    for arg in args:
        if isinstance(arg, bool):
            literals.append("true" if arg else "false")
        elif isinstance(arg, int):
            literals.append(str(arg))
        elif isinstance(arg, str):
            literals.append(json.dumps(arg, ensure_ascii=False))
        elif arg is None or not isinstance(arg, float | list | dict | range):
            literals.append("nil")
        else:  # through the values: a float64, a list or a map, as the controller has them
            literals.append(f"(index .a {len(passed)})")
            passed.append(list(arg) if isinstance(arg, range) else arg)
    text = "{{ toJson (" + " ".join([name, *literals]) + ") }}"
    return json.loads(_render(text, {"a": passed}, deadline) or "null")


def _render(text: str, data: dict[str, Any], deadline: float | None) -> str:
    """``text`` rendered by Helm's engine in the worker."""
    global _worker, _owner
    if _owner != os.getpid():
        _worker = None  # the parent's worker, inherited through fork: not ours to talk to
    if _worker is None or _worker.poll() is not None:
        _worker = _start()
        _owner = os.getpid()
    assert _worker.stdin is not None and _worker.stdout is not None
    try:
        _worker.stdin.write(json.dumps({"text": text, "data": data}) + "\n")
        _worker.stdin.flush()
    except (OSError, TypeError, ValueError) as exc:
        stop()
        raise Unsupported(f"the template worker failed: {exc}") from exc
    wait = None if deadline is None else max(0.0, deadline - time.monotonic())
    ready, _w, _x = select.select([_worker.stdout], [], [], wait)
    line = _worker.stdout.readline() if ready else ""
    if not line:
        stop()
        if ready:
            raise Unsupported("the template worker ended (out of memory?)")
        raise OutOfTime("Go template evaluation ran past its time limit")
    answer = json.loads(line)
    if "error" in answer:
        raise TemplateError(answer["error"])
    if "missing" in answer:
        raise Unsupported(_NO_ENGINE)
    return str(answer["text"])


def _start() -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "homegen.appsets.helmtemplate"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG")},
    )
    atexit.register(stop)
    return process


def stop() -> None:
    """End the worker, if this process started one."""
    global _worker
    if _worker is not None and _owner == os.getpid():
        _worker.kill()
        _worker.wait()
        for stream in (_worker.stdin, _worker.stdout):
            if stream is not None:
                stream.close()
    _worker = None


def _render_one(text: str, data: dict[str, Any]) -> dict[str, Any]:
    try:
        import helm_python
    except ImportError:
        return {"missing": True}
    with tempfile.TemporaryDirectory(prefix="homegen-appset-") as tmp:
        chart = Path(tmp) / "t"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: t\nversion: 0.0.0\n")
        (chart / "templates" / "_t.tpl").write_text('{{ define "t" }}' + text + "{{ end }}")
        (chart / "templates" / "t.yaml").write_text('{{- template "t" .Values -}}')
        try:
            rendered = helm_python.Chart.load(str(chart)).render(values=data)
        except helm_python.HelmError as exc:
            return {"error": str(exc).splitlines()[0]}
    return {"text": next(iter(rendered.values()), "")}


def _serve() -> None:
    """The worker: one JSON request per line on stdin, one answer per line on stdout."""
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(_render_one(request["text"], request["data"])), flush=True)


if __name__ == "__main__":
    _serve()
