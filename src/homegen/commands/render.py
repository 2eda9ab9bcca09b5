"""`homegen render`: write, check or diff the rendered tree."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from homegen.commands.render_json import OUTPUTS, render_report_json
from homegen.console import note as _note
from homegen.console import style, warn
from homegen.errors import EXIT_FINDINGS, EXIT_OK, DriftError, InvalidTreeError, UsageError
from homegen.ledger import LEDGER_NAME
from homegen.pipeline import Rendered, render_config
from homegen.writer import TreeDiff, apply, compare, unified_diff


def run_render(
    config_path: Path,
    out: Path,
    *,
    check: bool,
    show_diff: bool,
    force: bool,
    schema_locations: Sequence[str] = (),
    output: str = "text",
) -> int:
    """Render config_path into out (or only compare, with check); the exit code.

    With output "json" a report of the created/changed/deleted/edited paths goes to stdout
    (the diff inside it, with show_diff); human lines stay on stderr.
    """
    if output not in OUTPUTS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(OUTPUTS)}")
    rendered = render_config(config_path)
    files = rendered.files
    version, tree_path = rendered.config.cluster.kubernetes_version, rendered.plan.tree_path
    del rendered  # the models and plan of a large fleet are a quarter of the peak memory
    diff = compare(out, files, force=force)
    # Validation guards writes: a tree that is on disk byte for byte already (and owned) was
    # validated when it was written, so a current tree (CI's --check, pre-commit) skips it.
    if not diff.clean:
        validate_files(files, version, tree_path, schema_locations, out)
    if show_diff and diff.changes and output == "text":
        sys.stdout.write(unified_diff(diff.changes, out.as_posix()))
    if not diff.ledger.present and any(out.glob("*")):
        warn(
            f"{out}/{LEDGER_NAME} is missing or unreadable: homegen does not delete or "
            "overwrite files it cannot prove it owns (use --force to take them over)"
        )
    if check:
        code = _report_check(out, diff)
        if output == "json":
            sys.stdout.write(render_report_json(out, diff, check=True, with_diff=show_diff))
        return code
    if diff.conflicts and not force:
        raise DriftError(
            "these files were edited by hand or are not homegen's; nothing was written "
            "(change services.toml instead, or use --force to overwrite them):",
            [f"{out}/{p}" for p in diff.conflicts],
        )
    for path in diff.kept:
        warn(f"{out}/{path}: no longer generated but edited by hand; kept (--force deletes it)")
    if diff.changes or diff.ledger_stale:
        apply(out, files, diff)
    for change in diff.changes:
        _note(f"{change.action:>7} {out}/{change.path}")
    if not diff.changes:
        _note(f"{out} is up to date ({len(files)} files)")
    if output == "json":
        sys.stdout.write(render_report_json(out, diff, check=False, with_diff=show_diff))
    if os.environ.get("PRE_COMMIT") == "1" and diff.changes:
        return EXIT_FINDINGS
    return EXIT_OK


def validate_rendered(rendered: Rendered, schema_locations: Sequence[str], out: Path) -> None:
    """Run homegen validate's checks on the in-memory tree; raise when any error is found."""
    validate_files(
        rendered.files,
        rendered.config.cluster.kubernetes_version,
        rendered.plan.tree_path,
        schema_locations,
        out,
    )


def validate_files(
    files: dict[str, bytes],
    kubernetes_version: str,
    tree_path: str,
    schema_locations: Sequence[str],
    out: Path,
) -> None:
    """Run homegen validate's checks on in-memory files; raise when any error is found.

    A CRD kind whose schema cannot be found is noted, not fatal: a render must work offline
    (pre-commit); `homegen validate` is where a missing schema fails.
    """
    from homegen.validate.documents import documents_from_texts
    from homegen.validate.engine import ValidateOptions, validate_documents
    from homegen.validate.output import text_line
    from homegen.validate.registry import DEFAULT_LOCATION

    options = ValidateOptions(
        kubernetes_version=kubernetes_version,
        schema_locations=list(schema_locations)
        or os.environ.get("HOMEGEN_SCHEMA_LOCATION", "").split()
        or [DEFAULT_LOCATION],
        ignore_missing_schemas=True,
        repo_root_in_git=tree_path,
    )
    report = validate_documents(documents_from_texts(files), options=options)
    prefix = out.as_posix()
    for finding in report.findings:
        if finding.severity == "warning" and finding.suppressed_reason is None:
            warn(text_line(finding, prefix))
    failing = [text_line(f, prefix) for f in report.findings if f.failing]
    if failing:
        raise InvalidTreeError(failing)


def _report_check(out: Path, diff: TreeDiff) -> int:
    if diff.clean:
        _note(f"{out} is up to date")
        return EXIT_OK
    # Drift is the result of a check, not progress: shown even with --quiet.
    for change in diff.changes:
        warn(style(f"would {change.action} {out}/{change.path}", _COLORS[change.action]))
    for path in diff.conflicts:
        warn(style(f"edited by hand: {out}/{path}", "red"))
    for path in diff.kept:
        warn(style(f"edited by hand, no longer generated: {out}/{path}", "red"))
    if diff.ledger_stale and not diff.changes:  # it changes with every file anyway
        warn(f"would update {out}/{LEDGER_NAME}")
    warn(style(f"{out} is stale: run `homegen render`", "bold"))
    return EXIT_FINDINGS


_COLORS = {"create": "green", "update": "yellow", "delete": "red"}
