"""Interleaved pairs: homegen render, the floor and render --check, round after round.

The issue's own check of the render goal: on a shared or busy machine a median of each
command measured apart compares different moments, so each round runs the three commands
back to back and the ratios are taken within the round. Synthesises N services (1,000 by
default, bench/synth.py) into a folder on /dev/shm, then each round: `homegen render` into an
emptied folder, the floor (bench/floor.py) into an emptied folder, `homegen render --check`
of the rendered tree. Prints every run's wall and CPU time (the command and its children)
and the medians of the per-round ratios render/floor and check/floor.

Usage: ``python bench/pairs.py [--rounds 9] [--services 1000] [--homegen CMD] [--baseline CMD]``.
``--homegen`` times another homegen; ``--baseline`` times a second one in the same rounds
(render and check each, after this one's), for an A/B: say, main's source run with the same
interpreter, ``--baseline "env PYTHONPATH=/tmp/main/src .venv/bin/homegen"``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure as measuring
from measure import child_env, run_once
from synth import synth

REPO = Path(__file__).resolve().parents[1]
FLOOR = str(REPO / "bench" / "floor.py")


def _work_root() -> Path:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="homegen-pairs-", dir=base))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _timed(cmd: list[str], cwd: Path, empty: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run, its output folder emptied (untimed) first."""
    if empty is not None:
        shutil.rmtree(empty, ignore_errors=True)
    wall, _peak, cpu = run_once(cmd, cwd, (0,))
    return wall, cpu


def ratios(walls: dict[str, list[float]], over: str, base: str = "floor") -> list[float]:
    """The per-round ratios of one command's wall time to the base's."""
    return [a / b for a, b in zip(walls[over], walls[base], strict=True)]


def run_pairs(
    homegen: list[str], services: int, rounds: int, work: Path, baseline: list[str] | None = None
) -> dict[str, list]:
    """Every round's (wall, cpu) per command, in the order they ran."""
    config = work / "services.toml"
    config.write_text(synth(services), encoding="utf-8")
    out, floor_out = work / "rendered", work / "floor"
    render = [*homegen, "render", "-c", str(config), "-o", str(out)]
    commands = {
        "render": (render, out),
        "floor": ([sys.executable, FLOOR, str(config), str(floor_out)], floor_out),
        "check": ([*render, "--check"], None),
    }
    if baseline:
        base = [*baseline, "render", "-c", str(config), "-o", str(work / "base")]
        commands["b-render"] = (base, work / "base")
        commands["b-check"] = ([*base, "--check"], None)
    for cmd, empty in commands.values():  # warm-up: bytecode and file caches
        _timed(cmd, work, empty)
    runs: dict[str, list] = {name: [] for name in commands}
    for i in range(rounds):
        row = []
        for name, (cmd, empty) in commands.items():
            runs[name].append(_timed(cmd, work, empty))
            row.append(f"{name} {runs[name][-1][0]:6.3f} s (cpu {runs[name][-1][1]:6.3f})")
        print(f"round {i + 1}: " + "  ".join(row) + f"  load {_load()}", flush=True)
    return runs


def summary(runs: dict[str, list]) -> list[str]:
    """Medians of each command and of the per-round ratios to the floor."""
    walls = {name: [w for w, _ in pairs] for name, pairs in runs.items()}
    cpus = {name: [c for _, c in pairs] for name, pairs in runs.items()}
    lines = [
        f"{name:<8} median wall {statistics.median(walls[name]):6.3f} s "
        f"(min {min(walls[name]):6.3f}), median cpu {statistics.median(cpus[name]):6.3f} s"
        for name in runs
    ]
    for name in [n for n in ("render", "check", "b-render", "b-check") if n in runs]:
        lines.append(
            f"{name}/floor: median of ratios {statistics.median(ratios(walls, name)):.2f}x "
            f"(cpu {statistics.median(ratios(cpus, name)):.2f}x)"
        )
    return lines


def main(argv: list[str]) -> int:
    """CLI: synthesise, run the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--homegen", default=str(Path(sys.executable).parent / "homegen"))
    parser.add_argument("--baseline", default="")
    args = parser.parse_args(argv)
    work = _work_root()
    measuring.ENV = child_env(work / ".pycache")
    try:
        start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        print(f"{start}: {args.rounds} rounds, {args.services:,} services in {work}, "
              f"load {_load()}", flush=True)  # fmt: skip
        baseline = shlex.split(args.baseline) or None
        runs = run_pairs(shlex.split(args.homegen), args.services, args.rounds, work, baseline)
        print("\n".join(summary(runs)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
