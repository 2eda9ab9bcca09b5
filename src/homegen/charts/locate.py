"""The one entry of the chart fetcher: where is this chart? Local folders, cache, network."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from homegen.charts.archive import ArchiveError, check_identity
from homegen.charts.local import find_local
from homegen.charts.model import ChartLocation, ChartRef, FetchError
from homegen.charts.ranges import resolve_range
from homegen.charts.search import ChartSearch
from homegen.charts.semver import is_range


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
