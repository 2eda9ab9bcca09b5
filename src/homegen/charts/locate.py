"""The one entry of the chart fetcher: where is this chart? Local folders, cache, network."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from homegen.charts.archive import ArchiveError, check_identity
from homegen.charts.cache import CachedChart, ChartCache, default_cache_root, sha256_digest
from homegen.charts.local import chart_dirs_from_env, find_local
from homegen.charts.model import ChartLocation, ChartRef, FetchError
from homegen.charts.ranges import resolve_range
from homegen.charts.semver import is_range

if TYPE_CHECKING:  # the network clients (urllib, ssl) load only when a chart is not here
    from homegen.charts.http_repo import HttpRepos
    from homegen.charts.oci import OciRegistries

DEFAULT_TIMEOUT = 30.0  # seconds per request


@dataclass
class ChartSearch:
    """Where to look for charts, and what this process has already learnt.

    One instance per run: repository indexes, registry tokens and answers are remembered,
    so the same chart (or repository) is never asked for twice.
    """

    chart_dirs: tuple[Path, ...] = ()
    cache: ChartCache = field(default_factory=lambda: ChartCache(default_cache_root()))
    online: bool = True
    timeout: float = DEFAULT_TIMEOUT
    _repos: HttpRepos | None = field(default=None, repr=False)
    _registries: OciRegistries | None = field(default=None, repr=False)
    _fallback: ChartCache | None = field(default=None, repr=False)
    _answers: dict[tuple[ChartRef, bool], ChartLocation] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(
        cls,
        chart_dirs: Iterable[Path] = (),
        *,
        online: bool = True,
        cache_dir: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> ChartSearch:
        """``chart_dirs`` then ``HOMEGEN_CHARTS``; the cache from the environment unless given;
        ``HOMEGEN_OFFLINE=1`` keeps it off the network whatever ``online`` says."""
        root = cache_dir or default_cache_root()
        offline = os.environ.get("HOMEGEN_OFFLINE", "").lower() in ("1", "true", "yes")
        dirs = chart_dirs_from_env(chart_dirs)
        return cls(dirs, ChartCache(root), online and not offline, timeout)

    def repos(self) -> HttpRepos:
        """The classic-repository client (created on first use)."""
        if self._repos is None:
            from homegen.charts.http_repo import HttpRepos

            self._repos = HttpRepos(self.timeout)
        return self._repos

    def registries(self) -> OciRegistries:
        """The OCI client (created on first use)."""
        if self._registries is None:
            from homegen.charts.oci import OciRegistries

            self._registries = OciRegistries(self.timeout)
        return self._registries

    def store(self, ref: ChartRef | None, data: bytes, source: str) -> tuple[CachedChart, str]:
        """Put an archive in the cache (a temporary one if the cache cannot be written);
        with no ``ref`` only unpack it. The entry and a caveat ("" when none)."""
        try:
            return _store(self.cache, ref, data, source), ""
        except OSError as exc:
            if self._fallback is None:
                temp = tempfile.mkdtemp(prefix="homegen-charts-")
                atexit.register(shutil.rmtree, temp, ignore_errors=True)
                self._fallback = ChartCache(Path(temp))
            reason = exc.strerror or exc
            caveat = f"cache {self.cache.root} not writable ({reason}); kept for this run only"
            return _store(self._fallback, ref, data, source), caveat


def _store(cache: ChartCache, ref: ChartRef | None, data: bytes, source: str) -> CachedChart:
    if ref is not None:
        return cache.store(ref, data, source)
    digest = sha256_digest(data)
    top = cache.unpack(data, digest)
    hexdigest = digest.removeprefix("sha256:")
    return CachedChart(
        cache.root / "trees" / "sha256" / hexdigest / top,
        cache.root / "blobs" / "sha256" / hexdigest,
        digest,
    )


def locate_chart(ref: ChartRef, search: ChartSearch, *, download: bool = True) -> ChartLocation:
    """Where ``ref`` is: local chart folders, then the cache, then the network.

    With ``download`` a chart found on the network is fetched, checked and cached (origin
    ``network``, ``path`` set); without, it is only looked up (``path`` stays ``None``).
    A chart found nowhere is ``origin == "missing"`` with every place tried, never an error.
    """
    key = (ref, download)
    known = search._answers.get(key)
    if known is None:
        known = _locate(ref, search, download)
        search._answers[key] = known
    return known


def _locate(ref: ChartRef, search: ChartSearch, download: bool) -> ChartLocation:
    if not is_range(ref.version):
        return _locate_exact(ref, search, download)
    version, where, tried = resolve_range(ref, search)
    if version is None:
        return ChartLocation(ref, "missing", tried=tuple(tried))
    found = _locate_exact(ChartRef(ref.repo_url, ref.chart, version), search, download)
    note = f"{ref.version!r} resolved to {version} ({where})"
    notes = "; ".join(part for part in (note, found.note) if part)
    return replace(found, ref=ref, tried=(*tried, *found.tried), note=notes, resolved=version)


def _locate_exact(ref: ChartRef, search: ChartSearch, download: bool) -> ChartLocation:
    tried: list[str] = []
    for folder in search.chart_dirs:
        found = _from_folder(ref, search, folder, tried)
        if found is not None:
            return found
    cached = search.cache.lookup(ref)
    if cached is not None:
        return ChartLocation(ref, "cache", cached.path, cached.archive, str(cached.archive),
                             cached.digest, tuple(tried))  # fmt: skip
    tried.append(f"cache {search.cache.root}: not cached")
    if not search.online:
        tried.append("network: not tried (offline)")
        return ChartLocation(ref, "missing", tried=tuple(tried))
    return _from_network(ref, search, download, tried)


def _from_folder(
    ref: ChartRef, search: ChartSearch, folder: Path, tried: list[str]
) -> ChartLocation | None:
    hit, line = find_local(folder, ref.chart, ref.version)
    if hit is None:
        tried.append(line)
        return None
    if hit.folder is not None:
        return ChartLocation(ref, "local", hit.folder, source=str(hit.folder), tried=tuple(tried))
    assert hit.archive is not None
    try:
        data = hit.archive.read_bytes()
        entry, caveat = search.store(None, data, str(hit.archive))
        check_identity(entry.path, ref)
    except (OSError, ArchiveError) as exc:
        tried.append(f"{hit.archive}: {exc}")
        return None
    return ChartLocation(ref, "local", entry.path, hit.archive, str(hit.archive), entry.digest,
                         tuple(tried), caveat)  # fmt: skip


def _from_network(
    ref: ChartRef, search: ChartSearch, download: bool, tried: list[str]
) -> ChartLocation:
    client = search.registries() if ref.is_oci else search.repos()
    try:
        if not download:
            url = _probe(ref, search)
            return ChartLocation(ref, "network", source=url, tried=tuple(tried))
        fetched = client.download(ref)
        entry, caveat = search.store(ref, fetched.data, fetched.url)
    except FetchError as exc:
        tried.append(str(exc))
        return ChartLocation(ref, "missing", tried=tuple(tried))
    except (ArchiveError, OSError) as exc:  # downloaded, but unusable or not storable
        tried.append(f"{ref.repo}: {ref.package}: {exc}")
        return ChartLocation(ref, "missing", tried=tuple(tried))
    note = "; ".join(part for part in (fetched.note, caveat) if part)
    return ChartLocation(ref, "network", entry.path, entry.archive, fetched.url, entry.digest,
                         tuple(tried), note)  # fmt: skip


def _probe(ref: ChartRef, search: ChartSearch) -> str:
    """The URL the chart would be downloaded from (looks up the index or manifest only)."""
    if ref.is_oci:
        where, _manifest, digest = search.registries().resolve(ref)
        return f"{ref.repo}/{ref.chart}:{where.tag}@{digest}"
    return search.repos().resolve(ref).url
