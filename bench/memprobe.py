"""Where a render's memory goes: VmRSS and VmHWM (peak) at each stage, in one process.

Usage, in the folder of a services.toml: ``python bench/memprobe.py [--in-process] render
[options]``. It runs homegen's CLI in this process with the render's stages wrapped, printing
the resident memory before and after each (and CPU time, wall time since start). With
--in-process the validation runs in the render's own process at any size, as it does above
FORK_MAX_CONFIG_BYTES (10,000 services), where the process's peak is the process tree's.
bench/PROFILE.md's memory table was made with it.
"""

from __future__ import annotations

import atexit
import importlib
import sys
import time
from collections.abc import Callable
from typing import Any

START = time.perf_counter()
# (module, function): wrapped where they are defined and where they were imported by name
STAGES = [
    ("homegen.pipeline", "render_config"),
    ("homegen.writer", "compare"),
    ("homegen.writer", "stage"),
    ("homegen.validate.reader.documents", "documents_consuming"),
    ("homegen.validate.render_checks", "_expand"),
    ("homegen.validate.run", "validate_documents"),
    ("homegen.validate.reader.tree", "build_tree"),
]
USERS = {"build_tree": "homegen.validate.run"}


def memory(label: str) -> None:
    """One line: seconds since start, CPU seconds, VmRSS and VmHWM in MiB."""
    status = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = int(value.split()[0]) // 1024
    print(
        f"[{time.perf_counter() - START:6.2f} s, cpu {time.process_time():6.2f} s] "
        f"{label:<34} RSS {status['VmRSS']:4d} MiB  peak {status['VmHWM']:4d} MiB",
        file=sys.stderr,
        flush=True,
    )


def _wrapped(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        memory(f"before {name}")
        result = function(*args, **kwargs)
        memory(f"after {name}")
        return result

    return wrapper


def main() -> None:
    """Wrap the stages, then run `homegen` with the remaining arguments."""
    args = sys.argv[1:]
    if args[:1] == ["--in-process"]:
        from homegen.validate import background

        background.FORK_MAX_CONFIG_BYTES = -1
        args = args[1:]
    for module_name, name in STAGES:
        module = importlib.import_module(module_name)
        wrapper = _wrapped(name, getattr(module, name))
        setattr(module, name, wrapper)
        if name in USERS:
            setattr(importlib.import_module(USERS[name]), name, wrapper)
    from homegen.cli import main as homegen

    atexit.register(memory, "exit")
    sys.argv = ["homegen", *args]
    memory("start")
    homegen()


if __name__ == "__main__":
    main()
