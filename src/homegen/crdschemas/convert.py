"""CustomResourceDefinition → JSON Schema, the way kubeconform's openapi2jsonschema does it.

Pure: CRD objects in, ``{relative path: schema}`` out, in kubeconform's folder layout
``{group}/{kind}_{version}.json`` (kind lower case), which a ``--schema-location`` folder
resolves. The transformation, as kubeconform's:

- every object schema below the top level that lists ``properties`` and says nothing of
  ``additionalProperties`` gets ``additionalProperties: false`` (what the API server prunes or
  rejects, a schema should reject); the top level stays open, homegen closes it when it
  validates. Lists of schemas (``allOf``/``anyOf``/``oneOf``) are left as they are, as there;
- ``format: int-or-string`` becomes ``oneOf: [string, integer]``;
- ``x-kubernetes-*`` keys stay, the CEL rules (``x-kubernetes-validations``) among them.

Two deliberate differences: the walk follows the schema's structure, so a field that happens
to be named ``properties`` or ``description`` is a field, not a keyword; and an object with
``x-kubernetes-preserve-unknown-fields: true`` stays open, since the API server keeps the
unknown fields there. ``description`` texts are dropped unless asked for (a third of the
size). Versions the CRD does not serve (``served: false``) get no schema: the API server
refuses them, so no schema should accept them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

INT_OR_STRING = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
# keywords whose value is a map of name → schema, a schema, or a list of schemas
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs"})
_SCHEMA_ONE = frozenset({"additionalProperties", "items", "not", "additionalItems"})
_SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf"})


class NotACRD(ValueError):
    """A document that is not a CustomResourceDefinition with a schema."""


@dataclass(frozen=True)
class Converted:
    """One schema: where it goes (kubeconform layout), what it is, and where it came from."""

    path: str
    schema: dict[str, Any]
    crd: str  # metadata.name of the CRD
    group: str
    kind: str
    version: str


def to_json_schema(openapi: dict[str, Any], *, descriptions: bool = False) -> dict[str, Any]:
    """One ``openAPIV3Schema`` as a JSON Schema (a new object; the input is not changed)."""
    return _walk(openapi, descriptions, close=True, top=True)


def _walk(schema: dict[str, Any], descriptions: bool, *, close: bool, top: bool) -> dict[str, Any]:
    """``close``: add ``additionalProperties: false`` here and below (off inside lists)."""
    if schema.get("format") == "int-or-string":
        return {"oneOf": [dict(t) for t in INT_OR_STRING["oneOf"]]}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "description" and not descriptions:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            value = {n: _child(sub, descriptions, close) for n, sub in value.items()}
        elif key in _SCHEMA_ONE and isinstance(value, dict):
            value = _child(value, descriptions, close)
        elif key in _SCHEMA_LIST and isinstance(value, list):
            # as kubeconform: schemas inside these lists are not made strict
            value = [_child(sub, descriptions, False) for sub in value]
        out[key] = value
    if (
        close
        and not top
        and "properties" in out
        and "additionalProperties" not in out
        and out.get("x-kubernetes-preserve-unknown-fields") is not True
    ):
        out["additionalProperties"] = False
    return out


def _child(schema: Any, descriptions: bool, close: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    return _walk(schema, descriptions, close=close, top=False)


def crd_schemas(crd: dict[str, Any], *, descriptions: bool = False) -> list[Converted]:
    """The schemas of every served version of one CRD (apiextensions v1 or v1beta1)."""
    if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
        raise NotACRD("not a CustomResourceDefinition")
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        raise NotACRD("CustomResourceDefinition without spec")
    name = str((crd.get("metadata") or {}).get("name") or "")
    group = spec.get("group")
    kind = (spec.get("names") or {}).get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        raise NotACRD(f"{name or 'CRD'}: spec.group or spec.names.kind missing")
    shared = (spec.get("validation") or {}).get("openAPIV3Schema")  # apiextensions v1beta1
    versions = spec.get("versions") or [{"name": spec.get("version"), "served": True}]
    result = []
    for entry in versions:
        if not isinstance(entry, dict) or entry.get("served") is False:
            continue
        version = entry.get("name")
        openapi = (entry.get("schema") or {}).get("openAPIV3Schema") or shared
        if not isinstance(version, str) or not isinstance(openapi, dict):
            continue
        schema = to_json_schema(openapi, descriptions=descriptions)
        path = f"{group}/{kind.lower()}_{version}.json"
        result.append(Converted(path, schema, name, group, kind, version))
    if not result:
        raise NotACRD(f"{name or kind}: no served version with an openAPIV3Schema")
    return result


def convert_all(
    documents: Iterable[Any], *, descriptions: bool = False
) -> tuple[list[Converted], int]:
    """Every CRD among ``documents`` converted; also how many documents were not CRDs."""
    converted: list[Converted] = []
    skipped = 0
    for doc in documents:
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
            converted.extend(crd_schemas(doc, descriptions=descriptions))
        elif doc is not None:
            skipped += 1
    return converted, skipped
