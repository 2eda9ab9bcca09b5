"""The command line: parses flags, calls library functions, maps errors to exit codes.

Heavy modules (pydantic, jinja2, ruamel, kubernetes-validate) are imported inside the
commands so that ``homegen --help`` stays fast.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from homegen import console
from homegen.commands.diff import diff_command
from homegen.commands.options import (
    ChartsDirOpt,
    ChartsOpt,
    ConfigOpt,
    LockTimeoutOpt,
    NoRenderOpt,
    OutOpt,
    QuietOpt,
    SchemaLocationOpt,
    ServiceName,
    TextJsonOpt,
)
from homegen.commands.outcome import run_command, state
from homegen.commands.validate import validate_command


def _show_version(value: bool) -> None:
    if value:
        from homegen.version import version_lines

        for line in version_lines():
            print(line)
        raise typer.Exit(0)


app = typer.Typer(
    name="homegen",
    help="Keep a homelab's ArgoCD app-of-apps tree generated from one services.toml.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # plain click help: rich and markdown-it cost ~130 ms to import, more than the rest of
    # `homegen --help` together (budget: 100 ms)
    rich_markup_mode=None,
)


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
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show homegen's version and those of the schemas and chart engine it uses.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    state["debug"] = debug
    state["quiet"] = quiet
    console.configure(quiet=quiet, color=color.value)


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
    output: Annotated[
        str,
        typer.Option(
            "--output",
            help="text, or json: a report of the paths on stdout.",
            autocompletion=lambda: ["text", "json"],
        ),
    ] = "text",
    lock_timeout: LockTimeoutOpt = None,
    quiet: QuietOpt = False,
    charts: ChartsOpt = None,
) -> None:
    """Render services.toml into the app-of-apps tree (validated before it is written)."""
    from homegen.commands.render import run_render

    run_command(
        lambda: run_render(
            config,
            out,
            check=check,
            show_diff=diff,
            force=force,
            schema_locations=schema_location or [],
            output=output,
            lock_timeout=lock_timeout,
            chart_dirs=charts or [],
        )
    )


# `homegen validate`: its many flags live in their own module, as diff's do
app.command("validate")(validate_command)


@app.command("crd-schemas")
def crd_schemas(
    crds: Annotated[
        list[Path], typer.Argument(help="CRD manifests (YAML files or folders of them).")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the schemas into.")
    ] = Path("schemas"),
    descriptions: Annotated[bool, typer.Option(help="Keep the fields' description texts.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Convert CRDs to JSON Schemas for --schema-location ({group}/{kind}_{version}.json)."""
    from homegen.commands.crd_schemas import run_crd_schemas

    run_command(lambda: run_crd_schemas(crds, out, descriptions=descriptions))


@app.command()
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file instead of stdout.", dir_okay=False),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the file differs.")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Print the JSON Schema of services.toml (editors: `#:schema ./services.schema.json`)."""
    from homegen.commands.schema import run_schema

    run_command(lambda: run_schema(out, check=check))


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder for services.toml and its schema.", file_okay=False)
    ] = Path("."),
    quiet: QuietOpt = False,
) -> None:
    """Write a commented starter services.toml and its JSON Schema; never overwrites."""
    from homegen.commands.edit import run_init

    run_command(lambda: run_init(folder))


@app.command("add-service")
def add_service(
    name: Annotated[str, typer.Argument(help="The new service's name (a DNS label).")],
    image: Annotated[str, typer.Option(help="Pinned image: a version tag or a digest.")],
    port: Annotated[int, typer.Option(help="Container port.")],
    path: Annotated[str | None, typer.Option(help="Route this path prefix to it.")] = None,
    host: Annotated[
        list[str] | None, typer.Option(help="Route this hostname to it. Repeatable.")
    ] = None,
    namespace: Annotated[str | None, typer.Option(help="Default: the name.")] = None,
    replicas: Annotated[int | None, typer.Option(help="Default: 1.")] = None,
    env: Annotated[list[str] | None, typer.Option(help="KEY=VALUE. Repeatable.")] = None,
    secret_env: Annotated[
        list[str] | None, typer.Option(help="KEY=op://vault/item/field. Repeatable.")
    ] = None,
    after: Annotated[
        list[str] | None, typer.Option(help="An app synced before it. Repeatable.")
    ] = None,
    no_render: NoRenderOpt = False,
    config: ConfigOpt = Path("services.toml"),
    out: OutOpt = Path("rendered"),
    schema_location: SchemaLocationOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add [services.NAME] to services.toml (comments and layout kept), then render."""
    from homegen.commands.edit import ServiceFlags, run_add

    flags = ServiceFlags(
        image, port, path, host or (), namespace, replicas, env or (), secret_env or (),
        after or (),
    )  # fmt: skip
    run_command(
        lambda: run_add(
            config, out, name, flags, render=not no_render, schema_locations=schema_location
        )
    )


