"""checkov's time on the 1,000-service tree, beside `homegen validate` on the same tree.

An outside anchor for DESIGN.md's "at least 10x faster than checkov". checkov is not a
dependency of homegen: install it in an environment of its own (never in CI or `make test`)
and name its binary, e.g.::

    python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov
    make bench-checkov CHECKOV=/tmp/checkov-venv/bin/checkov

One checkov run takes minutes (about 20 of CPU on the 2-core benchmark machine), so it runs
once by default (--checkov-runs). Its rows and the verdict go into bench/RESULTS.md between
the markers below; `make bench` without CHECKOV keeps the section measured last.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from measure import Sample, measure
from synth import synth

CHECKOV_RATIO_BUDGET = 10.0  # DESIGN.md: validate at least 10x faster than checkov
BEGIN = "<!-- checkov: bench/checkov.py, kept by `make bench` until measured again -->"
END = "<!-- /checkov -->"
LABEL = "checkov 1,000"


def checkov_version(checkov: str) -> str:
    """What `checkov --version` prints (its first line), or why it could not run."""
    try:
        done = subprocess.run(
            [checkov, "--version"], capture_output=True, text=True, timeout=300, check=False
        )
    except OSError as exc:
        raise SystemExit(f"bench: cannot run {checkov}: {exc.strerror}") from None
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def bench_checkov(
    checkov: str, homegen: str, work: Path, runs: int, checkov_runs: int
) -> list[Sample]:
    """Render 1,000 services, then time checkov and `homegen validate` on that tree."""
    folder = work / "checkov"
    folder.mkdir(parents=True)
    (folder / "services.toml").write_text(synth(1000), encoding="utf-8")
    out = folder / "rendered"
    render = [homegen, "render", "-c", str(folder / "services.toml"), "-o", str(out)]
    subprocess.run(render, check=True, capture_output=True)
    validate = measure(
        LABEL, "homegen validate", [homegen, "validate", str(out)], cwd=folder, runs=runs,
        warmup=1, size=1000, ok=(0, 1),
    )  # fmt: skip
    # exit 1: checkov's checks fail on the tree (it reports, it is not broken)
    command = [checkov, "-d", str(out), "--framework", "kubernetes", "--quiet"]
    scanned = measure(
        LABEL, "checkov -d (kubernetes)", command, cwd=folder, runs=checkov_runs, warmup=0,
        size=1000, ok=(0, 1),
    )  # fmt: skip
    return [validate, scanned]


def checkov_section(samples: list[Sample], version: str, when: str) -> str:
    """The RESULTS.md section: the two rows and the ratios against the budget."""
    validate, scanned = samples
    wall, cpu = scanned.median / validate.median, scanned.cpu / validate.cpu
    verdict = "PASS" if min(wall, cpu) >= CHECKOV_RATIO_BUDGET else "FAIL"
    rows = [
        "| input | command | median wall (s) | min wall (s) | median CPU (s) | runs "
        "| peak RSS (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|",
        *(
            f"| 1,000 services | {s.command} | {s.median:.3f} | {min(s.walls):.3f} "
            f"| {s.cpu:.3f} | {len(s.walls)} | {s.peak_mb:.1f} |"
            for s in samples
        ),
    ]
    return "\n".join(
        [
            BEGIN,
            "## checkov on the same tree (`make bench-checkov`)",
            "",
            f"- Measured {when}; checkov {version}, in an environment of its own, "
            "`checkov -d <tree> --framework kubernetes --quiet` on `bench/synth.py 1000` "
            "rendered to tmpfs. CPU time is user + system of the command and its child "
            "processes: on a shared machine it moves less than the wall time of a long run",
            "",
            *rows,
            "",
            f"- {verdict}: `homegen validate` is {wall:.1f}x faster than checkov on the same "
            f"tree in wall time, {cpu:.1f}x in CPU time (≥ {CHECKOV_RATIO_BUDGET:g}x)",
            END,
        ]
    )


def previous_section(results_md: Path) -> str:
    """The checkov section of an earlier RESULTS.md ("" when there is none)."""
    try:
        text = results_md.read_text(encoding="utf-8")
    except OSError:
        return ""
    start, end = text.find(BEGIN), text.find(END)
    return text[start : end + len(END)] if 0 <= start < end else ""


def with_section(text: str, section: str) -> str:
    """text with its checkov section replaced by section (appended when it has none)."""
    start, end = text.find(BEGIN), text.find(END)
    if 0 <= start < end:
        return text[:start] + section + text[end + len(END) :]
    return text.rstrip("\n") + "\n\n" + section + "\n"
