"""The ``matrix`` and ``merge`` generators: two or more children's parameter sets combined."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from homegen.appsets.govalues import TemplateError

Child = Callable[[Any, "dict[str, Any] | None"], "list[Any]"]  # generator, params → sets
Found = list[tuple[dict[str, Any], str]]


def _children(spec: dict[str, Any], kind: str) -> list[Any]:
    children = spec.get("generators")
    if not isinstance(children, list) or len(children) < 2:
        raise TemplateError(f"{kind} needs at least two child generators")
    if kind == "matrix" and len(children) != 2:
        raise TemplateError("matrix takes exactly two child generators")
    return children


def matrix_params(
    spec: dict[str, Any], go: bool, child: Child, check_count: Callable[[int], None]
) -> Found:
    """Every set of the first child with every set the second gives for it: the second child
    is rendered with the first's parameters; the first child's parameters win (goTemplate),
    or a key both set differently is an error."""
    first, second = _children(spec, "matrix")
    found: Found = []
    for left in child(first, None):
        for right in child(second, left.params):
            found.append(
                (_combine(left.params, right.params, go), f"{left.origin} x {right.origin}")
            )
            check_count(len(found))  # stops a bomb before its product is built
    return found


def _combine(left: dict[str, Any], right: dict[str, Any], go: bool) -> dict[str, Any]:
    if go:
        return deep_merge(copy.deepcopy(right), left)
    combined = dict(left)
    for key, value in right.items():
        if key in combined and combined[key] != value:
            raise TemplateError(
                f"matrix: found duplicate key {key} with different value, "
                f"a: {combined[key]} ,b: {value}"
            )
        combined[key] = value
    return combined


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``patch`` merged into ``base`` (nested mappings merged, everything else replaced)."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def merge_params(
    spec: dict[str, Any], go: bool, child: Child, check_count: Callable[[int], None]
) -> Found:
    """The first child's sets, each overridden by the set of a later child with the same
    merge-key values (top-level parameters); two sets of one child sharing them is an error."""
    children = _children(spec, "merge")
    keys = sorted({str(k) for k in spec.get("mergeKeys") or []})
    if not keys:
        raise TemplateError("merge needs mergeKeys")
    every = [child(c, None) for c in children]
    base = {k: (copy.deepcopy(s.params), s.origin) for k, s in _by_key(every[0], keys).items()}
    for sets in every[1:]:
        overrides = _by_key(sets, keys)
        for key, item in base.items():
            match = overrides.get(key)
            if match is None:
                continue
            params = deep_merge(item[0], match.params) if go else {**item[0], **match.params}
            base[key] = (params, f"{item[1]} + {match.origin}")
    check_count(len(base))
    return list(base.values())


def _by_key(sets: list[Any], keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in sets:
        key = json.dumps({k: item.params.get(k) for k in keys}, sort_keys=True, default=str)
        if key in found:
            raise TemplateError(f"merge: the param sets are not unique by merge keys: {key}")
        found[key] = item
    return found
