"""The rules a CRD schema carries beyond JSON Schema: its CEL validation rules
(``x-kubernetes-validations``) and its keyed lists (``x-kubernetes-list-type``).

The API server checks both after it has applied the schema's defaults; so does this module,
on objects that passed the schema. It walks the object and the schema together, so a rule is
compiled only when a field it sits on is present (``homegen.validate.engine.cel``, loaded on first
need). Property names are escaped the Kubernetes way (``namespace`` → ``__namespace__``).
Transition rules (``oldSelf``) compare an update with the live object: a tree is created, not
updated, so the API server does not run them on it, and neither does homegen.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from homegen.validate.findings import Finding, Located, finding, json_path, register

CEL_VIOLATION = register(
    "HG120", "cel-rule", "error",
    "change the field so the rule holds (the message says what the CRD requires)",
    """A CustomResourceDefinition's CEL rule (x-kubernetes-validations) that fails makes the
    API server reject the object: the sync fails, nothing of it is applied.""",
)  # fmt: skip
CEL_NOT_CHECKED = register(
    "HG121", "cel-not-checked", "info",
    "check the rule with `kubectl apply --dry-run=server`, or install homegen[cel]",
    """A rule homegen cannot evaluate (a Kubernetes-only CEL function, or no CEL runtime) is
    named once per run, so a clean report never claims it passed.""",
)  # fmt: skip
CEL_ERROR = register(
    "HG122", "cel-error", "warning",
    "look at the fields the rule reads; the API server rejects an object whose rule errors",
    """A rule that fails to evaluate on an object (a missing key, a wrong type) is an error
    at the API server too; homegen says so rather than guess.""",
)  # fmt: skip
LIST_DUPLICATE = register(
    "HG123", "list-duplicate", "error",
    "remove or merge the duplicate entry",
    """A list the CRD keys (x-kubernetes-list-type map or set) may hold each key once: the API
    server rejects a duplicate (e.g. two header matches of the same name).""",
)  # fmt: skip

# CEL's reserved words: a property with one of these names is ``__name__`` in a rule
_RESERVED = frozenset(
    [
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ]
)
_OLD_SELF = re.compile(r"\boldSelf\b")
_FIELD_PATH = re.compile(r"(\.[A-Za-z_][A-Za-z0-9_]*)+")


@cache
def escape(name: str) -> str:
    """A property name as CEL rules spell it (Kubernetes' escaping)."""
    if name in _RESERVED:
        return f"__{name}__"
    name = name.replace("__", "__underscores__")
    return name.replace(".", "__dot__").replace("-", "__dash__").replace("/", "__slash__")


@dataclass(frozen=True)
class _Site:
    rules: list[Any]
    schema: dict[str, Any]
    value: Any
    path: tuple[Any, ...]


@dataclass(frozen=True)
class _Duplicate:
    path: tuple[Any, ...]
    key: str


# schema node (by id, kept alive by the entry) → whether it or a node below has rules: the
# walk skips the rest of an object (most of it) without looking
_ACTIVE: dict[int, tuple[Any, bool]] = {}


def _children(schema: dict[str, Any]) -> Iterator[Any]:
    for key in ("properties", "patternProperties"):
        subs = schema.get(key)
        if isinstance(subs, dict):
            yield from subs.values()
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield schema[key]


def _active(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    known = _ACTIVE.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    active = (
        bool(schema.get("x-kubernetes-validations"))
        or schema.get("x-kubernetes-list-type") in ("map", "set")
        or any(_active(sub) for sub in _children(schema))
    )
    _ACTIVE[id(schema)] = (schema, active)
    return active


def _extra(schema: dict[str, Any]) -> dict[str, Any]:
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}


def _items(schema: dict[str, Any]) -> dict[str, Any]:
    items = schema.get("items")
    return items if isinstance(items, dict) else {}


class _Walk:
    """One object against one schema: where rules apply (defaults included), duplicates in
    keyed lists, and each rule's ``self`` as CEL sees it (defaulted, names escaped)."""

    def __init__(self) -> None:
        self.sites: list[_Site] = []
        self.duplicates: list[_Duplicate] = []
        self._prepared: dict[int, tuple[Any, Any]] = {}

    def visit(self, schema: Any, value: Any, path: tuple[Any, ...]) -> None:
        if not _active(schema):
            return
        rules = schema.get("x-kubernetes-validations")
        if isinstance(rules, list) and rules:
            self.sites.append(_Site(rules, schema, value, path))
        if isinstance(value, dict):
            props, extra = schema.get("properties"), _extra(schema)
            if not isinstance(props, dict):
                for key, item in value.items():
                    self.visit(extra, item, (*path, key))
                return
            for key, item in value.items():
                self.visit(props.get(key, extra), item, (*path, key))
            for key, sub in props.items():
                if key not in value and isinstance(sub, dict) and "default" in sub:
                    self.visit(sub, copy.deepcopy(sub["default"]), (*path, key))
        elif isinstance(value, list):
            items = _items(schema)
            self._keys(schema, items, value, path)
            for i, item in enumerate(value):
                self.visit(items, item, (*path, i))

    def prepare(self, schema: Any, value: Any) -> Any:
        """``value`` as a rule's ``self``: schema defaults applied, property names escaped."""
        if not isinstance(value, dict | list):
            return value
        known = self._prepared.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        schema = schema if isinstance(schema, dict) else {}
        result: Any
        if isinstance(value, list):
            items = _items(schema)
            result = [self.prepare(items, item) for item in value]
        elif not isinstance(schema.get("properties"), dict):  # a map: keys are data
            extra = _extra(schema)
            result = {k: self.prepare(extra, v) for k, v in value.items()}
        else:
            props, extra = schema["properties"], _extra(schema)
            result = {escape(k): self.prepare(props.get(k, extra), v) for k, v in value.items()}
            for key, sub in props.items():
                if key not in value and isinstance(sub, dict) and "default" in sub:
                    result[escape(key)] = self.prepare(sub, copy.deepcopy(sub["default"]))
        self._prepared[id(value)] = (value, result)
        return result

    def _keys(
        self, schema: dict[str, Any], items: dict[str, Any], value: list[Any], path: tuple[Any, ...]
    ) -> None:
        kind = schema.get("x-kubernetes-list-type")
        if kind not in ("set", "map"):
            return
        names = schema.get("x-kubernetes-list-map-keys") or []
        props = items.get("properties") or {}
        seen: set[str] = set()
        for i, item in enumerate(value):
            if kind == "map" and isinstance(item, dict):
                parts = {n: item.get(n, (props.get(n) or {}).get("default")) for n in names}
                key = ", ".join(f"{n}={json.dumps(v)}" for n, v in parts.items())
            else:
                key = json.dumps(item, sort_keys=True)
            if key in seen:
                self.duplicates.append(_Duplicate((*path, i), key))
            seen.add(key)


def _rule_texts(schema: Any) -> Iterator[str]:
    """The CEL rules of a schema that apply to a new object (not the transition rules)."""
    if not isinstance(schema, dict):
        return
    for rule in schema.get("x-kubernetes-validations") or ():
        text = rule.get("rule") if isinstance(rule, dict) else None
        if isinstance(text, str) and not _OLD_SELF.search(text):
            yield text
    for key in ("properties", "patternProperties"):
        subs = schema.get(key)
        if isinstance(subs, dict):
            for sub in subs.values():
                yield from _rule_texts(sub)
    for key in ("items", "additionalProperties"):
        yield from _rule_texts(schema.get(key))


_RULES_OF: dict[int, tuple[Any, list[tuple[dict[str, Any], str, bool]]]] = {}


def _rules_of(rules: list[Any]) -> list[tuple[dict[str, Any], str, bool]]:
    """(rule, its CEL text, whether it reads oldSelf) of a schema node's rules, read once."""
    known = _RULES_OF.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    parsed = [
        (rule, rule["rule"], bool(_OLD_SELF.search(rule["rule"])))
        for rule in rules
        if isinstance(rule, dict) and isinstance(rule.get("rule"), str)
    ]
    _RULES_OF[id(rules)] = (rules, parsed)
    return parsed


class KindRules:
    """The CEL rules and keyed lists of one custom kind's schema."""

    def __init__(self, schema: dict[str, Any], kind: str) -> None:
        self.schema = schema
        self.kind = kind

    def warm(self) -> int:
        """Compile every rule of the schema now (render's validation process does this while
        it waits for the files); the number of rules compiled."""
        from homegen.validate.engine import cel

        compiled = 0
        for text in _rule_texts(self.schema):
            try:
                cel.RUNTIME.compile(text)
                compiled += 1
            except cel.NotCheckable:
                pass
        return compiled

    def check(self, obj: dict[str, Any], where: Located) -> Iterator[Finding]:
        """Findings of ``obj`` (which passed the schema)."""
        walk = _Walk()
        walk.visit(self.schema, obj, ())
        for dup in walk.duplicates:
            message = f"duplicate entry {dup.key} in a list keyed by it"
            yield finding(LIST_DUPLICATE, where, message, path=json_path(list(dup.path)))
        if not walk.sites:
            return
        from homegen.validate.engine import cel

        for site in walk.sites:
            value = walk.prepare(site.schema, site.value)
            key = cel.value_key(value)  # once per site: its rules' outcomes are memoized by it
            for rule, text, transition in _rules_of(site.rules):
                yield from self._rule(rule, text, transition, value, key, site.path, where)

    def _rule(
        self,
        rule: dict[str, Any],
        text: str,
        transition: bool,
        value: Any,
        key: str,
        at: tuple[Any, ...],
        where: Located,
    ) -> Iterator[Finding]:
        from homegen.validate.engine import cel

        try:
            if transition:
                if not rule.get("optionalOldSelf"):
                    return  # a transition rule: the API server runs it on updates only
                raise cel.NotCheckable("a transition rule that also runs on create (oldSelf)")
            outcome = cel.check(text, value, key)
        except cel.NotCheckable as why:
            # the same message for every object of the kind: the engine keeps the first
            if str(why) == cel.MISSING_RUNTIME:  # one note for the kind, not one per rule
                yield finding(CEL_NOT_CHECKED, where, f"{self.kind} CEL rules not checked: {why}")
            else:
                yield finding(
                    CEL_NOT_CHECKED, where, f"{self.kind} rule not checked: {why}: {text}"
                )
            return
        if outcome.passed:
            return
        path = json_path(list(at))  # only a finding needs it (most rules pass)
        if outcome.error:
            message = f"rule could not be evaluated ({outcome.error}): {text}"
            yield finding(CEL_ERROR, where, message, path=path)
            return
        field = rule.get("fieldPath")
        field_at = path
        if isinstance(field, str) and _FIELD_PATH.fullmatch(field):
            field_at = path.rstrip("/") + field.replace(".", "/")
        yield finding(CEL_VIOLATION, where, cel.message_of(rule, value), path=field_at)
