"""What every output says the same way: values, change lines, the summary line. Everything
that came from a tree is escaped here (``escape``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from homegen.diff.escape import escape, escape_line
from homegen.diff.model import DiffResult, FieldChange, ObjectDiff, SecretKey
from homegen.diff.output_json import summary

SIGNS = {"added": "+", "removed": "-", "changed": "~", "moved": ">", "renamed": ">"}


def value(data: Any) -> str:
    """A value on one line (absent shown as ``(absent)``)."""
    if data is None:
        return "(absent)"
    return escape(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))


def image(name: str | None) -> str:
    """An image reference as it is written (``(none)`` for a container added or removed)."""
    return "(none)" if name is None else escape_line(name)


def change_line(change: FieldChange) -> str:
    """``path: old → new`` (with the noise reason)."""
    line = f"{escape_line(change.path)}: {value(change.old)} → {value(change.new)}"
    return f"{line}  (noise: {change.noise})" if change.noise else line


def secret_line(key: SecretKey) -> str:
    """A Secret key's change, sizes only."""
    sizes = {
        "added": f"{key.new_size} bytes",
        "removed": f"was {key.old_size} bytes",
        "changed": f"{key.old_size} → {key.new_size} bytes",
    }[key.status]
    return f"secret key {escape_line(key.key)} {key.status} ({sizes}; value not shown)"


def object_title(
    item: ObjectDiff, show: Callable[[str], str] = escape_line, sign: str = "{}"
) -> str:
    """``~ Deployment.apps/ns/name`` (with where it moved from); ``show`` makes a name from the
    tree safe for the output, ``sign`` formats the status sign."""
    title = f"{sign.format(SIGNS[item.status])} {show(item.key.label())}"
    if item.moved_from:
        title += f" (moved from app {show(item.moved_from)})"
    if item.noise_only:
        title += " (noise only)"
    return title


def object_lines(item: ObjectDiff, show_noise: bool) -> list[str]:
    """The change lines of one object."""
    lines = [secret_line(k) for k in item.secret_keys]
    lines += [change_line(c) for c in item.changes if show_noise or not c.noise]
    hidden = sum(1 for c in item.changes if c.noise) if not show_noise else 0
    if hidden:
        lines.append(f"({hidden} noise fields not shown: --show-noise)")
    return lines


def counts(result: DiffResult) -> str:
    """``apps: 1 added, 0 removed, 2 changed; objects: ...``."""
    data = summary(result)
    apps = ", ".join(f"{n} {s}" for s, n in data["apps"].items() if n or s != "renamed")
    objects = ", ".join(
        f"{n} {s.replace('_', '-')}" for s, n in data["objects"].items() if n or s != "moved"
    )
    return f"apps: {apps}; objects: {objects}"


def shown(result: DiffResult, show_noise: bool) -> list[Any]:
    """The apps to list, each with the objects to list (noise-only ones on request)."""
    out = []
    for app in result.apps:
        objects = [o for o in app.objects if show_noise or not o.noise_only]
        if objects or app.status != "changed" or app.failure:
            out.append((app, objects))
    return out
