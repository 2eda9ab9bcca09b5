"""The structural diff of two objects: every differing field by path, lists of named items
matched by name, each change tagged as noise where it is one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from homegen.diff.model import FieldChange

# A path segment: a map key, a list index, or a named list item ("name", value)
Segment = str | int | tuple[str, str]
Path = tuple[Segment, ...]

# Labels charts stamp with their own version: they change on every bump, whatever changes
CHART_LABELS = frozenset({"helm.sh/chart", "app.kubernetes.io/version", "chart"})
RERENDER = "differs between two renders"
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def format_path(path: Path) -> str:
    """``spec.template.spec.containers[name=traefik].image``; odd keys as ``["a/b"]``."""
    out: list[str] = []
    for segment in path:
        if isinstance(segment, tuple):
            out.append(f"[{segment[0]}={segment[1]}]")
        elif isinstance(segment, int):
            out.append(f"[{segment}]")
        elif _PLAIN.match(segment):
            out.append(("." if out else "") + segment)
        else:
            out.append(f"[{json.dumps(segment)}]")
    return "".join(out)


def _named(items: list[Any]) -> dict[str, Any] | None:
    """Items by name when every item is a map with a distinct string ``name``."""
    found: dict[str, Any] = {}
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or name in found:
            return None
        found[name] = item
    return found


def walk(old: Any, new: Any, path: Path = ()) -> Iterator[tuple[Path, Any, Any]]:
    """(path, old, new) of each differing field, at the highest path that differs."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from walk(old.get(key), new.get(key), (*path, str(key)))
        return
    if isinstance(old, list) and isinstance(new, list):
        old_named, new_named = _named(old), _named(new)
        if old_named is not None and new_named is not None and (old or new):
            order = list(old_named) + [n for n in new_named if n not in old_named]
            for name in order:
                yield from walk(old_named.get(name), new_named.get(name), (*path, ("name", name)))
            return
        if len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                yield from walk(a, b, (*path, index))
            return
    yield path, old, new


def noise_of(path: Path, masked: frozenset[Path] = frozenset()) -> str:
    """Why a change at ``path`` is noise ("" when it is not)."""
    if any(path[: len(m)] == m or m[: len(path)] == path for m in masked):
        return RERENDER
    if not path:
        return ""
    last, parent = path[-1], path[-2] if len(path) > 1 else None
    if parent == "labels" and last in CHART_LABELS:
        return "chart label"
    if parent == "annotations" and isinstance(last, str) and last.startswith("checksum/"):
        return "checksum annotation"
    if last == "caBundle":
        return "caBundle"
    return ""


def field_changes(
    old: dict[str, Any], new: dict[str, Any], masked: frozenset[Path] = frozenset()
) -> list[FieldChange]:
    """Every differing field of two versions of one object, noise tagged."""
    return [
        FieldChange(format_path(path), a, b, noise_of(path, masked))
        for path, a, b in walk(old, new)
    ]


def differing_paths(first: dict[str, Any], second: dict[str, Any]) -> frozenset[Path]:
    """The paths where two renders of the same input differ (random values)."""
    return frozenset(path for path, _a, _b in walk(first, second))
