"""The tree's own CRDs as schemas: a chart that ships a CRD validates the objects that use it.

The CRD a tree installs is the truth about its kinds at the version it pins, so its schema
comes before any ``--schema-location``; core kinds always come from the core schemas. The
conversion is the catalog's (``homegen.crdschemas.convert``, kubeconform's rules).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homegen.crdschemas.catalog import Pins
from homegen.crdschemas.convert import to_json_schema
from homegen.validate.engine.registry import split_api_version
from homegen.validate.engine.schema import KindValidator, SchemaValidators
from homegen.validate.findings import Finding, Located
from homegen.validate.reader.tree import as_dict

# every object has these, whether or not its CRD's schema lists them
ENVELOPE: dict[str, Any] = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
}


def crd_versions(crd: dict[str, Any]) -> Iterable[tuple[tuple[str, str, str], Any]]:
    """((group, version, kind), openAPIV3Schema) of every served version of a CRD."""
    spec = as_dict(crd.get("spec"))
    group, kind = spec.get("group"), as_dict(spec.get("names")).get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        return
    for version in spec.get("versions") or []:
        if not isinstance(version, dict) or not version.get("served", True):
            continue
        schema = as_dict(version.get("schema")).get("openAPIV3Schema")
        if isinstance(schema, dict) and version.get("name"):
            yield (group, str(version["name"]), kind), schema


class TreeSchemas:
    """A run's validators, with the tree's CRDs as the schemas of their kinds (converted
    only when a document of the kind is checked)."""

    def __init__(self, base: SchemaValidators, crds: Iterable[dict[str, Any]]) -> None:
        self.base = base
        self._openapi = {key: schema for crd in crds for key, schema in crd_versions(crd)}
        self._built: dict[tuple[str, str, str], KindValidator] = {}

    def lookup(
        self, api_version: str, kind: str, where: Located, pins: Pins = ()
    ) -> KindValidator | Finding | None:
        """The tree's CRD schema of a custom kind, else whatever the base validators find."""
        group, version = split_api_version(api_version)
        key = (group, version, kind)
        if key not in self._openapi or group in self.base.core.groups:
            return self.base.lookup(api_version, kind, where, pins)
        if key not in self._built:
            schema = to_json_schema(self._openapi[key])
            if isinstance(schema.get("properties"), dict):
                schema["properties"] = {**ENVELOPE, **schema["properties"]}
            self._built[key] = self.base.custom_validator(schema, kind)
        return self._built[key]
