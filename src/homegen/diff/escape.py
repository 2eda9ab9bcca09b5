"""Text that came from a tree, made safe to print (a local stand-in for the shared escaper).

A tree is a stranger's input: a name or value may hold terminal escape sequences, or a line
that GitHub Actions would read as a workflow command (``::set-output``, ``::add-mask``).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_COMMAND = re.compile(r"^([ \t]*):(?=:)", re.M)


def _hex(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b`` (newlines and tabs kept) and no
    line that starts with ``::``."""
    shown = _CONTROL.sub(_hex, text)
    # the runner reads a workflow command after leading blanks too: the first colon goes
    return _COMMAND.sub(r"\1\\x3a:", shown) if "::" in shown else shown


def escape_line(text: str) -> str:
    """One line: the same, newlines and tabs shown as ``\\n`` and ``\\t`` too."""
    return escape(text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t"))
