"""Helm values arithmetic without Helm: layering value files and ``--set`` parameters.

Kept in Python so that a cached expansion is found without loading the Helm engine.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_INDEX = re.compile(r"^(.*?)\[(\d+)\]$")
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")


def merge_values(base: dict[str, Any], *layers: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each layer merged over it, maps recursively (later layers win)."""
    result = copy.deepcopy(base)
    for layer in layers:
        _merge_into(result, layer)
    return result


def _merge_into(target: dict[str, Any], layer: dict[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _typed(value: str) -> Any:
    """A ``--set`` value as Helm types it: booleans, null and integers; the rest strings."""
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if _INT.match(value):
        return int(value)
    return value


def _split_path(name: str) -> list[str]:
    """``a.b\\.c.d`` → ``["a", "b.c", "d"]`` (a backslash escapes a dot)."""
    parts, current, escaped = [], "", False
    for char in name:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def set_parameter(values: dict[str, Any], name: str, value: str, force_string: bool) -> None:
    """Apply one ArgoCD Helm parameter (``--set`` or, with forceString, ``--set-string``)."""
    typed: Any = value if force_string else _typed(value)
    node: Any = values
    parts = _split_path(name)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        match = _INDEX.match(part)
        key = match[1] if match else part
        if match:
            items = node.get(key) if isinstance(node.get(key), list) else []
            node[key] = items
            index = int(match[2])
            while len(items) <= index:
                items.append(None)
            if last:
                items[index] = typed
                return
            if not isinstance(items[index], dict):
                items[index] = {}
            node = items[index]
        elif last:
            node[key] = typed
        else:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
