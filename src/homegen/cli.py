"""The command line: parses flags, calls library functions, maps errors to exit codes.

Heavy modules (pydantic, jinja2, ruamel, kubernetes-validate) are imported inside the
commands so that ``homegen --help`` stays fast.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from homegen import console
from homegen.commands.complete import service_names
from homegen.commands.diff import diff_command
from homegen.errors import EXIT_INTERNAL, HomegenError


def _quiet_after_command(value: bool) -> None:
    if value:
        _state["quiet"] = True
        console.set_quiet()


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

_state = {"debug": False, "quiet": False}

# Every subcommand takes -q/--quiet after its name too (`homegen render -q`), the same as the
# global `homegen --quiet render`; tests/test_cli_options.py checks that none is missing.
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress lines on stderr (as `homegen --quiet COMMAND`).",
        callback=_quiet_after_command,
    ),
]
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
            console.error_lines(line)
        raise typer.Exit(exc.exit_code)
    import traceback

    if isinstance(exc, BrokenPipeError):  # `homegen list | head`: the reader left; not a bug
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1)
    if _state["debug"]:
        traceback.print_exception(exc, file=sys.stderr)
    else:
        console.error_lines(f"homegen: internal error: {type(exc).__name__}: {exc}")
        print("run again with --debug for the traceback", file=sys.stderr)
    raise typer.Exit(EXIT_INTERNAL)


def _run(call: Callable[[], int]) -> NoReturn:
    """Run a command body and exit with its code; errors go through ``_fail``."""
    try:
        code = call()
    except Exception as exc:
        _fail(exc)
    raise typer.Exit(code)


OutOpt = Annotated[Path, typer.Option("--out", "-o", help="The rendered tree's folder.")]
LockTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--lock-timeout",
        envvar="HOMEGEN_LOCK_TIMEOUT",
        metavar="SECONDS",
        help="How long to wait for another render of the same folder (default 60).",
        show_default=False,
    ),
]
SchemaLocationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--schema-location",
        envvar="HOMEGEN_SCHEMA_LOCATION",
        help="Where CRD schemas are: a folder or URL template with {{.Group}}, "
        "{{.ResourceKind}}, {{.ResourceAPIVersion}}. Repeatable; tried in order, then "
        "homegen's built-in catalog. `default`: the online CRDs-catalog, cached on disk.",
    ),
]


ChartsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--charts",
        help="A folder of charts (<chart>-<version>/ or .tgz) to expand chart apps with; "
        "repeatable; the folders of $HOMEGEN_CHARTS are searched after these.",
        file_okay=False,
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

    _run(
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


@app.command()
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The tree to check (default: rendered/ beside a services.toml, else the "
            "working folder)."
        ),
    ] = None,
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
    cluster: Annotated[
        list[str] | None,
        typer.Option(
            "--cluster",
            help="A cluster ApplicationSet cluster generators yield, as its cluster secret: "
            "NAME=URL[,project=P][,label.KEY=VALUE][,annotation.KEY=VALUE] (repeatable; "
            "in-cluster is added as ArgoCD adds it).",
        ),
    ] = None,
    list_apps: Annotated[
        bool,
        typer.Option(
            "--list-apps",
            help="List the Applications ArgoCD will create, generated ones included.",
        ),
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Report only these rules: ids or prefixes (HG3), comma-separated."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(help="Do not report these rules: ids or prefixes, comma-separated."),
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option(help="Kinds not to check at all, comma-separated.")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option(help="Kinds refused: each object is an error (HG108).")
    ] = None,
    storage_class: Annotated[
        list[str] | None,
        typer.Option(
            "--storage-class",
            help="A StorageClass the cluster has besides those in the tree (repeatable; "
            "adds to [cluster] storage_classes of a services.toml beside the tree).",
        ),
    ] = None,
    repo_url: Annotated[
        str | None,
        typer.Option(
            "--repo-url",
            help="The repository the tree is a checkout of (default: its git origin, else the "
            "repoURL its sources share).",
        ),
    ] = None,
    root: Annotated[
        str | None,
        typer.Option(
            "--root",
            help="The root Application (name or file) (default: the one that syncs the folder "
            "holding the others).",
        ),
    ] = None,
    quiet: QuietOpt = False,
    charts: ChartsOpt = None,
) -> None:
    """Check a tree: schemas, whole-tree integrity and the hardening policy."""
    from homegen.validate.command import Choices, run_validate

    _run(
        lambda: run_validate(
            path,
            schema_locations=schema_location or [],
            ignore_missing_schemas=ignore_missing_schemas,
            kubernetes_version=kubernetes_version,
            output=output,
            summary=summary,
            choices=Choices(select, ignore, skip, reject, cluster),
            list_apps=list_apps,
            chart_dirs=charts or [],
            storage_classes=storage_class,
            repo_url=repo_url,
            root=root,
        )
    )


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

    _run(lambda: run_crd_schemas(crds, out, descriptions=descriptions))


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

    _run(lambda: run_schema(out, check=check))


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder for services.toml and its schema.", file_okay=False)
    ] = Path("."),
    quiet: QuietOpt = False,
) -> None:
    """Write a commented starter services.toml and its JSON Schema; never overwrites."""
    from homegen.commands.edit import run_init

    _run(lambda: run_init(folder))


NoRenderOpt = Annotated[
    bool, typer.Option("--no-render", help="Only edit services.toml; do not render.")
]
ServiceName = Annotated[
    str, typer.Argument(help="The service name (a DNS label).", autocompletion=service_names)
]


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
    _run(
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

    _run(
        lambda: run_remove(
            config, out, name, render=not no_render, schema_locations=schema_location
        )
    )


@app.command("list")
def list_apps(
    config: ConfigOpt = Path("services.toml"),
    output: Annotated[
        str, typer.Option("--output", help="text or json.", autocompletion=lambda: ["text", "json"])
    ] = "text",
    quiet: QuietOpt = False,
) -> None:
    """List every app and service: kind, namespace, sync wave, routes, image or chart."""
    from homegen.commands.list import run_list

    _run(lambda: run_list(config, output=output))


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

    _run(lambda: run_graph(config, fmt=fmt))


@app.command()
def secrets(
    config: ConfigOpt = Path("services.toml"),
    output: Annotated[str, typer.Option("--output", help="text or json.")] = "text",
    quiet: QuietOpt = False,
) -> None:
    """List every Secret key made from 1Password: namespace, Secret, key, reference."""
    from homegen.commands.secrets import run_secrets

    _run(lambda: run_secrets(config, output))


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
    quiet: QuietOpt = False,
) -> None:
    """Write services.toml from a hand-written ArgoCD tree; report what could not be kept."""
    from homegen.commands.importer import run_import

    _run(
        lambda: run_import(
            tree, out, repo_url=repo_url, tree_path=tree_path, force=force, output=output
        )
    )


ChartsDirOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--charts",
        help="A folder of charts (<chart>-<version>/ or <chart>-<version>.tgz), searched "
        "before the cache and the network. Repeatable; HOMEGEN_CHARTS adds more.",
        file_okay=False,
    ),
]


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
    output: Annotated[
        str, typer.Option("--output", help="text or json.", autocompletion=lambda: ["text", "json"])
    ] = "text",
    quiet: QuietOpt = False,
) -> None:
    """List every chart the homelab uses and where it is found; `charts pull` caches them."""
    from homegen.commands.charts import ChartsRequest, parse_args, run_charts

    def call() -> int:
        pull, tree = parse_args(args or [])
        request = ChartsRequest(pull, tree, config, tuple(charts_dir or ()), offline, output)
        return run_charts(request)

    _run(call)


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
