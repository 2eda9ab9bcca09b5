"""The converter: CRD → JSON Schema with kubeconform's openapi2jsonschema transformation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from homegen.crdschemas.convert import NotACRD, convert_all, crd_schemas, to_json_schema


def _crd(openapi: dict[str, Any], **version: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {"name": "v1", "served": True, "schema": {"openAPIV3Schema": openapi}, **version}
            ],
        },
    }


OPENAPI = {
    "type": "object",
    "description": "A widget.",
    "properties": {
        "spec": {
            "type": "object",
            "description": "Its spec.",
            "properties": {
                "port": {"format": "int-or-string", "x-kubernetes-int-or-string": True},
                # fields that are named like keywords stay fields
                "description": {"type": "string"},
                "properties": {"type": "object", "properties": {"a": {"type": "string"}}},
                "open": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"known": {"type": "string"}},
                },
                "either": {"anyOf": [{"properties": {"x": {"type": "string"}}}]},
                "items": {"type": "array", "items": {"properties": {"n": {"type": "integer"}}}},
            },
            "x-kubernetes-validations": [{"rule": "self.port != 0", "message": "no zero"}],
        }
    },
}


def test_the_transformation() -> None:
    schema = to_json_schema(OPENAPI)
    assert "additionalProperties" not in schema  # the top level stays open, as kubeconform's
    assert "description" not in schema
    spec = schema["properties"]["spec"]
    assert spec["additionalProperties"] is False
    assert "description" not in spec
    fields = spec["properties"]
    assert fields["port"] == {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert fields["description"] == {"type": "string"}
    assert fields["properties"]["additionalProperties"] is False
    assert "additionalProperties" not in fields["open"]  # the API server keeps unknown fields
    assert "additionalProperties" not in fields["either"]["anyOf"][0]  # lists: as kubeconform
    assert fields["items"]["items"]["additionalProperties"] is False
    assert spec["x-kubernetes-validations"] == [{"rule": "self.port != 0", "message": "no zero"}]


def test_descriptions_kept_when_asked_and_input_unchanged() -> None:
    before = json.dumps(OPENAPI, sort_keys=True)
    schema = to_json_schema(OPENAPI, descriptions=True)
    assert schema["description"] == "A widget."
    assert schema["properties"]["spec"]["description"] == "Its spec."
    assert json.dumps(OPENAPI, sort_keys=True) == before


def test_layout_and_unserved_versions() -> None:
    crd = _crd(OPENAPI)
    crd["spec"]["versions"].append(
        {"name": "v1beta1", "served": False, "schema": {"openAPIV3Schema": OPENAPI}}
    )
    (only,) = crd_schemas(crd)
    assert only.path == "example.com/widget_v1.json"
    assert (only.group, only.kind, only.version, only.crd) == (
        "example.com", "Widget", "v1", "widgets.example.com",
    )  # fmt: skip


def test_apiextensions_v1beta1_shared_validation() -> None:
    crd = _crd(OPENAPI)
    crd["spec"] = {
        "group": "example.com",
        "names": {"kind": "Widget"},
        "version": "v1alpha1",
        "validation": {"openAPIV3Schema": OPENAPI},
    }
    assert [c.path for c in crd_schemas(crd)] == ["example.com/widget_v1alpha1.json"]


def test_documents_that_are_not_crds() -> None:
    converted, skipped = convert_all([None, {"kind": "ConfigMap"}, _crd(OPENAPI)])
    assert (len(converted), skipped) == (1, 1)
    with pytest.raises(NotACRD, match="no served version"):
        crd_schemas(_crd(OPENAPI, served=False))
    with pytest.raises(NotACRD):
        crd_schemas({"kind": "ConfigMap"})


@pytest.mark.parametrize("folder", ["crds/gateway-api-v1.2.1", "crds/external-secrets-v2.6.0"])
def test_equal_to_an_independent_kubeconform_conversion(shared: Path, folder: str) -> None:
    """../shared/schemas holds the CRDs-catalog's conversion (kubeconform's script) of the same
    upstream versions for these two: with descriptions kept, ours is equal, file for file."""
    compared = 0
    for path in sorted((shared / folder).glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            converted, _ = convert_all(yaml.safe_load_all(handle), descriptions=True)
        for item in converted:
            theirs = shared / "schemas" / item.path
            if theirs.is_file():
                assert item.schema == json.loads(theirs.read_text(encoding="utf-8")), item.path
                compared += 1
    assert compared >= 2
