"""Text that came from a tree, made safe to print: the diff's names for the shared escaper
(``homegen.escape``): control characters shown as ``\\x1b``, no line a workflow command."""

from __future__ import annotations

from homegen.escape import no_command, visible


def escape(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b`` (newlines and tabs kept) and no
    line that starts a GitHub workflow command."""
    shown = visible(text, keep_newlines=True).replace("\\t", "\t")
    return "\n".join(no_command(line) for line in shown.split("\n"))


def escape_line(text: str) -> str:
    """One line: the same, newlines and tabs shown as ``\\n`` and ``\\t`` too."""
    return escape(text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t"))
