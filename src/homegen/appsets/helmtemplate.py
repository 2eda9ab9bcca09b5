"""sprig functions homegen does not implement, called in sprig itself: Helm's engine (the
same text/template and sprig) in the engine worker (``homegen.expand.helm``), which holds
the memory and time limits and is killed and replaced when a call overruns the set's deadline.

One call at a time, its arguments already evaluated by homegen (so missing keys and
variables keep text/template's semantics), its result back as JSON. A worker, not an
in-process call: Go code inside a C call cannot be interrupted, so a call that never ends
would hang homegen, or exhaust its memory.
"""

from __future__ import annotations

import importlib.util
import json
import time
from typing import Any

from homegen.appsets.govalues import OutOfTime, TemplateError, Unsupported

_NO_ENGINE = "needs sprig itself: install homegen[charts] (helm-python-sdk)"


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
    """``text`` rendered by Helm's engine in the worker, before ``deadline``."""
    from homegen.expand.helm import ChartFailed, EngineMissing, render_template

    within = None if deadline is None else max(0.0, deadline - time.monotonic())
    try:
        return render_template(text, data, within=within)
    except EngineMissing as exc:
        raise Unsupported(_NO_ENGINE) from exc
    except ChartFailed as exc:
        if deadline is not None and time.monotonic() >= deadline:
            raise OutOfTime("Go template evaluation ran past its time limit") from None
        raise TemplateError(str(exc)) from None
