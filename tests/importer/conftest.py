"""Fixtures of the import tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def no_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts come from the test's folders only, never the user's chart cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("HOMEGEN_CHARTS", raising=False)
