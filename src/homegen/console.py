"""Terminal conventions: data goes to stdout, human text to stderr; --quiet and --color.

The CLI's root callback calls :func:`configure` once; commands print through :func:`note`
(progress, silenced by ``--quiet``), :func:`warn` (always shown) and :func:`style`.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TextIO


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


def style(text: str, *names: str, stream: TextIO | None = None) -> str:
    """text wrapped in ANSI codes (names from red, green, yellow, blue, cyan, bold) if enabled."""
    codes = ";".join(_CODES[name] for name in names)
    if not codes or not color_enabled(stream):
        return text
    return f"\x1b[{codes}m{text}\x1b[0m"


def note(message: str) -> None:
    """A progress line on stderr, unless --quiet."""
    if not _Settings.quiet:
        print(message, file=sys.stderr)


def warn(message: str) -> None:
    """A line on stderr the user must see even with --quiet (drift, kept files)."""
    print(message, file=sys.stderr)
