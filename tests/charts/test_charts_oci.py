"""OCI registries: a fake one in process for the token flow and the checks (issue 14)."""

from __future__ import annotations

import http.server
import json
from collections.abc import Callable
from typing import Any

import pytest
from chartkit import FakeServer, make_chart, serve, sha256

from homegen.charts import ChartRef, ChartSearch, locate_chart
from homegen.charts.oci import HELM_CHART_LAYER, HELM_CONFIG, OCI_MANIFEST, oci_location
from homegen.charts.transport import FetchError

DEMO = make_chart("demo", "1.2.3+build.1")
CONFIG = json.dumps({"name": "demo", "version": "1.2.3+build.1"}).encode()
Handler = http.server.BaseHTTPRequestHandler


def manifest(chart: bytes = DEMO, config_type: str = HELM_CONFIG) -> bytes:
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config_type, "digest": f"sha256:{sha256(CONFIG)}",
                   "size": len(CONFIG)},
        "layers": [{"mediaType": HELM_CHART_LAYER, "digest": f"sha256:{sha256(chart)}",
                    "size": len(chart)}],
    }).encode()  # fmt: skip


def send(request: Handler, status: int, body: bytes = b"", **headers: str) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name.replace("_", "-"), value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def token_registry(
    fake: list[FakeServer], manifest_body: bytes, blob: bytes
) -> dict[str, Callable[[Handler], None]]:
    """Routes of a registry that wants a bearer token and redirects blobs to storage."""
    scope = "repository:charts/demo:pull"

    def authorized(request: Handler) -> bool:
        if request.headers.get("Authorization") == "Bearer T0K3N":
            return True
        challenge = f'Bearer realm="{fake[0].base}/token",service="fake",scope="{scope}"'
        send(request, 401, b'{"errors":[]}', WWW_Authenticate=challenge)
        return False

    def token(request: Handler) -> None:
        assert request.path == "/token?scope=repository%3Acharts%2Fdemo%3Apull&service=fake"
        send(request, 200, json.dumps({"token": "T0K3N"}).encode())

    def manifest_route(request: Handler) -> None:
        if authorized(request):
            assert request.headers.get("Accept") == OCI_MANIFEST
            send(request, 200, manifest_body, Content_Type=OCI_MANIFEST)

    def blob_route(request: Handler) -> None:
        if authorized(request):
            send(request, 307, Location=f"{fake[0].base}/storage/demo")

    def storage(request: Handler) -> None:
        send(request, 200, blob)

    return {
        "/token": token,
        "/v2/charts/demo/manifests/1.2.3_build.1": manifest_route,
        f"/v2/charts/demo/blobs/sha256:{sha256(DEMO)}": blob_route,
        "/storage/demo": storage,
    }


def pull(server: FakeServer, **kwargs: Any) -> Any:
    ref = ChartRef(f"oci://{server.base.removeprefix('http://')}/charts", "demo", "1.2.3+build.1")
    return locate_chart(ref, ChartSearch.from_env(online=True, timeout=5), **kwargs)


def test_anonymous_token_flow_manifest_and_checked_blob() -> None:
    holder: list[FakeServer] = []
    with serve({}) as server:
        holder.append(server)
        server.routes.update(token_registry(holder, manifest(), DEMO))
        found = pull(server)
        assert found.origin == "network", found.message
        assert found.digest == f"sha256:{sha256(DEMO)}"
        assert found.path is not None and (found.path / "Chart.yaml").is_file()
        assert [r.split("?")[0] for r in server.requests] == [
            "/v2/charts/demo/manifests/1.2.3_build.1",  # 401 with the challenge
            "/token",
            "/v2/charts/demo/manifests/1.2.3_build.1",
            f"/v2/charts/demo/blobs/sha256:{sha256(DEMO)}",  # the token is reused
            "/storage/demo",
        ]
        assert "authorization" not in server.headers[-1]  # never sent to the redirect target
        assert server.headers[3]["authorization"] == "Bearer T0K3N"
        assert pull(server).origin == "cache" and len(server.requests) == 5


