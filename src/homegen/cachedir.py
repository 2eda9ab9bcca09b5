"""homegen's folder in the user's cache: ``$HOMEGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/homegen``, else ``~/.cache/homegen`` (charts and check records live there)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The folder, from the environment (see the module docstring)."""
    explicit = os.environ.get("HOMEGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "homegen"
