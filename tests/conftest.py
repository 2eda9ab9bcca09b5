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


SHARED_SCHEMAS = Path(
    os.environ.get("HOMEGEN_SHARED_SCHEMAS") or REPO.parent / "shared" / "schemas"
)
# Every render and validate in the tests reads CRD schemas from ../shared/schemas: offline.
os.environ["HOMEGEN_SCHEMA_LOCATION"] = str(SHARED_SCHEMAS)


@pytest.fixture(scope="session")
def shared_schemas() -> Path:
    """The CRD schema catalog of ../shared/schemas (HOMEGEN_SHARED_SCHEMAS overrides)."""
    assert SHARED_SCHEMAS.is_dir(), f"CRD schemas not found at {SHARED_SCHEMAS}"
    return SHARED_SCHEMAS


@pytest.fixture
def homelab(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped services.toml (and its schema, if present)."""
    shutil.copy(REPO / "services.toml", tmp_path / "services.toml")
    if (REPO / "services.schema.json").exists():
        shutil.copy(REPO / "services.schema.json", tmp_path / "services.schema.json")
    return tmp_path
