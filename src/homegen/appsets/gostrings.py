"""Go's own string functions where Python's differ: ``strconv.Quote``, ``strings.Title``,
``fmt.Sprint``, ``path.Base``, ``encoding/json`` (sorted keys, HTML escaped, float64
numbers). sprig and ArgoCD's functions are built on these."""

from __future__ import annotations

import json
import posixpath
import unicodedata
from typing import Any

from homegen.appsets.govalues import to_text

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\", '"': '\\"'}  # fmt: skip


def go_quote(text: str) -> str:
    """strconv.Quote: printable characters as they are, others escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable() or char == " ":
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def go_title(text: str) -> str:
    """strings.Title: the first letter of each word upper-cased, nothing lowered."""
    out = []
    previous = " "
    for char in text:
        separator = not (previous.isalnum() or previous == "_") and not _is_mark(previous)
        out.append(char.upper() if separator else char)
        previous = char
    return "".join(out)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def go_sprint(*values: Any) -> str:
    """fmt.Sprint: a space between two operands when neither is a string."""
    out = []
    for index, value in enumerate(values):
        if index and not isinstance(value, str) and not isinstance(values[index - 1], str):
            out.append(" ")
        out.append(to_text(value))
    return "".join(out)


def go_base(path: str) -> str:
    """path.Base: the last element, trailing slashes removed; "." for "", "/" for "/"."""
    if not path:
        return "."
    stripped = path.rstrip("/")
    return posixpath.basename(stripped) if stripped else "/"


def _plain(value: Any) -> Any:
    """A value as encoding/json sees it: float64 numbers that are whole print without a dot."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | range | tuple):
        return [_plain(v) for v in value]
    return value


def go_json(value: Any) -> str:
    """json.Marshal: compact, map keys sorted, ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(_plain(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False,
                      default=to_text)  # fmt: skip
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def go_plain(value: Any) -> Any:
    """What ``toYaml`` marshals (through JSON): whole floats as ints."""
    return _plain(value)
