"""A fast reader for homegen's own canonical YAML, with PyYAML as the judge of anything else.

Reading a rendered tree back costs more than rendering it when PyYAML builds every node in
Python. homegen's output uses one narrow style (``homegen.render.yamltext``): block mappings
and sequences at 2-space steps, every string double-quoted, plain scalars only for numbers,
booleans, null and empty collections. This module reads exactly that style and raises
``NotCanonical`` on anything else, so the caller falls back to the full YAML parser: a file
is never read differently from PyYAML, only faster (tests compare the two on every output).
"""

from __future__ import annotations

import re
from typing import Any

_KEY_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]*(?:e[-+][0-9]+)?")
# Characters the canonical writer always escapes; raw in the text means it was not ours.
_FOREIGN = re.compile("[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
_SIMPLE = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0", "/": "/"}
_WORDS: dict[str, Any] = {
    "true": True,
    "false": False,
    "null": None,
    ".nan": float("nan"),
    ".inf": float("inf"),
    "-.inf": float("-inf"),
}


# Keys and short scalars recur in every document of a tree: remember what they read as, and
# share one object for each (half the memory of a large parsed tree). "" marks a non-key.
_PLAIN_KEYS: dict[str, str] = {}
_SCALARS: dict[str, Any] = {}
_MISSING = object()


class NotCanonical(Exception):
    """The text is not in homegen's canonical style: read it with a full YAML parser."""


def read_documents(text: str) -> list[tuple[int, Any]]:
    """(1-based start line, content) of every document of a canonical YAML text."""
    if _FOREIGN.search(text):
        raise NotCanonical
    docs: list[tuple[int, Any]] = []
    state = _Document()
    for number, raw in enumerate(text.split("\n"), start=1):
        content = raw.lstrip(" ")
        if not content or content[0] == "#":
            if content and len(content) != len(raw):
                raise NotCanonical  # an indented comment
            continue
        if raw == "---":
            state.finish(docs)
            state = _Document()
            continue
        state.line(len(raw) - len(content), content, number)
    state.finish(docs)
    return docs


class _Document:
    """One document being read line by line: a stack of open containers by indent."""

    def __init__(self) -> None:
        self.root: Any = None
        self.start = 0
        self.stack: list[tuple[int, Any]] = []
        self.pending: tuple[dict[str, Any], str, int] | None = None  # "key:" awaiting a block

    def line(self, indent: int, content: str, number: int) -> None:
        if self.root is None:
            if indent:
                raise NotCanonical
            self.root = [] if content.startswith("- ") else {}
            self.start = number
            self.stack.append((0, self.root))
        elif self.pending is not None:
            parent, key, expected = self.pending
            if indent != expected:
                raise NotCanonical
            parent[key] = [] if content.startswith("- ") else {}
            self.stack.append((indent, parent[key]))
            self.pending = None
        else:
            stack = self.stack
            while stack and stack[-1][0] > indent:
                stack.pop()
            if not stack or stack[-1][0] != indent:
                raise NotCanonical
        self._items(indent, content)

    def _items(self, indent: int, content: str) -> None:
        container = self.stack[-1][1]
        while content.startswith("- "):
            if type(container) is not list:
                raise NotCanonical
            rest = content[2:]
            if rest.startswith("- "):
                nested: Any = []
            elif _key(rest) is not None:
                nested = {}
            else:
                container.append(scalar(rest))
                return
            container.append(nested)
            indent += 2
            self.stack.append((indent, nested))
            container, content = nested, rest
        if type(container) is not dict:
            raise NotCanonical
        parsed = _key(content)
        if parsed is None or parsed[0] in container:
            raise NotCanonical  # not a key line, or a duplicate: the full parser reports it
        key, value = parsed
        if value is None:
            container[key] = None
            self.pending = (container, key, indent + 2)
        else:
            container[key] = scalar(value)

    def finish(self, docs: list[tuple[int, Any]]) -> None:
        if self.pending is not None:
            raise NotCanonical
        if self.root is None:
            if docs:  # an empty document between or after others: PyYAML counts it
                raise NotCanonical
            return
        docs.append((self.start, self.root))


def _key(content: str) -> tuple[str, str | None] | None:
    """(key, rest after ': ' or None for a nested block), or None if not a key line."""
    if content.startswith('"'):
        return _quoted_key(content)
    if content.endswith(":"):
        key, rest = content[:-1], None
    else:
        key, sep, rest = content.partition(": ")
        if not sep:
            return None
    shared = _PLAIN_KEYS.get(key)
    if shared is None:
        shared = key if _KEY_PLAIN.fullmatch(key) else ""
        if shared and key.lower() in _RESERVED:
            raise NotCanonical
        if len(_PLAIN_KEYS) < 100_000:
            _PLAIN_KEYS[key] = shared
    return (shared, rest) if shared else None


def _quoted_key(content: str) -> tuple[str, str | None] | None:
    match = _QUOTED.match(content)
    if match is None:
        return None
    end = match.end()
    if content[end : end + 1] != ":":
        return None
    tail = content[end + 1 :]
    if tail and not tail.startswith(" "):
        raise NotCanonical
    return _unescape(match.group(1)), (tail[1:] if tail else None)


def scalar(text: str) -> Any:
    """One canonical scalar; NotCanonical for any other form."""
    if text == "{}":
        return {}
    if text == "[]":
        return []
    cached = _SCALARS.get(text, _MISSING)
    if cached is not _MISSING:
        return cached
    value = _scalar(text)
    if len(text) <= 64 and len(_SCALARS) < 200_000:
        _SCALARS[text] = value
    return value


def _scalar(text: str) -> Any:
    if text.startswith('"'):
        match = _QUOTED.fullmatch(text)
        if match is None:
            raise NotCanonical
        return _unescape(match.group(1))
    if text in _WORDS:
        return _WORDS[text]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    raise NotCanonical


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    return _ESCAPE.sub(_escaped, body)


def _escaped(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _SIMPLE:
        return _SIMPLE[code]
    if code[0] in "xuU" and len(code) > 1:
        return chr(int(code[1:], 16))
    raise NotCanonical
