"""``homegen diff [BASE [HEAD]]``: the flags, forwarded to ``homegen.diff``; the exit code.

Registered by cli.py; heavy modules are imported inside the command (``--help`` stays fast).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from homegen.commands.outcome import run_command
from homegen.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError

if TYPE_CHECKING:
    from homegen.diff.sides import SideOptions

OUTPUTS = ("text", "markdown", "json")


def diff_command(
    base: Annotated[
        str | None,
        typer.Argument(
            help="The revision to compare from (default: merge-base with origin/HEAD, else main)."
        ),
    ] = None,
    head: Annotated[
        str | None, typer.Argument(help="The revision to compare to (default: the working tree).")
    ] = None,
    config: Annotated[
        str, typer.Option("--config", "-c", help="services.toml's path in the repository.")
    ] = "services.toml",
    tree: Annotated[
        str | None,
        typer.Option(
            "--tree",
            help="Compare this ArgoCD tree (a path in the repository) instead of rendering "
            "services.toml.",
        ),
    ] = None,
    charts: Annotated[
        list[Path] | None,
        typer.Option(
            "--charts",
            file_okay=False,
            help="A folder of charts to expand chart apps with (repeatable; then $HOMEGEN_CHARTS).",
        ),
    ] = None,
    kubernetes_version: Annotated[
        str | None, typer.Option(help="Kubernetes version charts see (default: services.toml's).")
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="text, markdown or json.")] = "text",
    show_noise: Annotated[
        bool, typer.Option("--show-noise", help="List noise-only objects and noise fields.")
    ] = False,
    unified: Annotated[
        bool, typer.Option("--unified", help="Text output: add each object's unified YAML diff.")
    ] = False,
    comment_dir: Annotated[
        Path | None,
        typer.Option(
            "--comment-dir",
            file_okay=False,
            help="Markdown: write comment-1.md … comment-N.md here, each ≤ 65,536 characters.",
        ),
    ] = None,
    findings: Annotated[
        bool,
        typer.Option(
            "--findings", help="Run validate's checks on both sides; list those new on HEAD."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """What a change does to what ArgoCD applies: both revisions expanded and compared."""

    def call() -> int:
        from homegen import console
        from homegen.diff.sides import SideOptions

        if quiet:
            console.set_quiet()

        options = SideOptions(
            config, tree, tuple(charts or ()), kubernetes_version, findings=findings
        )
        return run_diff_command(
            base, head, options, output, show_noise=show_noise, unified=unified,
            comment_dir=comment_dir,
        )  # fmt: skip

    run_command(call)


def run_diff_command(
    base: str | None,
    head: str | None,
    options: SideOptions,
    output: str,
    *,
    show_noise: bool = False,
    unified: bool = False,
    comment_dir: Path | None = None,
) -> int:
    """Compare, print, and return 0 (no differences), 1 (differences) or 2 (errors)."""
    from homegen import console
    from homegen.diff.run import Request, run_diff

    if output not in OUTPUTS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(OUTPUTS)}")
    if comment_dir is not None and output != "markdown":
        raise UsageError("--comment-dir writes markdown: use it with --output markdown")
    result = run_diff(Path.cwd(), Request(base, head, options))
    if output == "json":
        from homegen.diff.output_json import render_json

        sys.stdout.write(render_json(result))
    elif output == "markdown":
        from homegen.diff.output_markdown import render_markdown, render_parts

        if comment_dir is None:
            sys.stdout.write(render_markdown(result, show_noise=show_noise))
        else:
            _write_parts(comment_dir, render_parts(result, show_noise=show_noise))
    else:
        from homegen.diff.output_text import render_text

        def paint(text: str, colour: str) -> str:
            return console.style(text, colour, stream=sys.stdout)

        sys.stdout.write(render_text(result, paint, show_noise=show_noise, unified=unified))
    if result.errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if result.changed else EXIT_OK


def _write_parts(folder: Path, parts: list[str]) -> None:
    """comment-1.md … comment-N.md, stale parts of an earlier run removed."""
    from homegen import console

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("comment-*.md"):
        old.unlink()
    for number, text in enumerate(parts, 1):
        (folder / f"comment-{number}.md").write_text(text, encoding="utf-8")
    console.note(f"wrote {len(parts)} comment parts to {folder}")
