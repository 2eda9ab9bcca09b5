"""An Application's ``ignoreDifferences``, applied to an object before it is compared.

JSON pointers are RFC 6901. jq path expressions: the subset ArgoCD users write, namely
``.a.b``, ``.a["k"]``, ``.a[0]``, ``.a[]`` (every item), ``.a[]?`` and
``.a[] | select(.name == "x")`` (also ``!=``, on any field, string/number/bool values),
chained. Anything else is reported as not applied, never guessed.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from typing import Any

from homegen.diff.model import Key

_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d*)\]\??|\.(?=\[)')
_SELECT = re.compile(r"\s*select\(\s*\.([A-Za-z_][A-Za-z0-9_.-]*)\s*(==|!=)\s*(.+?)\s*\)\s*\Z")


class Unsupported(ValueError):
    """A jq expression outside the supported subset."""


def rules_for(app: dict[str, Any], key: Key) -> list[dict[str, Any]]:
    """The app's ignoreDifferences entries that match the object (group/kind globs)."""
    spec = app.get("spec")
    if not isinstance(spec, dict):
        return []
    found = []
    for rule in spec.get("ignoreDifferences") or []:
        if not isinstance(rule, dict):
            continue
        group, kind = str(rule.get("group") or ""), str(rule.get("kind") or "")
        if not fnmatch.fnmatchcase(key.group, group) or not fnmatch.fnmatchcase(key.kind, kind):
            continue
        if rule.get("name") and rule["name"] != key.name:
            continue
        if rule.get("namespace") and rule["namespace"] != key.namespace:
            continue
        found.append(rule)
    return found


def apply_ignores(obj: dict[str, Any], rules: list[dict[str, Any]], problems: list[str]) -> Any:
    """A copy of ``obj`` without the ignored fields (``obj`` itself when nothing applies)."""
    if not rules:
        return obj
    out = copy.deepcopy(obj)
    for rule in rules:
        for pointer in rule.get("jsonPointers") or []:
            _drop_pointer(out, str(pointer))
        for expression in rule.get("jqPathExpressions") or []:
            try:
                _drop_jq(out, str(expression))
            except Unsupported as exc:
                problems.append(f"jqPathExpression {expression!r} not applied: {exc}")
    return out


def _drop_pointer(obj: Any, pointer: str) -> None:
    if not pointer.startswith("/"):
        return
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]
    for part in parts[:-1]:
        obj = _child(obj, part)
        if obj is None:
            return
    _remove(obj, parts[-1])


def _child(obj: Any, part: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(part)
    if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
        return obj[int(part)]
    return None


def _remove(obj: Any, part: str | int) -> None:
    if isinstance(obj, dict):
        obj.pop(part, None)
    elif isinstance(obj, list) and str(part).isdigit() and int(part) < len(obj):
        obj.pop(int(part))


def _parse(text: str) -> list[Any]:
    """Steps: ("key", k), ("index", i), ("each",), ("select", field, op, value)."""
    steps: list[Any] = []
    for stage in text.split("|"):
        stage = stage.strip()
        match = _SELECT.match(stage)
        if match:
            try:
                value = json.loads(match[3])
            except json.JSONDecodeError as exc:
                raise Unsupported(f"select value {match[3]!r} is not a literal") from exc
            steps.append(("select", match[1].split("."), match[2], value))
            continue
        at = 0
        while at < len(stage):
            found = _STEP.match(stage, at)
            if found is None or found.end() == at:
                raise Unsupported(f"cannot read {stage[at:]!r}")
            if found[1] is not None:
                steps.append(("key", found[1]))
            elif found[2] is not None:
                steps.append(("key", json.loads(f'"{found[2]}"')))
            elif found[3] is not None:
                steps.append(("index", int(found[3])) if found[3] else ("each",))
            at = found.end()
    return steps


def _drop_jq(obj: Any, expression: str) -> None:
    steps = _parse(expression)
    if not steps or (steps[-1][0] == "select" and len(steps) == 1):
        raise Unsupported("no path")
    # each location is (container, key); the last step names what to drop from it
    locations: list[tuple[Any, Any]] = [(None, obj)]
    for step in steps:
        locations = _advance(locations, step)
    for container, key in sorted(
        ((c, k) for c, k in _owners(locations)),
        key=lambda ck: -ck[1] if isinstance(ck[1], int) else 0,
    ):
        _remove(container, key)


def _advance(locations: list[tuple[Any, Any]], step: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for _container, value in locations:
        keyed = step[0] == "key" and isinstance(value, dict) and step[1] in value
        if keyed or (step[0] == "index" and isinstance(value, list) and step[1] < len(value)):
            out.append(((value, step[1]), value[step[1]]))
        elif step[0] == "each" and isinstance(value, list):
            out += [((value, i), item) for i, item in enumerate(value)]
        elif step[0] == "each" and isinstance(value, dict):
            out += [((value, k), item) for k, item in value.items()]
    if step[0] == "select":
        out = [loc for loc in locations if _selected(loc[1], step[1], step[2], step[3])]
    return out


def _selected(value: Any, field: list[str], op: str, literal: Any) -> bool:
    for part in field:
        value = value.get(part) if isinstance(value, dict) else None
    return bool(value == literal) if op == "==" else bool(value != literal)


def _owners(locations: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [loc[0] for loc in locations if loc[0] is not None]
