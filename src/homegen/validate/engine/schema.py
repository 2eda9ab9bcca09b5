"""Schema validation: one validator per (apiVersion, kind), built once and reused.

Core kinds use kubernetes-validate's strict schemas; custom kinds the schemas found through
the registry (locations, then the built-in catalog at the versions the tree installs), made
strict at the top level as well (the catalog files only forbid unknown fields below it).
Each validator pairs a compiled predicate (fast "valid?") with jsonschema (every error, with
its path) for the documents the predicate rejects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from homegen.crdschemas.catalog import Pins
from homegen.validate.engine.argocd_fields import CATALOG_PREFIX, InstalledArgoCD, weigh
from homegen.validate.engine.compiled import Predicate, SchemaCompiler, Unsupported
from homegen.validate.engine.crd_rules import KindRules
from homegen.validate.engine.registry import (
    DEFINITIONS_URI,
    CoreSchemas,
    SchemaRegistry,
    split_api_version,
)
from homegen.validate.findings import Finding, Located, finding, json_path, register
from homegen.validate.reader.documents import as_validated

if TYPE_CHECKING:
    import jsonschema
    from referencing import Registry

# jsonschema (with referencing) costs ~100 ms to import and is only needed to explain a
# document the compiled predicate rejects: it is imported, and each kind's validator built,
# on first use. A clean tree never loads it.

SCHEMA_INVALID = register(
    "HG104", "schema-violation", "error",
    "correct the field named in the message (see `kubectl explain <kind>.<field>`)",
    """A field the API server rejects (unknown, misspelt, wrong type or value) fails the sync,
    or is silently dropped and never takes effect.""",
)  # fmt: skip
SCHEMA_MISSING = register(
    "HG105", "schema-missing", "error",
    "add a --schema-location that has this kind (`homegen crd-schemas CRD.yaml -o DIR` makes "
    "one), or pass --ignore-missing-schemas",
    """A kind with no schema cannot be checked at all; say so rather than pass it unseen.""",
)  # fmt: skip
UNKNOWN_KIND = register(
    "HG106", "unknown-kind", "error",
    "use a kind and apiVersion this Kubernetes version serves (`kubectl api-resources`)",
    """A kind that does not exist in a built-in API group is a typo or a removed API; the API
    server refuses it.""",
)  # fmt: skip
MESSAGE_LIMIT = 300


@dataclass
class KindValidator:
    """Validates documents of one kind: compiled predicate first, jsonschema for the details."""

    make_slow: Callable[[], jsonschema.protocols.Validator]
    fast: Predicate | None
    rules: KindRules | None = None  # a CRD's CEL rules and keyed lists
    origin: str = ""  # where the schema comes from, e.g. "built-in argo-cd v2.11.3"
    _slow: jsonschema.protocols.Validator | None = field(default=None, repr=False)

    @property
    def slow(self) -> jsonschema.protocols.Validator:
        """The jsonschema validator of the kind, built on first use."""
        if self._slow is None:
            self._slow = self.make_slow()
        return self._slow

    def errors(self, obj: dict[str, Any]) -> list[tuple[str, str]]:
        """(JSON path, message) of every schema error of ``obj``; empty when valid."""
        if self.fast is not None and self.fast(obj):
            return []
        found = sorted(self.slow.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
        return [(json_path(list(e.absolute_path)), _short(e.message)) for e in found]


def _short(message: str) -> str:
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 3] + "..."


def _strict_root(schema: dict[str, Any]) -> dict[str, Any]:
    """The catalog schemas leave the top level open; close it like every level below it."""
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        return {**schema, "additionalProperties": False}
    return schema


class SchemaValidators:
    """The validators of one run's settings, built lazily per kind and cached."""

    def __init__(self, core: CoreSchemas, registry: SchemaRegistry) -> None:
        self.core = core
        self.registry = registry
        self._cache: dict[tuple[str, str, Pins], KindValidator | Finding | None] = {}
        self._by_source: dict[str, KindValidator] = {}  # custom kinds, by schema file
        self._core_registry_built: Registry[Any] | None = None
        self._core_compiler = SchemaCompiler(
            {DEFINITIONS_URI: core.definitions, "/api/_definitions.json": core.definitions}
        )

    def _core_registry(self) -> Registry[Any]:
        if self._core_registry_built is None:
            from referencing import Registry, Resource

            definitions = Resource.from_contents(self.core.definitions)
            self._core_registry_built = definitions @ Registry()
        return self._core_registry_built

    def _core_validator(self, ref: str) -> KindValidator:
        schema = {"$ref": ref}

        def slow() -> jsonschema.protocols.Validator:
            import jsonschema

            return jsonschema.Draft202012Validator(schema, registry=self._core_registry())

        try:
            fast: Predicate | None = self._core_compiler.compile(schema, self.core.definitions)
        except Unsupported:
            fast = None
        return KindValidator(slow, fast)

    def custom_validator(self, schema: dict[str, Any], kind: str = "") -> KindValidator:
        """A validator of a custom kind from its JSON Schema (closed at the top level)."""
        return self._custom_validator(schema, kind or "custom resource")

    def _custom_validator(self, schema: dict[str, Any], kind: str) -> KindValidator:
        schema = _strict_root(schema)

        def slow() -> jsonschema.protocols.Validator:
            import jsonschema

            default = jsonschema.Draft202012Validator
            cls = jsonschema.validators.validator_for(schema, default=default)
            return cls(schema)

        try:
            fast: Predicate | None = SchemaCompiler({}).compile(schema, schema)
        except Unsupported:
            fast = None
        return KindValidator(slow, fast, KindRules(schema, kind))

    def lookup(
        self, api_version: str, kind: str, where: Located, pins: Pins = ()
    ) -> KindValidator | Finding | None:
        """The validator of a kind, a finding saying why there is none, or None (no schema).

        ``pins``: the catalog versions the tree installs (see ``homegen.crdschemas``)."""
        key = (api_version, kind, pins)
        if key not in self._cache:
            self._cache[key] = self._build(api_version, kind, where, pins)
        cached = self._cache[key]
        if isinstance(cached, Finding):
            # the same reason, located at this document
            return finding(
                UNKNOWN_KIND if cached.rule == UNKNOWN_KIND.id else SCHEMA_MISSING,
                where,
                cached.message,
            )
        return cached

    def _build(
        self, api_version: str, kind: str, where: Located, pins: Pins
    ) -> KindValidator | Finding | None:
        group, version = split_api_version(api_version)
        ref = self.core.definition_ref(group, version, kind)
        if ref is not None:
            return self._core_validator(ref)
        if group in self.core.groups:
            return finding(
                UNKNOWN_KIND, where,
                f"{api_version} has no kind {kind} in Kubernetes {self.core.version}",
            )  # fmt: skip
        found = self.registry.find(group, version, kind, pins)
        if found.schema is not None:
            # the same file under other pins (a warm-up's guess) is compiled once
            key = f"{found.source}|{api_version}|{kind}"
            if key not in self._by_source:
                self._by_source[key] = self._custom_validator(found.schema, kind)
                self._by_source[key].origin = found.source
            return self._by_source[key]
        detail = "; ".join(found.problems) if found.problems else ", ".join(found.tried)
        return finding(
            SCHEMA_MISSING, where, f"no schema for {kind} {api_version} (tried: {detail or 'none'})"
        )


