"""What Go templates and their functions share: errors, Go's truth and Go's printing."""

from __future__ import annotations

from typing import Any

from homegen.appsets.params import go_float


class TemplateError(Exception):
    """The template fails as it would in the controller (syntax, missing key, a function)."""


class Unsupported(Exception):
    """A construct homegen cannot evaluate (no Go template engine for it here)."""


class _NoValue:
    """A missing map key under ``missingkey=default``: prints as Go prints it."""

    def __str__(self) -> str:
        return "<no value>"


NO_VALUE = _NoValue()


class OutOfTime(Unsupported):
    """Evaluation ran past the set's wall-time limit (a ``range`` over a huge count)."""


class Delegate(Exception):
    """A function call homegen hands to sprig itself (Helm's engine) with its arguments."""


def truthy(value: Any) -> bool:
    """Go's truth: false, 0, nil and empty strings or collections are false."""
    if value is NO_VALUE or value is None:
        return False
    if isinstance(value, bool | int | float | str | list | dict | range):
        return bool(value)
    return True


def to_text(value: Any) -> str:
    """How text/template prints a value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value is NO_VALUE:
        return "<no value>"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, list | range):
        return "[" + " ".join(to_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{to_text(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)
