"""A JSON Schema compiled into a yes/no predicate: the fast path of schema validation.

jsonschema explains every error with its path, but walking a Deployment through it costs
about a millisecond, and a 5,000-document tree would spend seconds there. Almost every
document is valid, so each schema is also compiled into nested closures that answer "valid?"
in a few microseconds; only documents it rejects go through jsonschema for the explanation.

The predicate must never accept what jsonschema rejects. It covers exactly the keywords the
Kubernetes and CRD-catalog schemas use; any other keyword raises ``Unsupported`` at compile
time, and the caller then uses jsonschema alone for that kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Any], bool]

# Annotations: keywords jsonschema does not validate (format is not asserted by default).
_IGNORED = frozenset(
    {
        "description", "format", "default", "title", "examples", "example", "$schema", "$id",
        "$comment", "nullable", "deprecated", "readOnly", "writeOnly", "$defs", "definitions",
    }
)  # fmt: skip


class Unsupported(Exception):
    """The schema uses a keyword the compiler does not handle."""


def _is_integer(x: Any) -> bool:
    t = type(x)
    return t is int or (t is float and x.is_integer())


_TYPES: dict[str, Predicate] = {
    "object": lambda x: type(x) is dict,
    "array": lambda x: type(x) is list,
    "string": lambda x: type(x) is str,
    "integer": _is_integer,
    "number": lambda x: type(x) is int or type(x) is float,
    "boolean": lambda x: type(x) is bool,
    "null": lambda x: x is None,
}
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
}


def _type_check(spec: str | list[str]) -> Predicate:
    names = [spec] if isinstance(spec, str) else list(spec)
    if "integer" in names and "number" not in names:
        preds = [_TYPES[n] for n in names]
        return lambda x: any(p(x) for p in preds)
    allowed: set[type] = set()
    for name in names:
        allowed.update(_PY_TYPES["number" if name == "integer" else name])
    frozen = frozenset(allowed)
    return lambda x: type(x) in frozen


def _enum_key(value: Any) -> tuple[str, Any]:
    # jsonschema's equality keeps True apart from 1 and 1 equal to 1.0
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", value)
    if isinstance(value, str) or value is None:
        return ("str", value)
    raise Unsupported("enum of non-scalars")


def _enum_check(values: list[Any]) -> Predicate:
    keys = frozenset(_enum_key(v) for v in values)

    def check(x: Any) -> bool:
        try:
            return _enum_key(x) in keys
        except Unsupported:
            return False

    return check


class SchemaCompiler:
    """Compiles schemas whose ``$ref`` point into known documents (base URI → document)."""

    def __init__(self, documents: Mapping[str, Any]) -> None:
        self._documents = documents
        self._refs: dict[str, Predicate] = {}

    def compile(self, schema: Any, here: Any) -> Predicate:
        """The predicate of ``schema``; ``here`` is the document its local refs point into."""
        if schema is True or schema == {}:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema is a {type(schema).__name__}")
        checks: list[Predicate] = []
        obj_keys = {"properties", "additionalProperties", "required"}
        for key, value in schema.items():
            if key in _IGNORED or key.startswith("x-") or key in obj_keys:
                continue
            checks.append(self._keyword(key, value, here))
        if obj_keys & schema.keys():
            checks.append(self._object(schema, here))
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda x: first(x) and second(x)
        every = tuple(checks)

        def all_of(x: Any) -> bool:
            for check in every:  # noqa: SIM110 (faster than all(genexpr))
                if not check(x):
                    return False
            return True

        return all_of

    def _object(self, schema: dict[str, Any], here: Any) -> Predicate:
        props = _LazyProperties(self, schema.get("properties", {}), here)
        compiled = props.compiled  # dict.get in C, before the lazy path
        extra_schema = schema.get("additionalProperties", True)
        extra: Predicate | None = None if extra_schema is True else self.compile(extra_schema, here)
        required = tuple(schema.get("required", ()))

        def check(x: Any) -> bool:
            if type(x) is not dict:
                return True
            for key in required:
                if key not in x:
                    return False
            for key, value in x.items():
                pred = compiled(key) or props.get(key)
                if pred is None:
                    if extra is not None and not extra(value):
                        return False
                elif not pred(value):
                    return False
            return True

        return check

    def _keyword(self, key: str, value: Any, here: Any) -> Predicate:
        if key == "type":
            return _type_check(value)
        if key == "$ref":
            return self._ref(value, here)
        if key == "enum":
            return _enum_check(value)
        if key == "const":
            return _enum_check([value])
        if key == "items":
            item = self.compile(value, here)

            def items(x: Any) -> bool:
                if type(x) is list:
                    for i in x:  # a loop, as in all_of
                        if not item(i):
                            return False
                return True

            return items
        if key in ("anyOf", "oneOf", "allOf", "not"):
            return self._combinator(key, value, here)
        return _bounds(key, value)

    def _combinator(self, key: str, value: Any, here: Any) -> Predicate:
        if key == "not":
            inner = self.compile(value, here)
            return lambda x: not inner(x)
        subs = [self.compile(s, here) for s in value]
        if key == "anyOf":
            return lambda x: any(s(x) for s in subs)
        if key == "allOf":
            return lambda x: all(s(x) for s in subs)
        return lambda x: sum(1 for s in subs if s(x)) == 1

    def _ref(self, ref: str, here: Any) -> Predicate:
        base, _, pointer = ref.partition("#")
        document = here if not base else self._documents.get(base)
        if document is None:
            raise Unsupported(f"$ref to an unknown document {base!r}")
        key = f"{id(document)}#{pointer}"
        if key not in self._refs:
            cell: list[Predicate] = []
            # registered before compiling, so a recursive schema finds its own cell; once
            # compiled, later refs get the predicate itself, without the indirection
            self._refs[key] = lambda x: cell[0](x)
            cell.append(self.compile(_resolve_pointer(document, pointer), document))
            self._refs[key] = cell[0]
        return self._refs[key]


class _LazyProperties(dict[str, Predicate]):
    """Property predicates compiled on first use: CRD schemas are large (ArgoCD's
    ApplicationSet is 2 MB) and a tree touches few of their fields. A property whose schema
    cannot be compiled answers "no", which sends the document to jsonschema: still never
    accepting what jsonschema rejects."""

    def __init__(self, compiler: SchemaCompiler, schemas: dict[str, Any], here: Any) -> None:
        super().__init__()
        self._compiler, self._schemas, self._here = compiler, schemas, here
        self.compiled = super().get  # the predicates compiled so far: key → predicate or None

    def __missing__(self, key: str) -> Predicate:
        try:
            pred = self._compiler.compile(self._schemas[key], self._here)
        except Unsupported:
            pred = _never
        self[key] = pred
        return pred

    def get(self, key: str, default: Predicate | None = None) -> Predicate | None:  # type: ignore[override]
        """The predicate of a declared property (compiled now if need be), else default."""
        if key in self._schemas:
            return self[key]
        return default


def _never(x: Any) -> bool:
    return False


def _resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for raw in pointer.split("/")[1:] if pointer else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise Unsupported(f"unresolvable pointer {pointer!r}")
    return node


def _bounds(key: str, value: Any) -> Predicate:
    if key == "pattern":
        regex = re.compile(value)
        return lambda x: type(x) is not str or regex.search(x) is not None
    if key == "minLength":
        return lambda x: type(x) is not str or len(x) >= value
    if key == "maxLength":
        return lambda x: type(x) is not str or len(x) <= value
    if key == "minItems":
        return lambda x: type(x) is not list or len(x) >= value
    if key == "maxItems":
        return lambda x: type(x) is not list or len(x) <= value
    if key == "minProperties":
        return lambda x: type(x) is not dict or len(x) >= value
    if key == "maxProperties":
        return lambda x: type(x) is not dict or len(x) <= value
    if key == "minimum":
        return lambda x: not _is_number(x) or x >= value
    if key == "maximum":
        return lambda x: not _is_number(x) or x <= value
    if key == "exclusiveMinimum":
        return lambda x: not _is_number(x) or x > value
    if key == "exclusiveMaximum":
        return lambda x: not _is_number(x) or x < value
    raise Unsupported(f"keyword {key!r}")


def _is_number(x: Any) -> bool:
    return type(x) is int or type(x) is float
