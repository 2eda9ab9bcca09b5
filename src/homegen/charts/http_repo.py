"""Classic Helm repositories: ``<repo>/index.yaml`` names each version's archive and digest."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import yaml

from homegen.charts.archive import same_version
from homegen.charts.cache import sha256_digest
from homegen.charts.model import ChartRef
from homegen.charts.transport import MIB, FetchError, expect_ok, http_get

MAX_INDEX = 200 * MIB  # the largest public index.yaml files are tens of MiB
MAX_CHART = 50 * MIB


@dataclass(frozen=True)
class RepoChart:
    """One chart version as an index lists it: where its archive is and its sha256."""

    url: str
    digest: str  # "sha256:<hex>", or "" when the index publishes none


@dataclass(frozen=True)
class Downloaded:
    """A chart archive fetched from the network, with where from and any caveat."""

    data: bytes
    url: str
    note: str  # e.g. that no digest could be checked; "" when all was checked


class HttpRepos:
    """Reads chart repositories; each ``index.yaml`` is fetched once per instance."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._indexes: dict[str, dict[str, Any] | FetchError] = {}

    def versions(self, ref: ChartRef) -> list[str]:
        """Every version of ``ref``'s chart the index lists."""
        _, entries = self._entries(ref)
        return [str(e.get("version")) for e in entries if isinstance(e, dict)]

    def _entries(self, ref: ChartRef) -> tuple[str, list[Any]]:
        index_url = f"{ref.repo}/index.yaml"
        charts = self._index(index_url).get("entries", {}) or {}
        entries = charts.get(ref.chart) if isinstance(charts, dict) else None
        if not isinstance(entries, list) or not entries:
            raise FetchError(f"{index_url}: no chart {ref.chart!r}")
        return index_url, entries

    def resolve(self, ref: ChartRef) -> RepoChart:
        """Where ``ref``'s archive is, from the repository's index (``FetchError`` if not)."""
        index_url, entries = self._entries(ref)
        for entry in entries:
            if isinstance(entry, dict) and same_version(str(entry.get("version")), ref.version):
                return _repo_chart(index_url, entry, ref)
        listed = ", ".join(str(e.get("version")) for e in entries[:3] if isinstance(e, dict))
        raise FetchError(f"{index_url}: {ref.chart} has no version {ref.version} ({listed}, …)")

    def download(self, ref: ChartRef) -> Downloaded:
        """The archive, checked against the digest the index publishes."""
        found = self.resolve(ref)
        response = http_get(found.url, limit=MAX_CHART, timeout=self.timeout)
        data = expect_ok(response, found.url)
        digest = sha256_digest(data)
        if not found.digest:
            return Downloaded(data, found.url, "the index publishes no digest; not checked")
        if digest != found.digest:
            raise FetchError(
                f"{found.url}: digest {digest} does not match the index's {found.digest}"
            )
        return Downloaded(data, found.url, "")

    def _index(self, url: str) -> dict[str, Any]:
        known = self._indexes.get(url)
        if known is None:
            try:
                response = http_get(url, limit=MAX_INDEX, timeout=self.timeout)
                known = _parse_index(url, expect_ok(response, url))
            except FetchError as exc:
                known = exc
            self._indexes[url] = known
        if isinstance(known, FetchError):
            raise known
        return known


def _parse_index(url: str, body: bytes) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 10x faster on big indexes
    try:
        index = yaml.load(body, Loader=loader)
    except yaml.YAMLError as exc:
        raise FetchError(f"{url}: not a chart index ({str(exc).splitlines()[0]})") from exc
    if not isinstance(index, dict) or "entries" not in index:
        raise FetchError(f"{url}: not a chart index (no entries)")
    return index


def _repo_chart(index_url: str, entry: dict[str, Any], ref: ChartRef) -> RepoChart:
    urls = entry.get("urls")
    if not isinstance(urls, list) or not urls or not isinstance(urls[0], str):
        raise FetchError(f"{index_url}: {ref.chart} {ref.version} lists no archive url")
    url = urllib.parse.urljoin(index_url, urls[0])  # relative urls are relative to the index
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{index_url}: {ref.chart} {ref.version}: unsupported url {url}")
    raw = str(entry.get("digest") or "")
    digest = raw if raw.startswith("sha256:") else (f"sha256:{raw}" if raw else "")
    return RepoChart(url, digest.lower())
