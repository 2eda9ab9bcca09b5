"""Time one command as a whole process: wall time and the child's own peak RSS."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Sample:
    """Every timed run of one command on one input."""

    label: str  # the input: "1,000 services", "shipped homelab", "-"
    command: str  # what ran: "render", "render --check", "floor", ...
    size: int
    walls: list[float] = field(default_factory=list)  # seconds
    peak_kb: int = 0  # the largest ru_maxrss of the runs

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.walls)

    @property
    def peak_mb(self) -> float:
        """Peak resident memory in MiB."""
        return self.peak_kb / 1024


class BenchError(RuntimeError):
    """A measured command failed: the figure would be meaningless."""


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of measured commands: bytecode cached, as in any installed homegen.

    Some shells (CI images, sandboxes) set PYTHONDONTWRITEBYTECODE, which makes every run
    compile every module from source again; the cache goes to a folder of the benchmark's
    own (PYTHONPYCACHEPREFIX) so the checkout stays clean. The warm-up run fills it.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV: dict[str, str] = dict(os.environ)


def run_once(cmd: Sequence[str], cwd: Path, ok: Sequence[int]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run; output goes to files next to it.

    os.wait4 returns the rusage of exactly this child (not every child the benchmark ever
    reaped, as RUSAGE_CHILDREN would), so ru_maxrss is this process's own peak.
    """
    log = cwd / ".bench-log"
    with open(log, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise BenchError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}:\n{tail}")
    log.unlink()
    return wall, int(usage.ru_maxrss)  # KiB on Linux


def measure(
    label: str,
    command: str,
    cmd: Sequence[str],
    *,
    cwd: Path,
    runs: int,
    warmup: int,
    size: int,
    ok: Sequence[int] = (0,),
    before: Callable[[], None] | None = None,
) -> Sample:
    """Run cmd warmup + runs times (before() untimed ahead of each); keep the timed runs."""
    sample = Sample(label, command, size)
    for i in range(warmup + runs):
        if before is not None:
            before()
        wall, peak = run_once(cmd, cwd, ok)
        if i >= warmup:
            sample.walls.append(wall)
            sample.peak_kb = max(sample.peak_kb, peak)
    print(
        f"  {label:>16} {command:<28} {sample.median:8.3f} s {sample.peak_mb:7.1f} MiB",
        file=sys.stderr,
        flush=True,
    )
    return sample


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_summary(work: Path, runs: int, large_runs: int, warmup: int, load: str) -> str:
    """The machine and the method, for the head of RESULTS.md."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    tmpfs = str(work).startswith("/dev/shm")
    return "\n".join(
        [
            f"- Date: {now}",
            f"- Machine: {os.cpu_count()} cores, {_cpu_model()}, {platform.system()} "
            f"{platform.release()}",
            f"- Python: {platform.python_version()} ({sys.executable})",
            f"- Load average (1, 5, 15 min) at start → end: {load} (other work on the machine "
            "shows here; min (s) is the least disturbed run)",
            "- Bytecode cached (PYTHONDONTWRITEBYTECODE unset, PYTHONPYCACHEPREFIX in the "
            "work folder), as for an installed homegen",
            f"- Outputs written to: {'tmpfs (/dev/shm)' if tmpfs else 'a temp folder on disk'}",
            f"- Method: whole-process wall time, median of {runs} runs after {warmup} warm-up "
            f"run(s) ({large_runs} run(s) and no warm-up at 10,000 services); peak RSS is "
            "the largest ru_maxrss of the timed runs, read per child with os.wait4",
        ]
    )
