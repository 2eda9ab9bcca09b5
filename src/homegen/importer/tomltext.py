"""services.toml text from plain data, with comments: the importer's only TOML writer.

tomlkit renders every scalar (quoting, escapes, floats); the layout is decided here, because
the file is meant for people: config sections as short inline tables, Helm values and
objects as dotted keys (``speaker.frr.enabled = false``) with the comments of the values
files above them, long lists of tables as ``[[...]]`` sections. ``toml_text`` re-reads what
it wrote with tomllib and refuses text that does not mean exactly the data it was given.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

import tomlkit

Path = tuple[str | int, ...]
Comments = Mapping[Path, list[str]]

INLINE_WIDTH = 96
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
# tables whose nested tables are written as dotted keys rather than inline tables
FLAT_KEYS = frozenset({"values", "objects", "elements", "parameters"})


class TomlWriteError(Exception):
    """The data cannot be written as TOML that reads back the same (a bug or a None)."""


def key_text(key: str | int) -> str:
    """A TOML key: bare when it can be, else a basic string."""
    text = str(key)
    return text if _BARE.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def inline(value: Any) -> str:
    """A value on one line: scalars through tomlkit, tables and arrays inline."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{key_text(k)} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if value is None:
        raise TomlWriteError("None has no TOML form")
    return str(tomlkit.item(value).as_string())


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _comment_lines(comments: Comments, path: Path) -> list[str]:
    return [f"# {c}".rstrip() for c in comments.get(path, [])]


def _header(path: Path) -> str:
    return ".".join(key_text(p) for p in path if not isinstance(p, int))


def _has_comments(comments: Comments, path: Path) -> bool:
    size = len(path)
    return any(len(p) > size and p[:size] == path for p in comments)


def _flat_entries(
    data: Mapping[str, Any], base: Path, rel: tuple[str, ...], comments: Comments
) -> Iterator[tuple[list[str], str | None, tuple[Path, list[dict[str, Any]]] | None]]:
    """(comment lines, 'dotted.key = value' or None, deferred table list or None)."""
    for key, value in data.items():
        path = (*base, *rel, key)
        notes = _comment_lines(comments, path)
        if isinstance(value, dict) and value:
            if notes:
                yield notes, None, None
            yield from _flat_entries(value, base, (*rel, key), comments)
            continue
        dotted = ".".join(key_text(k) for k in (*rel, key))
        if _is_table_list(value):
            text = inline(value)
            if len(text) + len(dotted) + 3 > INLINE_WIDTH or _has_comments(comments, path):
                yield notes, None, (path, value)
                continue
        yield notes, f"{dotted} = {inline(value)}", None


def _section(
    path: Path, data: Mapping[str, Any], comments: Comments, *, array: bool, flat: bool
) -> list[str]:
    """A [path] (or [[path]]) section and the sections nested under it."""
    name = _header(path)
    out = [*_comment_lines(comments, path), f"[[{name}]]" if array else f"[{name}]"]
    later: list[tuple[Path, Any, bool]] = []  # (path, value, is a table list)
    if flat:
        for notes, line, deferred in _flat_entries(data, path, (), comments):
            out += notes
            if line is not None:
                out.append(line)
            if deferred is not None:
                later.append((deferred[0], deferred[1], True))
    else:
        for key, value in data.items():
            sub = (*path, key)
            text = inline(value) if not isinstance(value, dict) or value else "{}"
            nested = isinstance(value, dict) and value and key in FLAT_KEYS
            too_long = len(text) + len(key_text(key)) + 3 > INLINE_WIDTH
            if _is_table_list(value) and (too_long or key in FLAT_KEYS):
                later.append((sub, value, True))
            elif isinstance(value, dict) and value and (nested or too_long):
                later.append((sub, value, False))
            else:
                out += _comment_lines(comments, sub)
                out.append(f"{key_text(key)} = {text}")
    for sub, value, is_list in later:
        child_flat = flat or sub[-1] in FLAT_KEYS
        if is_list:
            for i, item in enumerate(value):
                out += ["", *_section((*sub, i), item, comments, array=True, flat=child_flat)]
        else:
            out += ["", *_section(sub, value, comments, array=False, flat=child_flat)]
    return out


def toml_text(data: Mapping[str, Mapping[str, Any]], comments: Comments, head: list[str]) -> str:
    """services.toml for ``data``: one section per top-level table (``apps`` and ``services``
    one per entry), ``head`` as the file's first comment lines."""
    out = [*head]
    for top, table in data.items():
        if top in ("apps", "services"):
            for name, spec in table.items():
                out += ["", *_section((top, name), spec, comments, array=False, flat=False)]
        else:
            out += ["", *_section((top,), table, comments, array=False, flat=False)]
    text = "\n".join(out).strip("\n") + "\n"
    try:
        back = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlWriteError(f"the written TOML does not parse: {exc}") from exc
    if back != _plain(data):
        raise TomlWriteError("the written TOML does not read back as the imported data")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
