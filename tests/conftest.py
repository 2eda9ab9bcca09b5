"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's top level."""
    return REPO


# Hypothesis, the same everywhere: no per-example deadline (a 2-core machine shared with other
# work is slow at times, and slow is not wrong). In CI (CI set) also derandomized: every run
# draws the same examples from a fixed seed, so a CI failure reproduces and a pass is not luck;
# locally each run explores new examples. HOMEGEN_HYPOTHESIS_PROFILE picks one by name.
settings.register_profile(
    "homegen", settings.get_profile("default"), deadline=None, derandomize=False, print_blob=True
)
settings.register_profile("ci", settings.get_profile("homegen"), derandomize=True, database=None)
HYPOTHESIS_PROFILE = os.environ.get("HOMEGEN_HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "homegen"
)
settings.load_profile(HYPOTHESIS_PROFILE)

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
