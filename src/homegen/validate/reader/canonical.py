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
_MAX_INDENT = 200  # 100 levels (yaml_loader.MAX_DEPTH) at 2-space steps
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


def forget_scalars() -> None:
    """Empty the cache of scalars, once a whole tree is read: a large tree's unique values
    fill it (13 MiB of keys at 10,000 services) and the checks that follow need the room."""
    _SCALARS.clear()


class NotCanonical(Exception):
    """The text is not in homegen's canonical style: read it with a full YAML parser."""


def read_documents(text: str) -> list[tuple[int, Any]]:
    """(1-based start line, content) of every document of a canonical YAML text.

    One loop with the common cases inlined (a plain key seen before, a scalar seen before):
    it runs once per line of a whole tree, a quarter of a million lines at 1,000 services.
    """
    if _FOREIGN.search(text):
        raise NotCanonical
    docs: list[tuple[int, Any]] = []
    root: Any = None
    start = 0
    indents: list[int] = []  # the open containers' indents, innermost last
    opened: list[Any] = []  # ... and the containers
    pending: tuple[dict[str, Any], str, int] | None = None  # "key:" awaiting its block
    plain_keys, scalars = _PLAIN_KEYS, _SCALARS
    number = 0
    for raw in text.split("\n"):
        number += 1
        content = raw.lstrip(" ")
        if not content or content[0] == "#":
            if content and len(content) != len(raw):
                raise NotCanonical  # an indented comment
            continue
        if raw == "---":
            _finish(docs, root, start, pending)
            root, pending, indents, opened = None, None, [], []
            continue
        indent = len(raw) - len(content)
        if root is None:
            if indent:
                raise NotCanonical
            root = [] if content[:2] == "- " else {}
            start = number
            indents.append(0)
            opened.append(root)
        elif pending is not None:
            parent, name, expected = pending
            if indent != expected or indent > _MAX_INDENT:
                raise NotCanonical  # very deep nesting: the full parser reports it
            block: Any = [] if content[:2] == "- " else {}
            parent[name] = block
            indents.append(indent)
            opened.append(block)
            pending = None
        else:
            while indents[-1] > indent:
                indents.pop()
                opened.pop()
            if indents[-1] != indent:
                raise NotCanonical
        container = opened[-1]
        parsed = None
        while content[:2] == "- ":  # sequence items, nested ones included ("- - x")
            if type(container) is not list:
                raise NotCanonical
            content = content[2:]
            if content[:2] == "- ":
                nested: Any = []
            else:
                parsed = _key(content)
                if parsed is None:
                    container.append(scalar(content))
                    break
                nested = {}
            container.append(nested)
            indent += 2
            indents.append(indent)
            opened.append(nested)
            container = nested
        else:
            if type(container) is not dict:
                raise NotCanonical
            if parsed is None:
                if content[-1] == ":":
                    name, value = content[:-1], None
                else:
                    name, _, value = content.partition(": ")
                shared = plain_keys.get(name)
                parsed = (shared, value) if shared else _key(content)
            if parsed is None or parsed[0] in container:
                raise NotCanonical  # not a key line, or a duplicate: the full parser says which
            name, value = parsed
            if value is None:
                container[name] = None
                pending = (container, name, indent + 2)
            else:
                known = scalars.get(value, _MISSING)  # never "{}" or "[]": those are fresh
                container[name] = scalar(value) if known is _MISSING else known
    _finish(docs, root, start, pending)
    return docs


def _finish(
    docs: list[tuple[int, Any]], root: Any, start: int, pending: tuple[Any, ...] | None
) -> None:
    """End one document; an empty one between others is not canonical (PyYAML counts it)."""
    if pending is not None:
        raise NotCanonical
    if root is None:
        if docs:
            raise NotCanonical
        return
    docs.append((start, root))


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
