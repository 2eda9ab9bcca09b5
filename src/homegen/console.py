"""Terminal conventions: data goes to stdout, human text to stderr; --quiet and --color.

The CLI's root callback calls :func:`configure` once; commands print through :func:`note`
(progress, silenced by ``--quiet``), :func:`warn` (always shown), :func:`out` (text on
stdout), :func:`out_json` and :func:`style`. Each of these doors escapes what passes through
it (see :mod:`homegen.escape`): a line may carry a name or value from an untrusted tree.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import TextIO

from homegen.escape import json_text, terminal_line, terminal_text


class ColorChoice(StrEnum):
    """Values of the global --color flag."""

    auto = "auto"
    always = "always"
    never = "never"


_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36", "bold": "1"}


class _Settings:
    quiet = False
    color = ColorChoice.auto


def configure(*, quiet: bool = False, color: str = "auto") -> None:
    """Set the process-wide output options (the CLI does this from its global flags)."""
    _Settings.quiet = quiet
    _Settings.color = ColorChoice(color)


def set_quiet() -> None:
    """Silence progress lines (`-q` given after the command name)."""
    _Settings.quiet = True


def quiet() -> bool:
    """Whether progress lines are silenced."""
    return _Settings.quiet


def color_enabled(stream: TextIO | None = None) -> bool:
    """Whether to colour text written to stream (stderr by default).

    ``--color always``/``never`` win; ``auto`` colours a terminal unless NO_COLOR is set to
    a non-empty value (https://no-color.org) or TERM is ``dumb``.
    """
    if _Settings.color is not ColorChoice.auto:
        return _Settings.color is ColorChoice.always
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    target = sys.stderr if stream is None else stream
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


class Styled(str):
    """One line already escaped and wrapped in homegen's own colour codes: printed as is."""


def style(text: str, *names: str, stream: TextIO | None = None) -> str:
    """text, escaped as one line, wrapped in ANSI codes (names from red, green, yellow, blue,
    cyan, bold) if enabled."""
    codes = ";".join(_CODES[name] for name in names)
    shown = terminal_line(text)
    if not codes or not color_enabled(stream):
        return Styled(shown)
    return Styled(f"\x1b[{codes}m{shown}\x1b[0m")


def _line(message: str) -> str:
    return message if isinstance(message, Styled) else terminal_line(message)


def note(message: str) -> None:
    """A progress line on stderr, unless --quiet (one line: a newline in it is shown)."""
    if not _Settings.quiet:
        print(_line(message), file=sys.stderr)


def notes(messages: Iterable[str]) -> None:
    """Progress lines on stderr in one write, unless --quiet: a render's thousands of
    ``create`` lines one print each cost a write each."""
    if not _Settings.quiet:
        sys.stderr.write("".join(_line(message) + "\n" for message in messages))
        sys.stderr.flush()


def warn(message: str) -> None:
    """A line on stderr the user must see even with --quiet (drift, kept files)."""
    print(_line(message), file=sys.stderr)


def error_lines(text: str) -> None:
    """An error message on stderr: its own lines kept, control characters shown."""
    print(terminal_text(text), file=sys.stderr)


def out(text: str) -> None:
    """Text for people on stdout (tables, text reports, diffs), escaped line by line."""
    sys.stdout.write(terminal_text(text))


def out_json(text: str) -> None:
    """JSON on stdout, with no raw control, separator or bidi character left in a string."""
    sys.stdout.write(json_text(text))
