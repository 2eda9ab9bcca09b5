"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's top level."""
    return REPO


@pytest.fixture(scope="session")
def shared_schemas() -> Path:
    """The CRD schema catalog of ../shared/schemas (HOMEGEN_SHARED_SCHEMAS overrides)."""
    path = Path(os.environ.get("HOMEGEN_SHARED_SCHEMAS", REPO.parent / "shared" / "schemas"))
    assert path.is_dir(), f"CRD schemas not found at {path}"
    return path


@pytest.fixture
def homelab(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped services.toml (and its schema, if present)."""
    shutil.copy(REPO / "services.toml", tmp_path / "services.toml")
    if (REPO / "services.schema.json").exists():
        shutil.copy(REPO / "services.schema.json", tmp_path / "services.schema.json")
    return tmp_path
