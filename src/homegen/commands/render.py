"""`homegen render`: write, check or diff the rendered tree."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from homegen.errors import EXIT_FINDINGS, EXIT_OK, DriftError
from homegen.ledger import LEDGER_NAME
from homegen.pipeline import render_config
from homegen.writer import TreeDiff, apply, compare, unified_diff


def run_render(config_path: Path, out: Path, *, check: bool, show_diff: bool, force: bool) -> int:
    """Render config_path into out (or only compare, with check); the exit code."""
    rendered = render_config(config_path)
    diff = compare(out, rendered.files, force=force)
    if show_diff and diff.changes:
        sys.stdout.write(unified_diff(diff.changes, out.as_posix()))
    if not diff.ledger.present and any(out.glob("*")):
        _note(
            f"{out}/{LEDGER_NAME} is missing: homegen does not delete or overwrite files it "
            "cannot prove it owns (use --force to take them over)"
        )
    if check:
        return _report_check(out, diff)
    if diff.conflicts and not force:
        raise DriftError(
            "these files were edited by hand or are not homegen's; nothing was written "
            "(change services.toml instead, or use --force to overwrite them):",
            [f"{out}/{p}" for p in diff.conflicts],
        )
    for path in diff.kept:
        _note(f"{out}/{path}: no longer generated but edited by hand; kept (--force deletes it)")
    ledger_current = (out / LEDGER_NAME).exists() and diff.ledger.present
    if diff.changes or not ledger_current:
        apply(out, rendered.files, diff)
    for change in diff.changes:
        _note(f"{change.action:>7} {out}/{change.path}")
    if not diff.changes:
        _note(f"{out} is up to date ({len(rendered.files)} files)")
    if os.environ.get("PRE_COMMIT") == "1" and diff.changes:
        return EXIT_FINDINGS
    return EXIT_OK


def _report_check(out: Path, diff: TreeDiff) -> int:
    if diff.clean:
        _note(f"{out} is up to date")
        return EXIT_OK
    for change in diff.changes:
        _note(f"would {change.action} {out}/{change.path}")
    for path in diff.conflicts:
        _note(f"edited by hand: {out}/{path}")
    for path in diff.kept:
        _note(f"edited by hand, no longer generated: {out}/{path}")
    _note(f"{out} is stale: run `homegen render`")
    return EXIT_FINDINGS


def _note(message: str) -> None:
    print(message, file=sys.stderr)
