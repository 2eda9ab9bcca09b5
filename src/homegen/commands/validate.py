"""``homegen validate [PATH]``: the flags, forwarded to ``homegen.validate.command``.

Registered by cli.py; the validator is imported inside the command (``--help`` stays fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from homegen.commands.options import ChartsOpt, QuietOpt, SchemaLocationOpt
from homegen.commands.outcome import run_command


def validate_command(
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

    run_command(
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
