"""The process Helm's engine runs in: started once per homegen run, reused for every chart.

A chart or an inline value from a tree can make Go's runtime run out of memory, and Go's fatal
error cannot be caught: it ends the process. So the engine never runs in homegen's own process.
It runs in a worker (``python -m homegen.helm_worker``) with a memory limit (``RLIMIT_DATA``,
set by the worker itself before it loads Go) and a wall-time limit per call. A worker that dies
or overruns is killed; the call that killed it fails with the reason, which the caller turns
into a finding on its app, and the next call starts a fresh worker. One JSON line in, one out.
The engine's Go runtime never loads in homegen's process, so a later ``fork`` is safe too.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import IO, Any

DEFAULT_TIMEOUT = 30.0  # seconds per chart render; the largest real charts take about 1 s
DEFAULT_MEMORY_MB = 2048  # the engine's data segment; real charts stay under 200 MB
MAX_ANSWER = 64 * 1024 * 1024  # a chart that prints more than this is refused, not parsed


class WorkerFailed(Exception):
    """The worker died, overran its time or answered too much; the message says which."""


def timeout_seconds(env: str = "HOMEGEN_ENGINE_TIMEOUT", default: float = DEFAULT_TIMEOUT) -> float:
    """The wall-time limit of one call, from the environment (a positive number) or default."""
    try:
        value = float(os.environ.get(env, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def memory_limit_bytes() -> int:
    """The worker's memory limit: ``HOMEGEN_ENGINE_MEMORY_MB`` or the default, in bytes."""
    try:
        megabytes = int(os.environ.get("HOMEGEN_ENGINE_MEMORY_MB", ""))
    except ValueError:
        megabytes = DEFAULT_MEMORY_MB
    return (megabytes if megabytes > 0 else DEFAULT_MEMORY_MB) * 1024 * 1024


class EngineWorker:
    """One worker process, started on the first call and again after each death."""

    def __init__(self, module: str = "homegen.helm_worker") -> None:
        self._module = module
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._owner = os.getpid()
        self._lock = threading.Lock()
        self.started = 0  # workers started (1 in a normal run; more after deaths)

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The worker's answer to one request; WorkerFailed when it died or overran."""
        with self._lock:
            proc = self._running()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise self._died(proc) from None
            line = self._read_line(proc, timeout)
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        """End the worker (closing its input ends it; a stuck one is killed)."""
        proc, self._proc = self._proc, None
        if proc is None or os.getpid() != self._owner:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        self._forget(proc)

    def _running(self) -> subprocess.Popen[bytes]:
        if os.getpid() != self._owner:  # a forked child: the parent's worker is not ours
            self._proc, self._stderr, self._owner = None, None, os.getpid()
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self.stop()
        # a file, not a pipe: Go's dying words can be long, and nobody reads a pipe meanwhile
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop and _kill)
        env = {
            **os.environ,
            "HOMEGEN_ENGINE_MEMORY_BYTES": str(memory_limit_bytes()),
            "HOMEGEN_ENGINE_PARENT": str(os.getpid()),
        }
        self._proc = subprocess.Popen(
            [sys.executable, "-m", self._module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
        )  # fmt: skip
        self.started += 1
        return self._proc

    def _read_line(self, proc: subprocess.Popen[bytes], timeout: float) -> bytes:
        """The answer line, read within ``timeout`` seconds."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        size = 0
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self._kill(proc)
                    raise WorkerFailed(f"took longer than {timeout:g} s: stopped")
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise self._died(proc)
                chunks.append(chunk)
                size += len(chunk)
                if chunk.endswith(b"\n"):
                    return b"".join(chunks)
                if size > MAX_ANSWER:
                    self._kill(proc)
                    raise WorkerFailed(f"printed more than {MAX_ANSWER // 2**20} MiB: stopped")

    def _kill(self, proc: subprocess.Popen[bytes]) -> None:
        proc.kill()
        proc.wait()
        self._forget(proc)

    def _died(self, proc: subprocess.Popen[bytes]) -> WorkerFailed:
        """Why the worker ended, from its exit status and the first line Go printed."""
        code = proc.wait()
        reason = _fatal_line(self._stderr)
        self._forget(proc)
        if code < 0:
            name = signal.Signals(-code).name
            return WorkerFailed(f"the chart engine died ({name}){reason}")
        return WorkerFailed(f"the chart engine died (exit status {code}){reason}")

    def _forget(self, proc: subprocess.Popen[bytes]) -> None:
        """Close an ended worker's pipes and file; the next call starts a fresh worker."""
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                # its input fails to flush when the worker died with data unread
                with contextlib.suppress(OSError):
                    pipe.close()
        self._proc = None
        self._close_stderr()

    def _close_stderr(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _fatal_line(stderr: IO[bytes] | None) -> str:
    """``: <Go's fatal error line>`` (or the last line the worker printed), else ``""``."""
    if stderr is None:
        return ""
    stderr.seek(0)
    lines = stderr.read(64 * 1024).decode("utf-8", "replace").splitlines()
    fatal = [x for x in lines if x.startswith(("fatal error:", "runtime:", "MemoryError"))]
    shown = (fatal or [x for x in lines if x.strip()][-1:] or [""])[0].strip()
    if "out of memory" in shown or "MemoryError" in shown:
        mib = memory_limit_bytes() // 2**20
        shown = f"out of memory (limit {mib} MiB, HOMEGEN_ENGINE_MEMORY_MB)"
    return f": {shown[:200]}" if shown else ""


_WORKER = EngineWorker()
atexit.register(_WORKER.stop)


def engine_worker() -> EngineWorker:
    """The run's one worker."""
    return _WORKER
