"""`homegen list`: the apps and services of services.toml as a table or JSON."""

from __future__ import annotations

from pathlib import Path

from homegen import console
from homegen.config.loader import read_config
from homegen.errors import EXIT_OK, UsageError
from homegen.overview import app_rows, rows_json, rows_table
from homegen.plan.build import build_plan

OUTPUTS = ("text", "json")


def run_list(config_path: Path, *, output: str) -> int:
    """Print one row per Application on stdout; the exit code."""
    if output not in OUTPUTS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(OUTPUTS)}")
    config = read_config(config_path)
    rows = app_rows(config, build_plan(config))
    if output == "json":
        console.out_json(rows_json(rows))
    else:
        console.out(rows_table(rows))
    return EXIT_OK