class KindLookup(Protocol):
    """What finds the validator of a kind: ``SchemaValidators``, or a view adding the tree's
    own CRDs to it."""

    def lookup(
        self, api_version: str, kind: str, where: Located, pins: Pins = ()
    ) -> KindValidator | Finding | None:
        """The validator of a kind, a finding saying why there is none, or None."""
        ...


def check_schema(
    validators: KindLookup,
    obj: dict[str, Any],
    where: Located,
    ignore_missing: bool,
    pins: Pins = (),
    argocd: InstalledArgoCD | None = None,
) -> Iterator[Finding] | None:
    """Schema findings of one object; None when it was skipped (missing schema, ignored).

    ``argocd``: the ArgoCD the tree installs, against which a field the built-in ArgoCD
    schemas do not know is weighed (``argocd_fields``)."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return iter(())  # reported by the loader stage (HG103)
    found = validators.lookup(api_version, kind, where, pins)
    if found is None or (
        isinstance(found, Finding) and found.rule == SCHEMA_MISSING.id and ignore_missing
    ):
        return None
    if isinstance(found, Finding):
        return iter((found,))
    # a key set to null is unset for the API server (``targetPort: null``), not a value
    errors = found.errors(as_validated(obj))
    if not errors:
        # CEL rules and keyed lists, on what the schema accepts (as the API server: typed)
        return found.rules.check(obj, where) if found.rules is not None else iter(())
    made = (finding(SCHEMA_INVALID, where, message, path=path) for path, message in errors)
    if found.origin.startswith(CATALOG_PREFIX):
        catalog = found.origin.removeprefix(CATALOG_PREFIX)
        return (one for item in made for one in weigh(item, kind, catalog, argocd))
    return made