@pytest.mark.parametrize(
    ("manifest_body", "blob", "message"),
    [
        (manifest(config_type="application/vnd.oci.image.config.v1+json"), DEMO,
         "not a Helm chart (a application/vnd.oci.image.manifest.v1+json with config "
         "application/vnd.oci.image.config.v1+json)"),
        (manifest(), DEMO[:-1] + b"x", f"content does not match its digest sha256:{sha256(DEMO)}"),
        (b"<html>", DEMO, "not JSON"),
    ],
)  # fmt: skip
def test_a_manifest_or_blob_that_is_not_the_chart_is_refused(
    manifest_body: bytes, blob: bytes, message: str
) -> None:
    holder: list[FakeServer] = []
    with serve({}) as server:
        holder.append(server)
        server.routes.update(token_registry(holder, manifest_body, blob))
        found = pull(server)
    assert found.origin == "missing" and message in found.tried[-1]


def test_a_registry_that_wants_credentials_or_has_no_such_tag() -> None:
    def basic(request: Handler) -> None:
        send(request, 401, WWW_Authenticate='Basic realm="registry"')

    with serve({"/v2/charts/demo/manifests/1.2.3_build.1": basic}) as server:
        asks = pull(server)
    with serve({}) as server:
        absent = pull(server)
    assert asks.tried[-1].endswith("the registry asks for credentials (Basic)")
    assert absent.tried[-1].endswith("no such chart or version (HTTP 404)")


def test_a_lookup_without_download_reads_only_the_manifest() -> None:
    holder: list[FakeServer] = []
    with serve({}) as server:
        holder.append(server)
        server.routes.update(token_registry(holder, manifest(), DEMO))
        seen = pull(server, download=False)
        assert not any("/blobs/" in r for r in server.requests)
    assert seen.origin == "network" and seen.path is None
    assert seen.source.endswith(f"/charts/demo:1.2.3_build.1@sha256:{sha256(DEMO)}")


def test_registry_urls() -> None:
    where = oci_location(ChartRef("ghcr.io/actions/charts/", "runner", "0.13.0"))
    assert (where.base, where.repository, where.tag) == (
        "https://ghcr.io", "actions/charts/runner", "0.13.0",
    )  # fmt: skip
    assert where.manifest_url == "https://ghcr.io/v2/actions/charts/runner/manifests/0.13.0"
    assert oci_location(ChartRef("oci://localhost:5000", "x", "1")).base == "http://localhost:5000"
    with pytest.raises(FetchError, match="not an oci://host/path registry URL"):
        oci_location(ChartRef("oci://user@host/x", "x", "1"))


@pytest.mark.parametrize(
    ("repo_url", "repo", "oci"),
    [
        ("OCI://ghcr.io/Owner/charts/", "oci://ghcr.io/Owner/charts", True),
        ("Oci://localhost:5000", "oci://localhost:5000", True),
        ("ghcr.io/owner/charts", "oci://ghcr.io/owner/charts", True),
        ("HTTPS://charts.example/Path/", "https://charts.example/Path", False),
        ("http://charts.example", "http://charts.example", False),
    ],
)
def test_a_repository_scheme_is_read_in_any_case(repo_url: str, repo: str, oci: bool) -> None:
    ref = ChartRef(repo_url, "demo", "1.0.0")
    assert (ref.repo, ref.is_oci) == (repo, oci)  # the path keeps its case
    if oci:
        assert oci_location(ref).repository.endswith("demo")


def test_a_range_reads_the_tag_list_with_the_token() -> None:
    holder: list[FakeServer] = []
    with serve({}) as server:
        holder.append(server)
        routes = token_registry(holder, manifest(), DEMO)

        def tags(request: Handler) -> None:
            if request.headers.get("Authorization") != "Bearer T0K3N":
                return routes["/v2/charts/demo/manifests/1.2.3_build.1"](request)  # the 401
            body = {"name": "charts/demo", "tags": ["1.2.3_build.1", "1.2.2", "2.0.0", "x"]}
            send(request, 200, json.dumps(body).encode())

        server.routes.update(routes, **{"/v2/charts/demo/tags/list": tags})
        ref = ChartRef(f"oci://{server.base.removeprefix('http://')}/charts", "demo", "~1.2")
        found = locate_chart(ref, ChartSearch.from_env(timeout=5))
    assert (found.origin, found.resolved) == ("network", "1.2.3+build.1"), found.message
    assert [r.split("?")[0] for r in server.requests][:4] == [
        "/v2/charts/demo/tags/list", "/token", "/v2/charts/demo/tags/list",
        "/v2/charts/demo/manifests/1.2.3_build.1",
    ]  # fmt: skip
