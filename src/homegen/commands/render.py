"""`homegen render`: write, check or diff the rendered tree."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homegen import console, fingerprint, treelock
from homegen.console import note as _note
from homegen.console import style, warn
from homegen.errors import EXIT_FINDINGS, EXIT_OK, DriftError, InvalidTreeError, UsageError
from homegen.validate.background import TreeValidation, start_validation
from homegen.validate.render_checks import Settings, Verdict, check_files

if TYPE_CHECKING:
    from homegen.pipeline import Rendered
    from homegen.writer import TreeDiff

OUTPUTS = ("text", "json")


def run_render(
    config_path: Path,
    out: Path,
    *,
    check: bool,
    show_diff: bool,
    force: bool,
    schema_locations: Sequence[str] = (),
    output: str = "text",
    lock_timeout: float | None = None,
    chart_dirs: Sequence[Path] = (),
) -> int:
    """Render config_path into out (or only compare, with check); the exit code.

    With output "json" a report of the created/changed/deleted/edited paths goes to stdout
    (the diff inside it, with show_diff); human lines stay on stderr. A render holds out's
    lock exclusively from reading the tree to writing the ledger, a check holds it shared
    while it reads (``homegen.treelock``); either waits at most lock_timeout seconds.
    """
    if output not in OUTPUTS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(OUTPUTS)}")
    timeout = treelock.lock_timeout(lock_timeout)

    def waiting(holder: str) -> None:
        _note(f"{out} is locked by {holder}: waiting up to {timeout:g} s")

    # The pipeline is imported here, not at the top: a render forks its validation first,
    # so the child imports the validator while the parent imports the pipeline.
    if check:
        return _check(
            config_path,
            out,
            lambda: treelock.tree_lock(out, shared=True, timeout=timeout, waiting=waiting),
            show_diff=show_diff,
            force=force,
            output=output,
            schema_locations=schema_locations,
            chart_dirs=chart_dirs,
        )
    # Started before anything else: the validator's imports overlap with the pipeline's.
    charts = [str(d) for d in chart_dirs]
    with start_validation(schema_locations, out.as_posix(), config_path, charts) as validation:
        from homegen.commands.render_json import render_report_json
        from homegen.pipeline import render_config
        from homegen.writer import compare, remove_stale_temps

        with fingerprint.recording() as reads:
            rendered = render_config(config_path, validation)
        files = rendered.files
        del rendered  # the models and plan of a large fleet are a quarter of the peak memory
        if not validation.concurrent:
            from homegen import heap

            heap.trim()
        count = len(files)
        with treelock.tree_lock(out, shared=False, timeout=timeout, create=True, waiting=waiting):
            diff = compare(out, files, force=force)
            del files  # the diff and the validation hold the bytes they still need
            if diff.clean:
                remove_stale_temps(out)  # a killed render may have staged files and gone
                state = fingerprint.code_state()
                fingerprint.save(config_path, out, reads, state, diff.final_bytes)
                _note(f"{out} is up to date ({count} files)")
                if output == "json":
                    console.out_json(
                        render_report_json(out, diff, check=False, with_diff=show_diff)
                    )
                return EXIT_OK
            state = _write(out, diff, validation, show_diff, output, force)
            if not diff.kept:  # kept files stay in the ledger: the tree is not the render's
                fingerprint.save(config_path, out, reads, state, diff.final_bytes)
    console.notes(f"{change.action:>7} {out}/{change.path}" for change in diff.changes)
    if not diff.changes:
        _note(f"{out} is up to date ({count} files)")
    if output == "json":
        console.out_json(render_report_json(out, diff, check=False, with_diff=show_diff))
    if os.environ.get("PRE_COMMIT") == "1" and diff.changes:
        return EXIT_FINDINGS
    return EXIT_OK


def _check(
    config_path: Path,
    out: Path,
    lock: Callable[[], AbstractContextManager[None]],
    *,
    show_diff: bool,
    force: bool,
    output: str,
    schema_locations: Sequence[str],
    chart_dirs: Sequence[Path],
) -> int:
    """`render --check`: from the last render's record when it proves out current, else
    render and compare (holding the lock shared while the tree is read); the exit code."""
    from homegen.commands.render_json import render_report_json

    with lock():
        recorded = fingerprint.current(config_path, out)
    if recorded:  # nothing it depends on changed since a render left it current
        from homegen.writer import TreeDiff

        _note(f"{out} is up to date")
        if output == "json":
            console.out_json(render_report_json(out, TreeDiff(), check=True, with_diff=show_diff))
        return EXIT_OK
    from homegen.pipeline import render_config
    from homegen.writer import compare

    with fingerprint.recording() as reads:
        rendered = render_config(config_path)
    with lock():
        diff = compare(out, rendered.files, force=force)
    # A tree that is on disk byte for byte already (and owned) was validated when it was
    # written, so a current tree (CI's --check, pre-commit) is not validated again.
    if not diff.clean:
        validate_rendered(rendered, schema_locations, out, chart_dirs)
    elif fingerprint.enabled():
        fingerprint.save(config_path, out, reads, fingerprint.code_state(), diff.final_bytes)
    del rendered
    _show(out, diff, show_diff, output, _unowned(out, diff))
    code = _report_check(out, diff)
    if output == "json":
        console.out_json(render_report_json(out, diff, check=True, with_diff=show_diff))
    return code


def _write(
    out: Path, diff: TreeDiff, validation: TreeValidation, show_diff: bool, output: str, force: bool
) -> dict[str, Any]:
    """Stage the changes while the checks run; move them into place on a clean verdict.

    Returns the render's code state for its record (``homegen.fingerprint``), taken while
    the checks run.
    """
    from homegen.writer import forget_contents, stage

    unowned = _unowned(out, diff)  # asked before staging adds temp files to out
    staged = None
    try:
        if (diff.changes or diff.ledger_stale) and (force or not diff.conflicts):
            staged = stage(out, diff)  # the new files are written while the checks run
        if not show_diff:
            # Staged: only paths and actions are read from here on. In process, this leaves
            # the validation the only holder of the bytes, which it releases as it parses
            # them: a large fleet's text and parsed tree are never held whole at once.
            forget_contents(diff)
        state = fingerprint.code_state()  # while the validation process works
        _raise_on_findings(validation.verdict())
        _show(out, diff, show_diff, output, unowned)
        if diff.conflicts and not force:
            raise DriftError(
                "these files were edited by hand or are not homegen's; nothing was "
                "written (change services.toml instead, or use --force to overwrite them):",
                [f"{out}/{p}" for p in diff.conflicts],
            )
        for path in diff.kept:
            warn(f"{out}/{path}: no longer generated but edited by hand; kept (--force deletes it)")
        if staged is not None:
            staged.commit()
            staged = None
    finally:
        if staged is not None:
            staged.discard()
    return state


def _show(out: Path, diff: TreeDiff, show_diff: bool, output: str, unowned: bool) -> None:
    """The diff (when asked for) and the warning about a missing ledger."""
    from homegen.ledger import LEDGER_NAME
    from homegen.writer import unified_diff

    if show_diff and diff.changes and output == "text":
        console.out(unified_diff(diff.changes, out.as_posix()))
    if unowned:
        warn(
            f"{out}/{LEDGER_NAME} is missing or unreadable: homegen does not delete or "
            "overwrite files it cannot prove it owns (use --force to take them over)"
        )


def _unowned(out: Path, diff: TreeDiff) -> bool:
    """Whether out holds files but no ledger that proves homegen owns them."""
    return not diff.ledger.present and any(out.glob("*"))


def validate_rendered(
    rendered: Rendered,
    schema_locations: Sequence[str],
    out: Path,
    chart_dirs: Sequence[Path] = (),
) -> None:
    """Run homegen validate's checks on the in-memory tree (its charts expanded); raise when
    any error is found."""
    settings = Settings(
        rendered.config.cluster.kubernetes_version,
        rendered.plan.tree_path,
        tuple(schema_locations),
        out.as_posix(),
        chart_dirs=tuple(str(d) for d in chart_dirs),
        storage_classes=tuple(rendered.config.cluster.storage_classes),
    )
    _raise_on_findings(check_files(rendered.files, settings))


def _raise_on_findings(verdict: Verdict) -> None:
    """Show the notes and warnings; raise InvalidTreeError (nothing is written) on any error."""
    for line in verdict.notes:
        _note(f"note: {line}")
    for line in verdict.warnings:
        warn(line)
    if verdict.failing:
        raise InvalidTreeError(verdict.failing)


def _report_check(out: Path, diff: TreeDiff) -> int:
    from homegen.ledger import LEDGER_NAME

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
