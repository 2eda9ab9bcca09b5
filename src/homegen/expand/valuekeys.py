"""Values keys a chart does not have: a misspelt key renders without a word, and does nothing.

Where the chart ships ``values.schema.json`` and the schema lists the properties of a map,
a key that neither the schema nor the chart's defaults know is an error. Otherwise a key
under a non-empty default map that lacks it is a warning, with a did-you-mean; maps that are
empty by default (and schema objects that list no properties) are free-form. Either way a
key the templates read (``.Values.a.b``, also when values.yaml only has it in a comment) is
known, and a map the templates pass on whole (``toYaml .Values.x``, ``with .Values.x`` …
``toYaml .``) takes any key.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from homegen.expand.model import ValuesProblem

_MAX_PROBLEMS = 50  # per chart: a values file written for another chart is one problem
_REFERENCE = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)")
_WHOLE = re.compile(r"toYaml\s+\(?\s*\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*\)?\s*(?:\||\}\})")
_PIPED = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*\|\s*toYaml")
_WITH = re.compile(
    r"with\s+\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*-?\}\}(.{0,300}?)\{\{-?\s*end", re.S
)
_WITH_DOT = re.compile(r"toYaml\s+\.\s*(?:\||\}\}|-)")


def template_paths(sources: list[str]) -> tuple[set[str], set[str]]:
    """(every values path the templates read, the paths they pass on whole with toYaml)."""
    read: set[str] = set()
    whole: set[str] = set()
    for text in sources:
        read.update(m[1][1:] for m in _REFERENCE.finditer(text))
        whole.update(m[1][1:] for m in _WHOLE.finditer(text))
        whole.update(m[1][1:] for m in _PIPED.finditer(text))
        for match in _WITH.finditer(text):
            if _WITH_DOT.search(match[2]):
                whole.add(match[1][1:])
    return read, whole


def unknown_keys(
    user: dict[str, Any],
    defaults: dict[str, Any],
    schema: dict[str, Any] | None,
    subcharts: list[str],
    template_sources: list[str] = (),  # type: ignore[assignment]
) -> list[ValuesProblem]:
    """Every key of ``user`` the chart does not have, as problems."""
    read, whole = template_paths(list(template_sources))
    known = {".".join(p.split(".")[:i]) for p in read for i in range(1, p.count(".") + 2)}
    found: list[ValuesProblem] = []
    allowed_top = {"global", *subcharts}
    for key, value in user.items():
        if key in allowed_top:
            continue
        _walk(key, [key], value, defaults, schema, found, _Known(known, whole))
    return found[:_MAX_PROBLEMS]


class _Known:
    """Paths the templates read, and those they pass on whole."""

    def __init__(self, read: set[str], whole: set[str]) -> None:
        self.read = read
        self.whole = whole

    def free(self, dotted: str) -> bool:
        return any(dotted == w or dotted.startswith(w + ".") for w in self.whole)


def _schema_child(schema: dict[str, Any] | None, key: str) -> tuple[dict[str, Any] | None, bool]:
    """(the subschema of ``key``, whether the schema says the key does not exist)."""
    if not isinstance(schema, dict):
        return None, False
    properties = schema.get("properties")
    if isinstance(properties, dict) and key in properties:
        child = properties[key]
        return (child if isinstance(child, dict) else None), False
    for pattern, child in (schema.get("patternProperties") or {}).items():
        if re.search(pattern, key):
            return (child if isinstance(child, dict) else None), False
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return extra, False
    listed = isinstance(properties, dict) and bool(properties)
    return None, listed and extra is not True


def _walk(
    key: str,
    path: list[str],
    value: Any,
    defaults: Any,
    schema: dict[str, Any] | None,
    found: list[ValuesProblem],
    known: _Known,
) -> None:
    """Check ``key`` (with ``value``) against the default map and schema object it sits in."""
    dotted = ".".join(path)
    if known.free(dotted):
        return
    in_defaults = isinstance(defaults, dict) and key in defaults
    child_schema, schema_unknown = _schema_child(schema, key)
    if not in_defaults and dotted not in known.read:
        default_map = defaults if isinstance(defaults, dict) else {}
        if schema_unknown or (default_map and child_schema is None):
            names = list(default_map) + list((schema or {}).get("properties") or {})
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {'.'.join([*path[:-1], close[0]])}?)" if close else ""
            found.append(
                ValuesProblem(
                    ".".join(path),
                    f"the chart has no values key {'.'.join(path)}{hint}",
                    error=schema_unknown,
                )
            )
            return
    if not isinstance(value, dict):
        return
    child_defaults = defaults.get(key) if in_defaults and isinstance(defaults, dict) else None
    if not isinstance(child_defaults, dict):
        child_defaults = {}
    if not child_defaults and not (child_schema or {}).get("properties"):
        return  # free-form: empty by default and no listed properties
    for sub, sub_value in value.items():
        _walk(sub, [*path, sub], sub_value, child_defaults, child_schema, found, known)
