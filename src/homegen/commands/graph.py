"""`homegen graph`: the app-of-apps and its traffic paths as Mermaid or DOT."""

from __future__ import annotations

from pathlib import Path

from homegen import console
from homegen.config.loader import read_config
from homegen.errors import EXIT_OK, UsageError
from homegen.graph import build_graph
from homegen.graph_format import FORMATS
from homegen.plan.build import build_plan


def graph_text(config_path: Path, fmt: str) -> str:
    """The graph of config_path in format fmt (mermaid or dot)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[fmt](build_graph(build_plan(read_config(config_path))))


def run_graph(config_path: Path, *, fmt: str) -> int:
    """Print the graph on stdout; the exit code."""
    console.out(graph_text(config_path, fmt))
    return EXIT_OK