@app.command("remove-service")
def remove_service(
    name: ServiceName,
    no_render: NoRenderOpt = False,
    config: ConfigOpt = Path("services.toml"),
    out: OutOpt = Path("rendered"),
    schema_location: SchemaLocationOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Remove [services.NAME] and its comments from services.toml, then render (prunes)."""
    from homegen.commands.edit import run_remove

    run_command(
        lambda: run_remove(
            config, out, name, render=not no_render, schema_locations=schema_location
        )
    )


@app.command("list")
def list_apps(
    config: ConfigOpt = Path("services.toml"),
    output: TextJsonOpt = "text",
    quiet: QuietOpt = False,
) -> None:
    """List every app and service: kind, namespace, sync wave, routes, image or chart."""
    from homegen.commands.list import run_list

    run_command(lambda: run_list(config, output=output))


@app.command()
def graph(
    config: ConfigOpt = Path("services.toml"),
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="mermaid or dot.", autocompletion=lambda: ["mermaid", "dot"]
        ),
    ] = "mermaid",
    quiet: QuietOpt = False,
) -> None:
    """Draw the app-of-apps (waves, dependencies) and Gateway → route → Service paths."""
    from homegen.commands.graph import run_graph

    run_command(lambda: run_graph(config, fmt=fmt))


@app.command()
def secrets(
    config: ConfigOpt = Path("services.toml"),
    output: Annotated[str, typer.Option("--output", help="text or json.")] = "text",
    quiet: QuietOpt = False,
) -> None:
    """List every Secret key made from 1Password: namespace, Secret, key, reference."""
    from homegen.commands.secrets import run_secrets

    run_command(lambda: run_secrets(config, output))


@app.command("import")
def import_tree(
    tree: Annotated[Path, typer.Argument(help="The ArgoCD tree to adopt.", file_okay=False)],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The services.toml to write.", dir_okay=False)
    ] = Path("services.toml"),
    repo_url: Annotated[
        str | None, typer.Option(help="Git repository ArgoCD syncs (default: inferred).")
    ] = None,
    tree_path: Annotated[
        str | None, typer.Option(help="The tree's folder in it (default: inferred).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            help="text, or json: the report on stdout.",
            autocompletion=lambda: ["text", "json"],
        ),
    ] = "text",
    charts: ChartsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write services.toml from a hand-written ArgoCD tree; report what could not be kept."""
    from homegen.commands.importer import run_import

    run_command(
        lambda: run_import(
            tree,
            out,
            repo_url=repo_url,
            tree_path=tree_path,
            force=force,
            output=output,
            chart_dirs=tuple(charts or ()),
        )
    )


@app.command()
def charts(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[pull] [PATH]",
            help="pull: download what is missing into the cache. PATH: an ArgoCD tree "
            "to read instead of services.toml.",
        ),
    ] = None,
    config: ConfigOpt = Path("services.toml"),
    charts_dir: ChartsDirOpt = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Local folders and the cache only.")
    ] = False,
    output: TextJsonOpt = "text",
    quiet: QuietOpt = False,
) -> None:
    """List every chart the homelab uses and where it is found; `charts pull` caches them."""
    from homegen.commands.charts import ChartsRequest, parse_args, run_charts

    def call() -> int:
        pull, tree = parse_args(args or [])
        request = ChartsRequest(pull, tree, config, tuple(charts_dir or ()), offline, output)
        return run_charts(request)

    run_command(call)


# `homegen diff`: defined in its own module (the flags and the command body live there)
app.command("diff")(diff_command)


def main() -> None:
    """Console-script entry point."""
    # A render allocates millions of small objects that all live until it ends, and makes
    # next to no cycles (the same peak memory at 10,000 services with or without the
    # collector); every pass of the collector rescans them all, a third of a 1,000-service
    # render with the default thresholds. A command is one short process: no collector.
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        _exit_now(exc.code)
    _exit_now(0)


def _exit_now(code: object) -> NoReturn:
    """Exit without tearing the interpreter down.

    Freeing every module and object one by one at exit costs a homelab render a fifth of its
    time and buys nothing: the process ends anyway, every file it wrote is closed. So flush
    stdout and stderr, run any atexit handlers, and leave.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"), as the interpreter would show it
        print(code, file=sys.stderr)
        status = 1
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that left (`| head`), a closed stream
            status = status or 1
    os._exit(status)
