"""`make bench`: whole-process wall time and peak memory of homegen against the floor.

For 10, 100, 1,000 and 10,000 synthetic services (bench/synth.py) it measures
`homegen render` into an empty folder, `homegen render --check` on a current tree,
`homegen validate` and the floor (bench/floor.py: tomllib + Jinja2 writing the same files);
plus `homegen --help`, the shipped homelab, and kubernetes-validate's own CLI over the
core-kind files of the 1,000-service tree. Each figure is the median of several runs after a
warm-up; peak RSS comes from the child's own rusage (os.wait4), so it is exact per process.
Outputs go to /dev/shm when it exists: creating thousands of small files on a disk varies
by seconds from run to run and would hide what the code costs (DESIGN.md).

Usage: ``python bench/run.py [--sizes 10,100,1000,10000] [--runs 5] [--large-runs 3]
[--output bench/RESULTS.md]``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure as measuring
from checkov import bench_checkov, checkov_section, checkov_version, previous_section, with_section
from measure import Sample, child_env, machine_summary, measure
from report import budget_notes, markdown_table
from synth import synth

from diff import bench_diff, diff_notes

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOMEGEN = str(BIN / "homegen")
K8S_VALIDATE = str(BIN / "kubernetes-validate")
FLOOR = str(REPO / "bench" / "floor.py")
LARGE = 10_000  # sizes from here on use --large-runs (each run takes many seconds)


@dataclass
class Settings:
    """What one benchmark run measures and where it writes."""

    sizes: list[int]
    runs: int
    large_runs: int
    warmup: int
    work: Path
    # extra --schema-location entries (HOMEGEN_BENCH_SCHEMAS); none: the built-in catalog
    schemas: list[str]


def _schemas() -> list[str]:
    return [f"--schema-location={s}" for s in os.environ.get("HOMEGEN_BENCH_SCHEMAS", "").split()]


def _work_root() -> Path:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="homegen-bench-", dir=base))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _empty(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _runs(settings: Settings, size: int) -> int:
    return settings.large_runs if size >= LARGE else settings.runs


def bench_size(settings: Settings, size: int, results: list[Sample]) -> None:
    """Render, check, validate and floor for one synthetic size."""
    folder = settings.work / str(size)
    folder.mkdir(parents=True)
    config = folder / "services.toml"
    config.write_text(synth(size), encoding="utf-8")
    out, floor_out = folder / "rendered", folder / "floor"
    runs, label = _runs(settings, size), f"{size:,} services"
    # no warm-up at 10,000: bytecode and file caches are warm from the smaller sizes
    warmup = 0 if size >= LARGE else settings.warmup
    common = {"cwd": folder, "runs": runs, "warmup": warmup, "size": size}
    schemas = settings.schemas
    render = [HOMEGEN, "render", "-c", str(config), "-o", str(out), *schemas]
    results.append(measure(label, "render", render, before=lambda: _empty(out), **common))
    check = [*render, "--check"]
    results.append(measure(label, "render --check", check, **common))
    validate = [HOMEGEN, "validate", str(out), *schemas]
    if _has_validate():
        results.append(measure(label, "validate", validate, ok=(0, 1), **common))
    floor = [sys.executable, FLOOR, str(config), str(floor_out)]
    results.append(measure(label, "floor", floor, before=lambda: _empty(floor_out), **common))
    if size == 1000:
        results.append(_kubernetes_validate(settings, label, out))
    _empty(floor_out)
    if size >= LARGE:
        _empty(out)


def _has_validate() -> bool:
    return (REPO / "src" / "homegen" / "validate" / "command.py").exists()


def _kubernetes_validate(settings: Settings, label: str, tree: Path) -> Sample:
    """kubernetes-validate's CLI over the tree's core-kind files (v1 and apps/v1)."""
    files = sorted(
        str(p)
        for p in (tree / "manifests").rglob("*.yaml")
        if any(
            line in ('apiVersion: "v1"', 'apiVersion: "apps/v1"')
            for line in p.read_text(encoding="utf-8").splitlines()[:4]
        )
    )
    cmd = [K8S_VALIDATE, "--strict", "--quiet", "-k", "1.28", *files]
    return measure(
        label,
        f"kubernetes-validate CLI ({len(files):,} core files)",
        cmd,
        cwd=tree,
        runs=1,  # about a minute per run: one keeps `make bench` under 10 minutes
        warmup=0,
        size=1000,
        ok=(0, 1),
    )


def bench_fixed(settings: Settings, results: list[Sample]) -> None:
    """`homegen --help` and the shipped homelab (render into an empty folder, check)."""
    folder = settings.work / "homelab"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "services.toml", folder / "services.toml")
    common = {"cwd": folder, "runs": settings.runs, "warmup": settings.warmup, "size": 0}
    results.append(measure("-", "homegen --help", [HOMEGEN, "--help"], **common))
    out, floor_out = folder / "rendered", folder / "floor"
    render = [HOMEGEN, "render", *settings.schemas]
    label = "shipped homelab"
    results.append(measure(label, "render", render, before=lambda: _empty(out), **common))
    results.append(measure(label, "render --check", [*render, "--check"], **common))
    floor = [sys.executable, FLOOR, "services.toml", str(floor_out)]
    results.append(measure(label, "floor", floor, before=lambda: _empty(floor_out), **common))
    bench_charts(settings, folder, render, results)


def _charts() -> Path:
    return Path(os.environ.get("HOMEGEN_SHARED_CHARTS") or REPO.parent / "shared" / "charts")


def bench_charts(
    settings: Settings, folder: Path, render: list[str], results: list[Sample]
) -> None:
    """The homelab rendered with its charts expanded: a cold cache, then a warm one."""
    charts = _charts()
    if not charts.is_dir():
        print(f"bench: no charts at {charts}; chart rows skipped", file=sys.stderr)
        return
    out, cache = folder / "rendered", folder / "xdg-cache"
    command = [*render, "--charts", str(charts)]
    label = "homelab + charts"
    # exit 1 allowed: the rows measure the expansion, whatever the charts find
    common = {"cwd": folder, "runs": settings.runs, "size": 0, "ok": (0, 1)}

    def cold() -> None:
        _empty(out)
        _empty(cache)

    saved = measuring.ENV
    measuring.ENV = {**saved, "XDG_CACHE_HOME": str(cache)}
    try:
        results.append(
            measure(label, "render (cold cache)", command, before=cold, warmup=0, **common)
        )
        results.append(
            measure(
                label,
                "render (warm cache)",
                command,
                before=lambda: _empty(out),
                warmup=settings.warmup,
                **common,
            )
        )
    finally:
        measuring.ENV = saved


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write it to --output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--large-runs", type=int, default=3, help=f"runs at {LARGE:,}+ services")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--title", default="homegen benchmark")
    parser.add_argument("--only-diff", action="store_true", help="only the `homegen diff` rows")
    parser.add_argument(
        "--only-charts", action="store_true", help="only the homelab rows with charts expanded"
    )
    parser.add_argument("--checkov", help="a checkov binary: time it on 1,000 services too")
    parser.add_argument("--checkov-runs", type=int, default=1, help="checkov runs (minutes each)")
    parser.add_argument(
        "--only-checkov", action="store_true", help="only the checkov section of RESULTS.md"
    )
    args = parser.parse_args(argv)
    if args.only_checkov:
        return _only_checkov(args)
    settings = Settings(
        sizes=[int(s) for s in args.sizes.split(",") if s.strip()],
        runs=args.runs,
        large_runs=args.large_runs,
        warmup=args.warmup,
        work=_work_root(),
        schemas=_schemas(),
    )
    results: list[Sample] = []
    measuring.ENV = child_env(settings.work / "pycache")
    load_start = _load()
    try:
        if args.only_diff:
            settings.sizes = []
        elif args.only_charts:
            folder = settings.work / "homelab"
            folder.mkdir(parents=True)
            shutil.copy(REPO / "services.toml", folder / "services.toml")
            render = [HOMEGEN, "render", "--schema-location", str(settings.schemas)]
            results.append(
                measure("shipped homelab", "render", render, cwd=folder, runs=settings.runs,
                        warmup=settings.warmup, size=0, before=lambda: _empty(folder / "rendered"))
            )  # fmt: skip
            bench_charts(settings, folder, render, results)
            settings.sizes = []
        else:
            bench_fixed(settings, results)
        for size in settings.sizes:
            print(f"bench: {size:,} services ...", file=sys.stderr, flush=True)
            bench_size(settings, size, results)
        charts = _charts() if _charts().is_dir() else None
        homelab = (REPO / "services.toml").read_text(encoding="utf-8")
        bench_diff(HOMEGEN, settings.work, homelab, charts, settings.runs, results)
    finally:
        shutil.rmtree(settings.work, ignore_errors=True)
    table = markdown_table(results)
    notes = "\n".join([budget_notes(results), *diff_notes(results)])
    load = f"{load_start} → {_load()}"
    header = machine_summary(
        settings.work, settings.runs, settings.large_runs, settings.warmup, load
    )
    text = f"# {args.title}\n\n{header}\n\n{table}\n\n{notes}\n"
    print(table + "\n\n" + notes)
    section = _checkov(args) if args.checkov else previous_section(args.output)
    args.output.write_text(with_section(text, section) if section else text, encoding="utf-8")
    return 0


def _checkov(args: argparse.Namespace) -> str:
    """checkov and `homegen validate` on 1,000 services: the RESULTS.md section."""
    version = checkov_version(args.checkov)
    work = _work_root()
    saved = measuring.ENV
    measuring.ENV = child_env(work / "pycache")
    try:
        print("bench: checkov on 1,000 services (minutes) ...", file=sys.stderr, flush=True)
        samples = bench_checkov(args.checkov, HOMEGEN, work, args.runs, args.checkov_runs)
    finally:
        measuring.ENV = saved
        shutil.rmtree(work, ignore_errors=True)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    when = f"{now} (load average at the end {_load()})"
    section = checkov_section(samples, version, when)
    print(section)
    return section


def _only_checkov(args: argparse.Namespace) -> int:
    """`make bench-checkov`: measure checkov, replace that section of RESULTS.md only."""
    if not args.checkov:
        print("bench: --only-checkov needs --checkov PATH", file=sys.stderr)
        return 2
    section = _checkov(args)
    try:
        text = args.output.read_text(encoding="utf-8")
    except OSError:
        text = f"# {args.title}\n"
    args.output.write_text(with_section(text, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
