"""The options several commands share, declared once (typer ``Annotated`` aliases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from homegen import console
from homegen.commands.complete import service_names
from homegen.commands.outcome import state


def _quiet_after_command(value: bool) -> None:
    if value:
        state["quiet"] = True
        console.set_quiet()


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
ChartsDirOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--charts",
        help="A folder of charts (<chart>-<version>/ or <chart>-<version>.tgz), searched "
        "before the cache and the network. Repeatable; HOMEGEN_CHARTS adds more.",
        file_okay=False,
    ),
]

NoRenderOpt = Annotated[
    bool, typer.Option("--no-render", help="Only edit services.toml; do not render.")
]
ServiceName = Annotated[
    str, typer.Argument(help="The service name (a DNS label).", autocompletion=service_names)
]

TextJsonOpt = Annotated[
    str, typer.Option("--output", help="text or json.", autocompletion=lambda: ["text", "json"])
]
