"""Parameters the generators yield: path parameters, flattening, DNS-safe names, globs."""

from __future__ import annotations

import posixpath
import re
from decimal import Decimal
from typing import Any

_INVALID_DNS = re.compile(r"[^-a-z0-9.]")
_GO_EXPONENT_FROM = 6  # strconv's %g with the shortest precision decides with precision 6


def normalize(name: str) -> str:
    """A DNS-safe form of ``name``: lower case, other characters as ``-``, at most 253 long,
    no ``-`` or ``.`` at either end (what ``basenameNormalized`` and ``normalize`` give)."""
    return _INVALID_DNS.sub("-", name.lower())[:253].strip("-.")


def go_float(value: float) -> str:
    """How Go's ``%v`` prints a float64: the shortest digits that round-trip, in exponent
    form when the decimal exponent is below -4 or at least 6 (``1e+06``, ``123456``)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(str(d) for d in digits)
    point = len(text) + int(exponent)  # digits before the decimal point
    exp = point - 1
    minus = "-" if sign else ""
    if exp < -4 or exp >= _GO_EXPONENT_FROM:
        body = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return minus + text + "0" * (point - len(text))
    return f"{minus}{text[:point]}.{text[point:]}"


def go_string(value: Any) -> str:
    """How Go's ``%v`` prints a value decoded from JSON or YAML: numbers are float64 there
    (``2``, ``1e+06``), ``true``, ``<nil>``, ``map[a:1]``, ``[a b]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, int | float):
        return go_float(float(value))
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_string(v)}" for k, v in sorted(value.items()))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_string(v) for v in value) + "]"
    return str(value)


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested mappings and lists as dotted keys (``a.b``, ``a.0``), values as Go's ``%v``
    prints them; an empty mapping or list gives no key at all (jeremywohl/flatten)."""
    flat: dict[str, str] = {}
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: go_string(value)}
    for key, child in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(child, dict | list):
            flat.update(flatten(child, name))
        else:
            flat[name] = go_string(child)
    return flat


def path_params(prefix: str, folder: str, go: bool, *, file: str | None = None) -> dict[str, Any]:
    """The path parameters of one directory (or of one file, ``folder`` its directory), under
    ``pathParamPrefix`` when there is one (goTemplate: ``{prefix: {path: ...}}``)."""
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
        return {prefix: {"path": params}} if prefix else {"path": params}
    name = f"{prefix}.path" if prefix else "path"
    flat = {
        name: folder,
        f"{name}.basename": basename,
        f"{name}.basenameNormalized": normalize(basename),
    }
    if file is not None:
        flat[f"{name}.filename"] = posixpath.basename(file)
        flat[f"{name}.filenameNormalized"] = normalize(posixpath.basename(file))
    for index, segment in enumerate(segments):
        if segment:
            flat[f"{name}[{index}]"] = segment
    return flat
