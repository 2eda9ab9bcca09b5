"""The unified YAML diff of two versions of an object, for reading."""

from __future__ import annotations

import difflib
from typing import Any

from homegen.render.yamltext import document, sort_keys


def unified(old: dict[str, Any] | None, new: dict[str, Any] | None, label: str) -> str:
    """A unified diff of the two as canonical YAML (keys sorted, strings double-quoted)."""
    a = document(sort_keys(old)).splitlines(keepends=True) if old is not None else []
    b = document(sort_keys(new)).splitlines(keepends=True) if new is not None else []
    lines = difflib.unified_diff(a, b, f"a/{label}", f"b/{label}", n=3)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
