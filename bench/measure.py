"""Time one command as a whole process: wall time and peak memory of it and its children.

`homegen render` forks a validation process, so memory is sampled as the sum over the
command and its children (every 20 ms, from /proc), beside each process's own ru_maxrss.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import threading
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
    peak_kb: int = 0  # the largest memory of the runs: ru_maxrss or the sampled process tree
    cpus: list[float] = field(default_factory=list)  # user + system seconds, children included

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        """Median CPU time (user + system of the command and the children it waited for)."""
        return statistics.median(self.cpus)

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


def run_once(cmd: Sequence[str], cwd: Path, ok: Sequence[int]) -> tuple[float, int, float]:
    """Wall seconds, peak memory (KiB) and CPU seconds of one run; output goes to files next
    to it.

    Memory is the larger of ru_maxrss (os.wait4: this child and the children it reaped, each
    process on its own) and the sampled sum of the resident sizes of the child and its own
    children at one moment: two processes at 300 MiB each are 600 MiB of the machine.
    """
    log = cwd / ".bench-log"
    with open(log, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, env=ENV)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise BenchError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}:\n{tail}")
    log.unlink()
    cpu = usage.ru_utime + usage.ru_stime  # its own and its reaped children's
    return wall, max(int(usage.ru_maxrss), sampler.peak_kb), cpu  # KiB on Linux


class _TreeSampler(threading.Thread):
    """Samples the resident memory of a process plus its children until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb = pid, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            pids = [self.pid, *_children(self.pid)]
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


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
        wall, peak, cpu = run_once(cmd, cwd, ok)
        if i >= warmup:
            sample.walls.append(wall)
            sample.cpus.append(cpu)
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
            "the largest of the timed runs, each the larger of its ru_maxrss (os.wait4) and "
            "the resident memory of the command plus its children (render's validation "
            "process) summed at one moment, sampled every 20 ms",
        ]
    )
