"""Write expected.txt of rejected cases from what homegen reports now.

    .venv/bin/python tests/cases/regenerate.py               # every case under reject/
    .venv/bin/python tests/cases/regenerate.py port-zero     # only these

Review the diff before committing: expected.txt is the contract, not a snapshot to accept.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REJECT = Path(__file__).resolve().parent / "reject"


def problems(case: Path) -> list[str]:
    """The `services.toml:LINE:COL: ...` lines homegen prints for a case."""
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [sys.executable, "-m", "homegen", "render", "--config", "services.toml", "--out", out],
            cwd=case,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 2:
        raise SystemExit(f"{case.name}: exit {result.returncode}, not 2:\n{result.stderr}")
    return [line for line in result.stderr.splitlines() if line.startswith("services.toml:")]


def main(names: list[str]) -> None:
    """Regenerate the named cases, or all of them."""
    cases = [REJECT / n for n in names] if names else sorted(REJECT.iterdir())
    for case in cases:
        lines = problems(case)
        (case / "expected.txt").write_text("".join(f"{line}\n" for line in lines))
        print(f"{case.name}: {len(lines)} line(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
