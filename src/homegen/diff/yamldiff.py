"""The unified YAML diff of two versions of an object, for reading."""

from __future__ import annotations

import difflib
from typing import Any

from homegen.render.yamltext import document


def unified(old: dict[str, Any] | None, new: dict[str, Any] | None, label: str) -> str:
    """A unified diff of the two as canonical YAML (keys sorted, strings double-quoted)."""
    a = document(_sorted(old)).splitlines(keepends=True) if old is not None else []
    b = document(_sorted(new)).splitlines(keepends=True) if new is not None else []
    lines = difflib.unified_diff(a, b, f"a/{label}", f"b/{label}", n=3)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _sorted(value: Any) -> Any:
    """A copy with mapping keys sorted as text (a tree's YAML may mix number and text keys)."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value
