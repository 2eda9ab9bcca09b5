"""Tree data made inert where it meets a terminal, a log, XML or a GitHub workflow command.

A pull request writes the trees homegen reads, and homegen's output lands in terminals and CI
logs. A name holding ``ESC [2J`` would clear a terminal, an OSC 8 sequence would plant a link,
and a value holding ``\\n::error file=x::`` would start a GitHub workflow command of its own.
Each output format escapes through this module once (kubeconform's output package is the
model): control characters become visible escapes (``\\x1b``, ``\\n``) and no line may begin a
workflow command. A leaf: imports nothing of homegen.
"""

from __future__ import annotations

import re

# C0, DEL, C1; lone surrogates (undecodable file names, which would crash an encoder); the
# line and paragraph separators some log viewers break on; bidirectional overrides and
# isolates, which reorder what a reader sees ("Trojan Source").
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_KEEP_NEWLINE = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# The runner reads a line as a command when, leading whitespace trimmed, it starts with
# "::" (workflow commands) or "##[" (the older form it still accepts).
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)")
# XML 1.0 forbids these even as character references; ElementTree would write them raw.
# What json.dumps(ensure_ascii=False) leaves raw: C0 it always escapes, and C0 outside
# strings is the JSON's own whitespace.
_JSON_RAW = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", ""))
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``)."""
    pattern = _UNSAFE_KEEP_NEWLINE if keep_newlines else _UNSAFE
    return pattern.sub(_shown, text)


def no_command(line: str) -> str:
    """``line``, its first character escaped if it would start a GitHub workflow command."""
    match = _COMMAND_START.match(line)
    if match is None:
        return line
    lead, start = match.groups()
    return f"{lead}\\x{ord(start[0]):02x}{line[len(lead) + 1 :]}"


def terminal_line(text: str) -> str:
    """One line for a terminal or a log: control characters (newlines too) shown, no command."""
    return no_command(visible(text))


def terminal_text(text: str) -> str:
    """Lines for a terminal or a log: newlines kept, every other control character shown,
    no line a workflow command."""
    return "\n".join(no_command(line) for line in visible(text, keep_newlines=True).split("\n"))


def json_text(text: str) -> str:
    """JSON text with the characters ``json.dumps(ensure_ascii=False)`` leaves raw (DEL, C1,
    separators, bidi controls) written as ``\\uXXXX``; they occur only inside strings."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_text(text: str) -> str:
    """One line for an XML attribute or element: every control character shown (XML 1.0
    forbids most of them, and a report viewer would pass the rest to a terminal)."""
    return _XML_FORBIDDEN.sub(_shown, visible(text))
