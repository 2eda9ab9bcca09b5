"""The `homegen diff` rows of the benchmark: both sides of a change, against one render.

The shipped homelab with a Renovate-style bump (traefik 33.2.1 → 34.0.0, metallb 0.14.8 →
0.14.9, one new routed service) and its charts from a warm cache; and 1,000 synthetic
services with one env value changed in each. Each side is a commit of a git repository made
here; the diff reads both from git.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from measure import Sample, measure
from synth import synth

DIFF_HOMELAB_BUDGET = 1.0
DIFF_THOUSAND_BUDGET = 4.0
DIFF_RATIO_BUDGET = 3.0  # issue 29: a diff costs at most 3x one render of the same tree
_GIT = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
}  # fmt: skip
NEW_SERVICE = '\n[services.whoami]\nimage = "traefik/whoami:v1.10.3"\nport = 8080\n'


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, env={**os.environ, **_GIT}, check=True)


def _repo(folder: Path, before: str, after: str) -> None:
    folder.mkdir(parents=True)
    _git(folder, "init", "-q", "-b", "main")
    for text, message in ((before, "base"), (after, "change")):
        (folder / "services.toml").write_text(text, encoding="utf-8")
        _git(folder, "add", "-A")
        _git(folder, "commit", "-q", "-m", message)


def bump(text: str) -> str:
    """The homelab's services.toml with the chart bumps and a new service."""
    text = text.replace(
        'chart = "traefik", version = "33.2.1"', 'chart = "traefik", version = "34.0.0"'
    )
    text = text.replace(
        'chart = "metallb", version = "0.14.8"', 'chart = "metallb", version = "0.14.9"'
    )
    return text + NEW_SERVICE


def bench_diff(
    homegen: str, work: Path, homelab: str, charts: Path | None, runs: int, results: list[Sample]
) -> None:
    """Diff rows: the homelab bump (warm chart cache) and 1,000 services."""
    common = {"runs": runs, "warmup": 1, "ok": (0, 1)}
    if charts is not None:
        folder = work / "diff-homelab"
        _repo(folder, homelab, bump(homelab))
        command = [homegen, "diff", "HEAD~1", "HEAD", "--charts", str(charts), "-o", "json"]
        results.append(measure("diff homelab", "diff (warm cache)", command, cwd=folder,
                               size=0, **common))  # fmt: skip
        render = [homegen, "render", "--charts", str(charts), "-o", str(folder / "out")]
        results.append(measure("diff homelab", "render (warm cache)", render, cwd=folder,
                               size=0, **common))  # fmt: skip
    folder = work / "diff-1000"
    fleet = synth(1000)
    _repo(folder, fleet, fleet.replace('TZ = "Europe/Berlin"', 'TZ = "Europe/Paris"'))
    command = [homegen, "diff", "HEAD~1", "HEAD", "-o", "json"]
    results.append(measure("diff 1,000", "diff", command, cwd=folder, size=1000, **common))
    render = [homegen, "render", "-o", str(folder / "out")]
    results.append(measure("diff 1,000", "render", render, cwd=folder, size=1000, **common))


def diff_notes(results: list[Sample]) -> list[str]:
    """The diff's time against its budget and as a ratio to one render of the same tree."""
    lines = []
    for label, budget in (
        ("diff homelab", DIFF_HOMELAB_BUDGET),
        ("diff 1,000", DIFF_THOUSAND_BUDGET),
    ):
        diff = next((s for s in results if s.label == label and s.command.startswith("diff")), None)
        render = next(
            (s for s in results if s.label == label and s.command.startswith("render")), None
        )
        if diff and render:
            ratio = diff.median / render.median
            mark = "PASS" if diff.median <= budget and ratio <= DIFF_RATIO_BUDGET else "FAIL"
            lines.append(
                f"- {mark}: `{label}` both sides {diff.median:.2f} s (≤ {budget:.0f} s), "
                f"{ratio:.2f}x one render of the same tree (≤ {DIFF_RATIO_BUDGET:g}x)"
            )
    return lines
