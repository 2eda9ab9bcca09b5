"""Start-up guard: `homegen --help` must not import the heavy modules the commands need.

Not a timing test (timings live in `make bench`): it reads `python -X importtime`, which
names every module the process imported, so it fails the same way on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Each costs 30-150 ms to import; only the commands that use them may import them.
HEAVY = (
    "jinja2", "ruamel", "kubernetes_validate", "pydantic", "homegen.config.models",
    "cel_expr_python",  # the CEL runtime: only when a custom resource's rules are checked
)  # fmt: skip


def imported_modules(stderr: str) -> set[str]:
    """Module names in `-X importtime` output (`import time: self | cumulative | name`)."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    return names


def heavy(names: set[str]) -> list[str]:
    """The imported modules that belong to a heavy package."""
    return sorted(n for n in names for h in HEAVY if n == h or n.startswith(h + "."))


def _importtime(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("PYTHONIMPORTTIME", None)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "homegen", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "shows"),
    [(("--help",), "Usage"), ((), "Usage"), (("--version",), "homegen ")],
    ids=["--help", "no-args", "--version"],
)
def test_help_imports_no_heavy_module(args: tuple[str, ...], shows: str) -> None:
    proc = _importtime(*args)
    assert shows in proc.stdout + proc.stderr
    names = imported_modules(proc.stderr)
    assert "homegen.cli" in names, "importtime output was not parsed"
    assert heavy(names) == []


def test_parser_finds_heavy_modules() -> None:
    # the guard must be able to fail: a command that does load the models is caught
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       120 |        120 |   pydantic.version",
            "import time:       900 |       4000 | homegen.config.models",
            "import time:        50 |         50 | homegen.errors",
        ]
    )
    assert heavy(imported_modules(stderr)) == ["homegen.config.models", "pydantic.version"]
