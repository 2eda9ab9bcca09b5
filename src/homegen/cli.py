"""The command line: parses flags, calls library functions, maps errors to exit codes.

Heavy modules (pydantic, jinja2, ruamel, kubernetes-validate) are imported inside the
commands so that ``homegen --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from homegen import console
from homegen.errors import EXIT_INTERNAL, HomegenError

app = typer.Typer(
    name="homegen",
    help="Keep a homelab's ArgoCD app-of-apps tree generated from one services.toml.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

_state = {"debug": False, "quiet": False}

ConfigOpt = Annotated[
    Path, typer.Option("--config", "-c", help="The services.toml to read.", dir_okay=False)
]


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress lines on stderr.")
    ] = False,
    color: Annotated[
        console.ColorChoice,
        typer.Option("--color", help="Colour: auto = on a terminal, unless NO_COLOR is set."),
    ] = console.ColorChoice.auto,
) -> None:
    _state["debug"] = debug
    _state["quiet"] = quiet
    console.configure(quiet=quiet, color=color.value)


def _fail(exc: BaseException) -> NoReturn:
    """The one place that turns an exception into stderr lines and an exit code."""
    if isinstance(exc, HomegenError):
        if _state["debug"]:
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
        for line in exc.lines():
            print(line, file=sys.stderr)
        raise typer.Exit(exc.exit_code)
    import traceback

    if _state["debug"]:
        traceback.print_exception(exc, file=sys.stderr)
    else:
        print(f"homegen: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("run again with --debug for the traceback", file=sys.stderr)
    raise typer.Exit(EXIT_INTERNAL)


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="The rendered tree's folder.")]
SchemaLocationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--schema-location",
        envvar="HOMEGEN_SCHEMA_LOCATION",
        help="Where CRD schemas are: a folder or URL template with {{.Group}}, "
        "{{.ResourceKind}}, {{.ResourceAPIVersion}}. Repeatable; tried in order. "
        "Default: the CRDs-catalog, cached on disk.",
    ),
]


@app.command()
def render(
    config: ConfigOpt = Path("services.toml"),
    out: OutOpt = Path("rendered"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the tree is stale.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff of the changes.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite or delete files edited by hand.")
    ] = False,
    schema_location: SchemaLocationOpt = None,
) -> None:
    """Render services.toml into the app-of-apps tree (validated before it is written)."""
    try:
        from homegen.commands.render import run_render

        code = run_render(
            config,
            out,
            check=check,
            show_diff=diff,
            force=force,
            schema_locations=schema_location or [],
        )
    except Exception as exc:
        _fail(exc)
    raise typer.Exit(code)


@app.command()
def validate(
    path: Annotated[
        Path, typer.Argument(help="The rendered tree (or any ArgoCD tree) to check.")
    ] = Path("rendered"),
    schema_location: SchemaLocationOpt = None,
    ignore_missing_schemas: Annotated[
        bool, typer.Option(help="Do not fail on kinds with no schema.")
    ] = False,
    kubernetes_version: Annotated[
        str | None, typer.Option(help="Kubernetes version of the core schemas.")
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="text, json, junit or github.")
    ] = "text",
    summary: Annotated[bool, typer.Option(help="Print only the summary line.")] = False,
) -> None:
    """Check a tree: schemas, whole-tree integrity and the hardening policy."""
    try:
        from homegen.validate.command import run_validate

        code = run_validate(
            path,
            schema_locations=schema_location or [],
            ignore_missing_schemas=ignore_missing_schemas,
            kubernetes_version=kubernetes_version,
            output=output,
            summary=summary,
        )
    except Exception as exc:
        _fail(exc)
    raise typer.Exit(code)


@app.command()
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file instead of stdout.", dir_okay=False),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the file differs.")
    ] = False,
) -> None:
    """Print the JSON Schema of services.toml (editors: `#:schema ./services.schema.json`)."""
    try:
        from homegen.commands.schema import run_schema

        code = run_schema(out, check=check)
    except Exception as exc:
        _fail(exc)
    raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    app()
