"""Canonical, injection-proof YAML text: one quoting style, 2-space indent.

Every string is double-quoted with escapes, so a value such as ``on``, ``1.10``, ``~`` or
``a: b\\nc: d`` reads back as exactly that string in YAML 1.1 and 1.2 readers alike.
Templates use ``q`` for scalars and ``block`` for nested data; keys keep insertion order
(the plan sorts user-given tables).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
# Words YAML 1.1 or 1.2 would read as something other than a string.
_RESERVED = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf", "<<", "=",
}  # fmt: skip
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\0": "\\0",
}


def _escape_char(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# Characters outside YAML's printable set, plus the line breaks and BOM a reader may fold.
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]')


def quote(text: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly text."""
    if _NEEDS_ESCAPE.search(text) is None:  # the common case: nothing to escape
        return '"' + text + '"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _escape_char(m.group()), text) + '"'


def scalar(value: Any) -> str:
    """One scalar in canonical form."""
    if type(value) is str:  # most values; the exact-type test skips the chain below
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, datetime.date | datetime.time):
        return quote(value.isoformat())
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


_KEYS: dict[str, str] = {}  # the same few hundred keys recur in every document


def key(name: str) -> str:
    """A mapping key: plain when that is unambiguous, else double-quoted."""
    text = _KEYS.get(name)
    if text is None:
        plain = _PLAIN_KEY.fullmatch(name) and name.lower() not in _RESERVED
        text = name if plain else quote(name)
        if len(_KEYS) < 65536:
            _KEYS[name] = text
    return text


def block(value: Any, indent: int) -> str:
    """Text to follow ``key:``: an inline scalar or empty collection, else nested lines."""
    if _nested(value):
        return "\n" + "\n".join(lines(value, indent))
    return _inline(value)


_SCALAR_TYPES = frozenset({str, int, bool, float, type(None)})


def _nested(value: Any) -> bool:
    """Whether value is written as lines below its key: a non-empty mapping or sequence."""
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:  # exact types first: no ABC check
        return bool(value)
    if kind in _SCALAR_TYPES:
        return False
    return isinstance(value, Mapping | list | tuple) and bool(value)


def _inline(value: Any) -> str:
    """What follows ``key:`` or ``-`` on the same line: a scalar or an empty collection."""
    kind = type(value)
    if kind is str:
        return " " + quote(value)
    if kind in _SCALAR_TYPES:
        return " " + scalar(value)
    if isinstance(value, Mapping):
        return " {}"
    if isinstance(value, list | tuple):
        return " []"
    return " " + scalar(value)


def lines(value: Mapping[str, Any] | Sequence[Any], indent: int) -> list[str]:
    """Block-style lines of a non-empty mapping or sequence at the given indent."""
    out: list[str] = []
    _emit(value, indent, out)
    return out


def _emit(value: Mapping[str, Any] | Sequence[Any], indent: int, out: list[str]) -> None:
    # One list for the whole document, one line per entry: joining nested blocks level by
    # level copied every line once per level of depth. The common cases (a string value, a
    # non-empty dict or list) are tested inline: this runs once per line of the tree.
    pad = " " * indent
    inner = indent + 2
    if type(value) is dict or isinstance(value, Mapping):
        for name, item in value.items():
            head = f"{pad}{_KEYS.get(name) or key(str(name))}:"
            kind = type(item)
            if kind is str:
                out.append(f"{head} {quote(item)}")
            elif ((kind is dict or kind is list) and item) or _nested(item):
                out.append(head)
                _emit(item, inner, out)
            else:
                out.append(head + _inline(item))
        return
    for item in value:
        kind = type(item)
        if kind is str:
            out.append(f"{pad}- {quote(item)}")
        elif ((kind is dict or kind is list) and item) or _nested(item):
            first = len(out)
            _emit(item, inner, out)
            out[first] = f"{pad}- {out[first][inner:]}"  # "- " takes the item's indent
        else:
            out.append(f"{pad}-{_inline(item)}")


def document(value: Mapping[str, Any]) -> str:
    """A whole document (no header), ending with a newline."""
    return "\n".join(lines(value, 0)) + "\n" if value else "{}\n"


def sort_keys(value: Any) -> Any:
    """A copy with every mapping's keys sorted, for user-given tables."""
    if isinstance(value, Mapping):
        return {k: sort_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [sort_keys(v) for v in value]
    return value
