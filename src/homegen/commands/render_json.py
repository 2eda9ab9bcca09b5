"""The JSON report of `homegen render [--check] --output json`: what differs, by kind of change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homegen.writer import TreeDiff, unified_diff

_ACTIONS = {"create": "created", "update": "changed", "delete": "deleted"}


def render_report(out: Path, diff: TreeDiff, *, check: bool, with_diff: bool) -> dict[str, Any]:
    """Paths (as ``out/path``) a render would create/change/delete (check) or did (render)."""
    prefix = out.as_posix()
    report: dict[str, Any] = {
        "tree": prefix,
        "check": check,
        "clean": diff.clean,
        **{key: [] for key in _ACTIONS.values()},
        "edited": [f"{prefix}/{p}" for p in sorted(diff.edited)],
        "foreign": [f"{prefix}/{p}" for p in sorted(diff.foreign)],
        "kept": [f"{prefix}/{p}" for p in sorted(diff.kept)],
        "ledger_stale": diff.ledger_stale,
    }
    for change in sorted(diff.changes, key=lambda c: c.path):
        report[_ACTIONS[change.action]].append(f"{prefix}/{change.path}")
    if with_diff:
        report["diff"] = unified_diff(diff.changes, prefix) if diff.changes else ""
    return report


def render_report_json(out: Path, diff: TreeDiff, *, check: bool, with_diff: bool) -> str:
    """The report as JSON text with sorted keys and a final newline."""
    report = render_report(out, diff, check=check, with_diff=with_diff)
    return json.dumps(report, indent=2, sort_keys=True) + "\n"
