"""How a command ends: its exit code, or an error turned into stderr lines and an exit code.

The one place every command (cli.py's and those in their own modules) goes through.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

import typer

from homegen import console
from homegen.errors import EXIT_INTERNAL, HomegenError

# set by the global options (`homegen --debug --quiet COMMAND`) and by a command's -q
state = {"debug": False, "quiet": False}


def fail(exc: BaseException) -> NoReturn:
    """The one place that turns an exception into stderr lines and an exit code."""
    if isinstance(exc, HomegenError):
        if state["debug"]:
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
    if state["debug"]:
        traceback.print_exception(exc, file=sys.stderr)
    else:
        console.error_lines(f"homegen: internal error: {type(exc).__name__}: {exc}")
        print("run again with --debug for the traceback", file=sys.stderr)
    raise typer.Exit(EXIT_INTERNAL)


def run_command(call: Callable[[], int]) -> NoReturn:
    """Run a command body and exit with its code; errors go through ``fail``."""
    try:
        code = call()
    except Exception as exc:
        fail(exc)
    raise typer.Exit(code)
