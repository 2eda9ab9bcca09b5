"""Secrets: which keys change, with sizes; their values never leave this module."""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from homegen.diff.model import Key, SecretKey

VALUE_MAPS = ("data", "stringData")
# kubectl's copy of the whole object, values included
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(key: Key) -> bool:
    """A core Secret: its data and stringData are never shown."""
    return key.group == "" and key.kind == "Secret"


def _size(field: str, value: Any) -> int:
    text = value if isinstance(value, str) else str(value)
    if field == "data":
        try:
            return len(base64.b64decode(text, validate=False))
        except (binascii.Error, ValueError):
            return len(text.encode("utf-8"))
    return len(text.encode("utf-8"))


def _values(obj: dict[str, Any] | None) -> dict[str, tuple[str, Any]]:
    """``field/key`` → (field, value) over data and stringData."""
    found: dict[str, tuple[str, Any]] = {}
    for field in VALUE_MAPS:
        values = (obj or {}).get(field)
        if isinstance(values, dict):
            for key, value in values.items():
                found[f"{field}.{key}" if field == "stringData" else str(key)] = (field, value)
    return found


def secret_keys(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[SecretKey]:
    """The keys added, removed or changed, with sizes in bytes (decoded for ``data``)."""
    before, after = _values(old), _values(new)
    out: list[SecretKey] = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        old_size = _size(*a) if a is not None else None
        new_size = _size(*b) if b is not None else None
        if a is None:
            out.append(SecretKey(name, "added", old_size, new_size))
        elif b is None:
            out.append(SecretKey(name, "removed", old_size, new_size))
        else:
            out.append(SecretKey(name, "changed", old_size, new_size))
    return out


def masked(obj: dict[str, Any], changed: set[str] | None = None) -> dict[str, Any]:
    """A copy to show: each value replaced by its size (and ``changed`` where it changed)."""
    out = copy.deepcopy(obj)
    for field in VALUE_MAPS:
        values = out.get(field)
        if not isinstance(values, dict):
            continue
        for key in values:
            name = f"{field}.{key}" if field == "stringData" else str(key)
            mark = ", changed" if changed and name in changed else ""
            values[key] = f"(secret value, {_size(field, values[key])} bytes{mark})"
    annotations = (out.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict) and _LAST_APPLIED in annotations:
        annotations[_LAST_APPLIED] = "(hidden: holds the secret's values)"
    return out


def without_values(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy with data and stringData removed: what the structural diff compares."""
    out = masked(obj)
    for field in VALUE_MAPS:
        out.pop(field, None)
    return out
