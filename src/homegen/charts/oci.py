"""OCI registries: Helm charts pulled through the OCI distribution API, anonymously.

``oci://host/path`` with chart ``c`` at version ``v`` is the manifest ``host/path/c:v``
(Helm writes ``+`` in a version as ``_`` in the tag). A registry that wants a token answers
401 with ``WWW-Authenticate: Bearer realm=…,service=…,scope=…``; an anonymous token from the
realm (ghcr.io, Docker Hub) then opens the manifest. The manifest must be a Helm chart's:
config media type ``application/vnd.cncf.helm.config.v1+json``, one layer
``application/vnd.cncf.helm.chart.content.v1.tar.gz``, whose blob is checked by its digest.
Registries on loopback addresses are spoken to over plain HTTP (as Docker does for
localhost); every other one over HTTPS.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from homegen.charts.cache import sha256_digest
from homegen.charts.http_repo import MAX_CHART, Downloaded
from homegen.charts.model import ChartRef
from homegen.charts.transport import MIB, FetchError, Response, expect_ok, http_get

HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar.gz"
_LEGACY_CHART_LAYER = "application/tar+gzip"  # charts pushed by Helm 3.0-3.6
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")
_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


@dataclass(frozen=True)
class OciChart:
    """Where a chart is in a registry."""

    base: str  # https://host[:port]
    repository: str  # path/chart
    tag: str

    @property
    def manifest_url(self) -> str:
        """The manifest's URL."""
        return f"{self.base}/v2/{self.repository}/manifests/{self.tag}"

    def blob_url(self, digest: str) -> str:
        """A blob's URL."""
        return f"{self.base}/v2/{self.repository}/blobs/{digest}"


def oci_location(ref: ChartRef) -> OciChart:
    """The registry, repository and tag of ``ref`` (``FetchError`` for a malformed URL)."""
    parts = urllib.parse.urlsplit(ref.repo)
    host = parts.netloc
    if parts.scheme != "oci" or not host or "@" in host:
        raise FetchError(f"{ref.repo}: not an oci://host/path registry URL")
    scheme = "http" if parts.hostname in _LOOPBACK else "https"
    path = parts.path.strip("/")
    repository = f"{path}/{ref.chart}" if path else ref.chart
    return OciChart(f"{scheme}://{host}", repository, ref.version.replace("+", "_"))


class OciRegistries:
    """Pulls charts from registries; anonymous bearer tokens are reused per scope."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._tokens: dict[tuple[str, str], str] = {}

    def resolve(self, ref: ChartRef) -> tuple[OciChart, dict[str, Any], str]:
        """The chart's location, its manifest and the chart layer's digest."""
        where = oci_location(ref)
        response = self._get(where, where.manifest_url, 4 * MIB, accept=OCI_MANIFEST)
        if response.status == 404:
            raise FetchError(f"{where.manifest_url}: no such chart or version (HTTP 404)")
        manifest = _json(expect_ok(response, where.manifest_url), where.manifest_url)
        return where, manifest, _chart_layer(manifest, where.manifest_url)

    def versions(self, ref: ChartRef) -> list[str]:
        """The chart's tags (``_`` read back as ``+``), from the registry's tag list."""
        where = oci_location(ref)
        url = f"{where.base}/v2/{where.repository}/tags/list"
        response = self._get(where, url, 4 * MIB)
        if response.status == 404:
            raise FetchError(f"{url}: no such chart (HTTP 404)")
        tags = _json(expect_ok(response, url), url).get("tags")
        return [str(t).replace("_", "+") for t in tags] if isinstance(tags, list) else []

    def download(self, ref: ChartRef) -> Downloaded:
        """The chart archive, its blob checked against the manifest's digest."""
        where, _manifest, digest = self.resolve(ref)
        url = where.blob_url(digest)
        response = self._get(where, url, MAX_CHART)
        data = expect_ok(response, url)
        if sha256_digest(data) != digest:
            raise FetchError(f"{url}: content does not match its digest {digest}")
        return Downloaded(data, f"{ref.repo}/{ref.chart}:{where.tag}@{digest}", "")

    def _get(self, where: OciChart, url: str, limit: int, *, accept: str = "") -> Response:
        """GET with the scope's token; on a Bearer challenge, fetch a token and retry once."""
        headers = {"Accept": accept} if accept else {}
        scope = f"repository:{where.repository}:pull"
        token = self._tokens.get((where.base, scope), "")
        response = http_get(url, limit=limit, timeout=self.timeout, headers=headers,
                            secret_headers=_bearer(token))  # fmt: skip
        if response.status != 401:
            return response
        token = self._token(response.header("WWW-Authenticate"), scope, url)
        self._tokens[(where.base, scope)] = token
        response = http_get(url, limit=limit, timeout=self.timeout, headers=headers,
                            secret_headers=_bearer(token))  # fmt: skip
        if response.status == 401:
            raise FetchError(f"{url}: the registry refuses anonymous pulls (HTTP 401)")
        return response

    def _token(self, challenge: str, scope: str, url: str) -> str:
        """An anonymous token from the realm a ``Bearer`` challenge names."""
        scheme, _, params_text = challenge.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise FetchError(f"{url}: the registry asks for credentials ({scheme or 'HTTP 401'})")
        params = {m[1].lower(): m[2] or m[3] for m in _CHALLENGE_PARAM.finditer(params_text)}
        realm = params.get("realm", "")
        if urllib.parse.urlsplit(realm).scheme not in ("http", "https"):
            raise FetchError(f"{url}: unusable token realm {realm!r}")
        query = {"scope": params.get("scope") or scope}
        if params.get("service"):
            query["service"] = params["service"]
        token_url = f"{realm}{'&' if '?' in realm else '?'}{urllib.parse.urlencode(query)}"
        body = _json(expect_ok(http_get(token_url, limit=MIB, timeout=self.timeout), token_url),
                     token_url)  # fmt: skip
        token = body.get("token") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise FetchError(f"{token_url}: no token in the answer")
        return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _json(body: bytes, url: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise FetchError(f"{url}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise FetchError(f"{url}: not a JSON object")
    return data


def _chart_layer(manifest: dict[str, Any], url: str) -> str:
    """The digest of the manifest's chart layer; ``FetchError`` when it is no Helm chart."""
    config = manifest.get("config")
    media = config.get("mediaType") if isinstance(config, dict) else None
    if media != HELM_CONFIG:
        kind = manifest.get("mediaType") or "no media type"
        raise FetchError(f"{url}: not a Helm chart (a {kind} with config {media or 'none'})")
    layers = manifest.get("layers")
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict) and layer.get("mediaType") in (
            HELM_CHART_LAYER, _LEGACY_CHART_LAYER,
        ):  # fmt: skip
            digest = str(layer.get("digest", ""))
            if re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
                return digest
            raise FetchError(f"{url}: chart layer with unsupported digest {digest!r}")
    raise FetchError(f"{url}: no {HELM_CHART_LAYER} layer")
