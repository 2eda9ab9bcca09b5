"""Where to look for charts and what one run has learnt: the search every lookup is given.

Below both the lookup (locate) and the range resolution (ranges), which each take one.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from homegen.charts.cache import CachedChart, ChartCache, default_cache_root, sha256_digest
from homegen.charts.local import chart_dirs_from_env
from homegen.charts.model import ChartLocation, ChartRef

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
