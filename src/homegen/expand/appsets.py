"""ApplicationSet → the Applications it generates, as far as expansion needs them.

A stand-in until the ApplicationSet generator package lands: list generators only,
Go templates (``goTemplate: true``: ``{{ .key }}``) and fasttemplate (``{{key}}``).
"""

from __future__ import annotations

import re
from typing import Any

_GO = re.compile(r"\{\{-?\s*\.([A-Za-z_][\w.]*)\s*-?\}\}")
_FAST = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _lookup(element: dict[str, Any], dotted: str) -> Any:
    node: Any = element
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def _substitute(value: Any, element: dict[str, Any], pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: str(_lookup(element, m[1])), value)
    if isinstance(value, dict):
        return {k: _substitute(v, element, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, element, pattern) for v in value]
    return value


def generated_applications(appset: dict[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """(name, spec) of every Application a list-generated ApplicationSet makes, and why
    some could not be generated ("" when all were)."""
    spec = _mapping(appset.get("spec"))
    template = _mapping(spec.get("template"))
    pattern = _GO if spec.get("goTemplate") else _FAST
    apps: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for generator in spec.get("generators") or []:
        kinds = list(generator) if isinstance(generator, dict) else ["?"]
        if kinds != ["list"]:
            problems.append(f"{'/'.join(kinds)} generator not supported")
            continue
        for element in _mapping(generator["list"]).get("elements") or []:
            if not isinstance(element, dict):
                continue
            try:
                made = _substitute(template, element, pattern)
            except KeyError as exc:
                problems.append(f"element {element}: no key {exc.args[0]!r}")
                continue
            name = str(_mapping(made.get("metadata")).get("name") or "")
            apps.append((name, _mapping(made.get("spec"))))
    return apps, "; ".join(problems)
