"""Expansion results on disk, keyed by what decides them: an unchanged chart rendered with
unchanged values, release, namespace and capabilities is never rendered again.

Entries are ``marshal`` files (parsed documents, not YAML text: reading a cached chart
costs a small fraction of parsing its CRDs again), written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the entry layout changes


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/homegen/expand``, else ``~/.cache/homegen/expand``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "homegen" / "expand"


def chart_digest(path: Path) -> str:
    """sha256 of a chart archive; of a chart folder, sha256 over every file's name, size and
    modification time (reading 5 MB of CRDs on every render would cost more than the cache
    saves; any edit of a file changes its time)."""
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
        return digest.hexdigest()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        name = file.relative_to(path).as_posix()
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def entry_key(*parts: Any) -> str:
    """A cache key from JSON-able parts."""
    text = json.dumps([FORMAT, *parts], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load(cache_dir: Path | None, key: str) -> Any:
    """The entry under ``key``, or None (absent, unreadable, or from another format)."""
    if cache_dir is None:
        return None
    try:
        with open(cache_dir / key[:2] / key, "rb") as handle:
            return marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store(cache_dir: Path | None, key: str, entry: Any) -> None:
    """Write an entry atomically; a cache that cannot be written is no error."""
    if cache_dir is None:
        return
    folder = cache_dir / key[:2]
    with contextlib.suppress(OSError, ValueError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(entry, handle)
            os.replace(temp, folder / key)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
