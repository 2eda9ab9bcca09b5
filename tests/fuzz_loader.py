"""Fuzz the loader (and the plan and render behind it) for a bounded time: `make fuzz`.

    HOMEGEN_FUZZ_SECONDS=300 .venv/bin/python tests/fuzz_loader.py

Never collected by pytest (the name does not start with test_). Three kinds of input, drawn by
hypothesis: raw bytes; byte-level mutations of the case corpus and the shipped services.toml;
and structural mutations (a random TOML value put anywhere in a parsed seed). The promise:
`load_config(bytes)` either returns a Config or raises ConfigError whose problems are single
lines at a real position; a Config always plans and renders. Anything else is a bug.
Failures are printed and written to tests/cases/fuzz-crashes/ (not committed: turn each into a
reject case once fixed). Exit 1 when anything was found.
"""

from __future__ import annotations

import os
import sys
import time
import tomllib
import traceback
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from homegen.config.loader import load_config
from homegen.errors import ConfigError
from homegen.plan.build import build_plan
from homegen.render.tree import render_tree

HERE = Path(__file__).resolve().parent
CRASHES = HERE / "cases" / "fuzz-crashes"
SEEDS = sorted(
    [HERE.parent / "services.toml", *(HERE / "cases").glob("*/*/services.toml")], key=str
)
SEED_BYTES = [p.read_bytes() for p in SEEDS]


def check(data: bytes) -> None:
    """The property: a Config that renders, or a clean ConfigError."""
    try:
        config = load_config(data, "services.toml")
    except ConfigError as error:
        lines = data.count(b"\n") + 1
        for problem in error.problems:
            assert "\n" not in str(problem), f"problem spans lines: {problem!s}"
            assert 1 <= problem.line <= lines and problem.col >= 1, f"bad position: {problem!s}"
        return
    render_tree(build_plan(config))


toml_scalars = (
    st.text(max_size=30)
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.sampled_from(["", "op://v/i/f", "Secret", "1.0.0", "/", "*.a.b", "a" * 64, "latest"])
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(["name", "kind"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _places(item, (*path, i))
    return found


@st.composite
def structural(draw: st.DrawFn) -> bytes:
    """A parsed seed with random TOML values put at random places (new keys included)."""
    seed = draw(st.sampled_from(SEED_BYTES))
    try:
        data = tomllib.loads(seed.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return seed  # not TOML, or nested too deeply to rebuild (the corpus has both)
    for _ in range(draw(st.integers(1, 4))):
        *parents, last = draw(st.sampled_from(_places(data)[1:] or [("x",)]))
        target: Any = data
        for part in parents:
            target = target[part]
        value = draw(toml_values)
        if isinstance(target, dict) and draw(st.booleans()):
            target[draw(st.text(min_size=1, max_size=12))] = value
        else:
            target[last] = value
    return tomlkit.dumps(data).encode("utf-8")


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed with bytes flipped, inserted, deleted or spliced in from another seed."""
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "splice", "truncate"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=8) | st.sampled_from([b'"', b"[", b"]", b"\n"]))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "splice":
            other = draw(st.sampled_from(SEED_BYTES))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 200))]
        elif op == "truncate":
            del data[at:]
    return bytes(data)


inputs = st.binary(max_size=2000) | mutated() | structural()


def run_batch(examples: int) -> str | None:
    """One hypothesis run; the failure's description, or None."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=inputs)
    def fuzz(data: bytes) -> None:
        check(data)

    try:
        fuzz()
    except Exception:
        return traceback.format_exc()
    return None


def main() -> int:
    """Fuzz until HOMEGEN_FUZZ_SECONDS (default 60) have passed; exit 1 on findings."""
    budget = float(os.environ.get("HOMEGEN_FUZZ_SECONDS", "60"))
    deadline = time.monotonic() + budget
    batches = examples = 0
    found: list[str] = []
    while time.monotonic() < deadline:
        failure = run_batch(500)
        batches += 1
        examples += 500
        if failure and failure not in found:
            found.append(failure)
            CRASHES.mkdir(parents=True, exist_ok=True)
            (CRASHES / f"crash-{len(found)}.txt").write_text(failure)
            print(failure, file=sys.stderr)
    print(f"fuzz_loader: {batches} batches, up to {examples} inputs, {len(found)} failure(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
