"""Every chart test gets its own empty cache and no HOMEGEN_CHARTS from the caller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from registrykit import run_registry


@pytest.fixture(autouse=True)
def _isolated_chart_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOMEGEN_CACHE_DIR", str(tmp_path / "user-cache"))
    monkeypatch.delenv("HOMEGEN_CHARTS", raising=False)


@pytest.fixture
def cache_root(tmp_path: Path) -> Path:
    """Where the chart cache of this test lives."""
    return tmp_path / "user-cache" / "charts"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[str]:
    """A running OCI registry (registrykit.py); yields ``127.0.0.1:PORT``."""
    yield from run_registry(tmp_path)
