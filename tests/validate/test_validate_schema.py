"""Schema validation: core kinds strict, CRDs through locations, download cache."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from validate_trees import clean_files, dedent, edit, rule_ids, write_tree

from conftest import Validate
from homegen.crdschemas.catalog import CATALOG_DIR
from homegen.validate.engine.registry import expand
from homegen.validate.reader.documents import load_tree
from homegen.validate.run import ValidateOptions, forget_validators, validate_documents

DEPLOY = "manifests/whoami/deployment.yaml"
ROUTE_FILE = "manifests/gateway/httproute-whoami.yaml"


def test_typo_field_fails_with_its_path(validate: Validate) -> None:
    files = edit(
        clean_files(),
        DEPLOY,
        "image: traefik/whoami:v1.10",
        ("image: traefik/whoami:v1.10\n          imagePullPolicey: IfNotPresent"),
    )
    report = validate(files)
    [item] = report.findings
    assert (item.rule, item.path) == ("HG104", "/spec/template/spec/containers/0")
    assert "imagePullPolicey" in item.message
    assert item.line == 1 and item.object == "Deployment/whoami/whoami"
    assert report.exit_code == 1


def test_schema_error_names_the_namespace_the_app_deploys_to(validate: Validate) -> None:
    # no namespace in the file: the tree (built while the schemas are checked) resolves it
    # from the Application's destination, and the finding must show it, not ""
    files = edit(clean_files(), "manifests/whoami/service.yaml", "  namespace: whoami\n", "")
    files = edit(files, "manifests/whoami/service.yaml", "spec:\n", "spec:\n  clusterIPz: None\n")
    [item] = [f for f in validate(files).findings if f.rule == "HG104"]
    assert "clusterIPz" in item.message
    assert item.object == "Service/whoami/whoami"
    assert item.subject == ("Service", "whoami", "whoami")


def test_every_schema_error_of_a_document_is_reported(validate: Validate) -> None:
    files = edit(clean_files(), DEPLOY, "replicas: 1", "replicas: one\n  paused: maybe")
    paths = [f.path for f in validate(files).findings if f.rule == "HG104"]
    assert paths == ["/spec/paused", "/spec/replicas"]


def test_unknown_kind_fails_even_when_missing_schemas_are_ignored(
    tmp_path: Path, options: ValidateOptions
) -> None:
    files = edit(clean_files(), "manifests/whoami/service.yaml", "kind: Service", "kind: Servise")
    options.ignore_missing_schemas = True
    report = validate_documents(load_tree(write_tree(tmp_path / "t", files)), options=options)
    assert "HG106" in rule_ids(report)


def test_wrong_enum_in_a_crd_fails(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "type: PathPrefix", "type: Prefix")
    [item] = validate(files).findings
    assert item.rule == "HG104" and item.path == "/spec/rules/0/matches/0/path/type"


def test_unknown_top_level_field_of_a_crd_fails(validate: Validate) -> None:
    files = edit(clean_files(), ROUTE_FILE, "spec:\n", "sepc: {}\nspec:\n")
    assert rule_ids(validate(files)) == {"HG104"}


WIDGET = dedent("""
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w, namespace: whoami}
    spec: {size: 3}
""")


def test_crd_without_schema_fails_unless_ignored(tmp_path: Path, options: ValidateOptions) -> None:
    root = write_tree(tmp_path / "t", {**clean_files(), "manifests/whoami/widget.yaml": WIDGET})
    report = validate_documents(load_tree(root), options=options)
    assert rule_ids(report) == {"HG105"}
    assert report.exit_code == 1
    options.ignore_missing_schemas = True
    report = validate_documents(load_tree(root), options=options)
    assert report.findings == [] and report.skipped == 2  # the widget and the values file


def test_location_templates_expand() -> None:
    url = "https://x/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    assert expand(url, "argoproj.io", "Application", "v1alpha1") == (
        "https://x/argoproj.io/application_v1alpha1.json"
    )
    assert expand("/s/", "metallb.io", "IPAddressPool", "v1beta1") == (
        "/s/metallb.io/ipaddresspool_v1beta1.json"
    )


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def schema_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 serving the built-in ArgoCD and Gateway API schemas in the
    CRDs-catalog layout; yields (base URL, requests)."""
    served = tmp_path / "served"
    for folder in (CATALOG_DIR / "argo-cd/v2.11.3", CATALOG_DIR / "gateway-api/v1.2.1"):
        shutil.copytree(folder, served, dirs_exist_ok=True)
    requests: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(served))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_cold_and_warm_cache_give_equal_findings_and_warm_makes_no_request(
    tmp_path: Path, schema_server: tuple[str, list[str]]
) -> None:
    base, requests = schema_server
    files = edit(clean_files(), ROUTE_FILE, "type: PathPrefix", "type: Prefix")
    files["manifests/whoami/widget.yaml"] = WIDGET  # a 404, remembered too
    root = write_tree(tmp_path / "t", files)
    location = base + "/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    cache = tmp_path / "cache"

    def run() -> list[tuple[str, str, str]]:
        forget_validators()  # as in a new process: only the disk cache survives
        options = ValidateOptions(schema_locations=[location], cache_dir=cache)
        report = validate_documents(load_tree(root), options=options)
        return [(f.rule, f.object, f.message) for f in report.findings]

    cold = run()
    cold_requests = len(requests)
    warm = run()
    assert cold == warm
    assert {r for r, _o, _m in cold} == {"HG104", "HG105"}
    # Application, GatewayClass, Gateway, HTTPRoute, ReferenceGrant, and the Widget's 404
    assert cold_requests == 6
    assert len(requests) == cold_requests
    assert list(cache.glob("*.json")) and not list(cache.glob(".tmp-*"))
