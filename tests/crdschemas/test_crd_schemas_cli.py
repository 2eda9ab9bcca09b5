"""`homegen crd-schemas` on a CRD homegen does not ship, then `validate --schema-location`
uses what it wrote; and a location is tried before the built-in catalog."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()

# A miniature of CloudNativePG's Cluster CRD (postgresql.cnpg.io), written for this test.
CLUSTER_CRD = textwrap.dedent("""
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: clusters.postgresql.cnpg.io
    spec:
      group: postgresql.cnpg.io
      names: {kind: Cluster, plural: clusters}
      scope: Namespaced
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              description: A PostgreSQL cluster.
              properties:
                apiVersion: {type: string}
                kind: {type: string}
                metadata: {type: object}
                spec:
                  type: object
                  required: [instances]
                  properties:
                    instances: {type: integer, minimum: 1}
                    imageName: {type: string}
                    storage:
                      type: object
                      properties:
                        size: {type: string}
                        storageClass: {type: string}
                    walStorage:
                      type: object
                      properties:
                        size: {format: int-or-string}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: not-a-crd}
    """)


def _cluster(spec: str) -> str:
    return textwrap.dedent("""
        apiVersion: postgresql.cnpg.io/v1
        kind: Cluster
        metadata: {name: db, namespace: db}
        spec:
        """) + textwrap.indent(textwrap.dedent(spec), "  ")


def _validate(target: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(target), *args])
    return result.exit_code, result.stdout


def test_convert_then_validate_with_the_new_schemas(tmp_path: Path) -> None:
    crd = tmp_path / "cnpg.yaml"
    crd.write_text(CLUSTER_CRD)
    out = tmp_path / "schemas"
    result = runner.invoke(app, ["crd-schemas", str(crd), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    written = out / "postgresql.cnpg.io" / "cluster_v1.json"
    assert f"wrote {written}" in result.stderr
    schema = json.loads(written.read_text())
    assert schema["properties"]["spec"]["additionalProperties"] is False
    assert "description" not in schema

    good = tmp_path / "good.yaml"
    good.write_text(_cluster("instances: 3\nstorage: {size: 10Gi}\n"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(_cluster("instances: 0\nstorage: {sise: 10Gi}\n"))

    assert _validate(good)[0] == 1  # not shipped: no schema without the location
    assert "HG105" in _validate(good)[1]
    code, out_text = _validate(good, "--schema-location", str(out))
    assert code == 0, out_text
    code, out_text = _validate(bad, "--schema-location", str(out))
    assert code == 1
    assert "HG104" in out_text and "/spec/instances" in out_text and "sise" in out_text


def test_a_location_comes_before_the_built_in_catalog(tmp_path: Path) -> None:
    """An HTTPRoute with an unknown field: the built-in v1.2.1 schema rejects it; a location
    holding a looser HTTPRoute schema is asked first and decides."""
    route = tmp_path / "route.yaml"
    route.write_text(
        textwrap.dedent("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: web}
        spec:
          hostnames: [web.example.com]
          colour: blue
        """)
    )
    code, text = _validate(route)
    assert code == 1 and "HG104" in text and "colour" in text
    loose = tmp_path / "loose" / "gateway.networking.k8s.io"
    loose.mkdir(parents=True)
    (loose / "httproute_v1.json").write_text('{"type": "object"}')
    code, text = _validate(route, "--schema-location", str(tmp_path / "loose"))
    assert "HG104" not in text


def test_usage_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["crd-schemas", str(tmp_path / "nope.yaml"), "-o", "x"])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
    plain = tmp_path / "plain.yaml"
    plain.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    none = runner.invoke(app, ["crd-schemas", str(plain), "-o", str(tmp_path / "o")])
    assert none.exit_code == 2 and "no CustomResourceDefinition found" in none.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    bad = runner.invoke(app, ["crd-schemas", str(broken), "-o", str(tmp_path / "o")])
    assert bad.exit_code == 2 and f"{broken}:2: not YAML" in bad.stderr
    assert not (tmp_path / "o").exists()


def test_a_folder_of_crds(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.yaml").write_text(CLUSTER_CRD)
    (tmp_path / "in" / "README.md").write_text("not read")
    result = runner.invoke(app, ["crd-schemas", str(tmp_path / "in"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "o").rglob("*.json")) == ["cluster_v1.json"]
