"""Parameters the generators yield: path parameters, flattening, DNS-safe names, globs."""

from __future__ import annotations

import json
import posixpath
import re
from functools import cache
from typing import Any

_INVALID_DNS = re.compile(r"[^-a-z0-9.]")


def normalize(name: str) -> str:
    """A DNS-safe form of ``name``: lower case, other characters as ``-``, at most 253 long,
    no ``-`` or ``.`` at either end (what ``basenameNormalized`` and ``normalize`` give)."""
    return _INVALID_DNS.sub("-", name.lower())[:253].strip("-.")


def go_string(value: Any) -> str:
    """How Go's ``%v`` prints a JSON value (``2`` not ``2.0``, ``true``, ``<nil>``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested mappings and lists as dotted keys (``a.b``, ``a.0``), values as Go prints them."""
    flat: dict[str, str] = {}
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: go_string(value)}
    for key, child in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(child, dict | list) and child:
            flat.update(flatten(child, name))
        else:
            flat[name] = go_string(child) if not isinstance(child, dict | list) else ""
    return flat


def path_params(name: str, folder: str, go: bool, *, file: str | None = None) -> dict[str, Any]:
    """The ``path`` parameters of one directory (or of one file, ``folder`` its directory)."""
    basename = posixpath.basename(folder)
    segments = folder.split("/")
    if go:
        params: dict[str, Any] = {
            "path": folder,
            "basename": basename,
            "basenameNormalized": normalize(basename),
            "segments": segments,
        }
        if file is not None:
            params["filename"] = posixpath.basename(file)
            params["filenameNormalized"] = normalize(posixpath.basename(file))
        return {name: params} if "." not in name else _nest(name, params)
    flat = {
        name: folder,
        f"{name}.basename": basename,
        f"{name}.basenameNormalized": normalize(basename),
    }
    if file is not None:
        flat[f"{name}.filename"] = posixpath.basename(file)
        flat[f"{name}.filenameNormalized"] = normalize(posixpath.basename(file))
    for index, segment in enumerate(segments):
        flat[f"{name}[{index}]"] = segment
    return flat


def _nest(dotted: str, value: Any) -> dict[str, Any]:
    for part in reversed(dotted.split(".")):
        value = {part: value}
    result: dict[str, Any] = value
    return result


@cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex: ``*`` and ``?`` stay inside one path segment, ``**`` crosses them."""
    out, i = [], 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
                i += 1
            else:
                body = pattern[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(pattern: str, path: str) -> bool:
    """Whether ``path`` (a repository path) matches ``pattern``."""
    return glob_regex(pattern).match(path.strip("/")) is not None
