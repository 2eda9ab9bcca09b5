"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from tools import has_extra, requires_extra

if TYPE_CHECKING:
    from homegen.validate.findings import Finding

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "extra(name): needs the optional extra `name` (charts, cel); skips without it"
    )
    config.addinivalue_line(
        "markers", "cel_notes: sees the HG121 note of a missing CEL runtime, even without the extra"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``extra(name)`` skips without that extra, naming it (fails under CI)."""
    for marker in item.iter_markers("extra"):
        requires_extra(*marker.args)


HAS_CEL = has_extra("cel")


@pytest.fixture(autouse=True)
def _no_missing_cel_runtime_note(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the cel extra, drop the note that a kind's CEL rules were not checked for that.

    Every tree with Gateway API objects carries it then (HG121, once per kind): a fact about
    the install, not about the tree, which would make every test that compares a tree's whole
    findings depend on the extra. Only that note goes; what the CEL rules find (HG120, HG123)
    is tested by tests marked ``extra("cel")``, which skip, and a test marked ``cel_notes``
    sees the note as users do. With the extra installed (CI) nothing is changed.
    """
    if HAS_CEL or request.node.get_closest_marker("cel_notes"):
        return
    from homegen.validate.engine import cel, crd_rules

    original = crd_rules.KindRules._rule

    def without_the_note(self: crd_rules.KindRules, *args: Any) -> Iterator[Finding]:
        for found in original(self, *args):
            if found.rule != "HG121" or not found.message.endswith(cel.MISSING_RUNTIME):
                yield found

    monkeypatch.setattr(crd_rules.KindRules, "_rule", without_the_note)


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

# ../shared: upstream CRDs, charts and a second schema catalog, beside this project's checkout
# (not in a fresh clone). Tests that need it skip, with the reason, where it is absent.
SHARED = Path(os.environ.get("HOMEGEN_SHARED") or REPO.parent / "shared")
SHARED_SCHEMAS = Path(os.environ.get("HOMEGEN_SHARED_SCHEMAS") or SHARED / "schemas")
# Every render and validate in the tests uses the built-in schema catalog only: offline, and
# the same in a fresh clone as here.
os.environ.pop("HOMEGEN_SCHEMA_LOCATION", None)


@pytest.fixture(autouse=True)
def _engine_worker_per_test() -> Iterator[None]:
    """A test that rendered a chart ends its Helm engine worker: the next test starts with no
    child process (some assert that) and reads HOMEGEN_ENGINE_* limits afresh."""
    yield
    from homegen.expand.worker import engine_worker

    engine_worker().stop()


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared (HOMEGEN_SHARED overrides); the test skips where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a fresh clone): this test needs ../shared")
    return SHARED


@pytest.fixture(scope="session")
def shared_schemas() -> Path:
    """The second-opinion CRD schemas of ../shared/schemas; skips where absent."""
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"{SHARED_SCHEMAS} is absent (a fresh clone): this test needs it")
    return SHARED_SCHEMAS


@pytest.fixture
def homelab(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped services.toml (and its schema, if present)."""
    shutil.copy(REPO / "services.toml", tmp_path / "services.toml")
    if (REPO / "services.schema.json").exists():
        shutil.copy(REPO / "services.schema.json", tmp_path / "services.schema.json")
    return tmp_path
