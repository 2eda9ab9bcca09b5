"""bench/pairs.py: the interleaved-pairs check's arithmetic (its runs are not timed here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def pairs() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_pairs", BENCH / "pairs.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_ratios_are_taken_within_each_round(pairs: ModuleType) -> None:
    walls = {"render": [2.0, 9.0, 3.0], "floor": [1.0, 3.0, 1.0]}
    assert pairs.ratios(walls, "render") == [2.0, 3.0, 3.0]


def test_summary_prints_the_median_of_the_ratios_not_the_ratio_of_medians(
    pairs: ModuleType,
) -> None:
    runs = {
        "render": [(2.0, 1.0), (9.0, 4.0), (3.0, 1.5)],
        "floor": [(1.0, 0.5), (3.0, 1.0), (1.0, 0.5)],
        "check": [(1.1, 0.6), (3.3, 1.2), (1.4, 0.5)],
    }
    lines = pairs.summary(runs)
    # ratios 2, 3, 3 → median 3.00 (the medians' ratio would be 3.0 / 1.0 = 3.0 too, so
    # the check ratios tell them apart: 1.1, 1.1, 1.4 → 1.10, medians 1.4 / 1.0 = 1.40)
    assert "render/floor: median of ratios 3.00x (cpu 3.00x)" in lines
    assert "check/floor: median of ratios 1.10x (cpu 1.20x)" in lines
    assert lines[0].startswith("render   median wall  3.000 s (min  2.000)")
