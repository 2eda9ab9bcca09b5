"""Edit services.toml as text: add or remove one ``[services.NAME]`` table.

Pure functions over the file's text.  tomlkit renders the new values (quoting, escapes), but
the table is spliced in by lines rather than through tomlkit's document model: tomlkit
attaches the comments above a header to the *previous* table, so removing a table with it
would drop the next table's comments and keep the removed one's.  Splicing by lines keeps
every other byte as it was, so a diff shows only the table, and adding then removing a
service gives back the original file byte for byte.

Each edit is checked before it is returned: ``tomllib`` re-reads the new text and it must
mean exactly the old data plus (or minus) the one service table.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tomlkit

from homegen.config.positions import KeyPath, key_positions
from homegen.errors import ConfigError, ConfigProblem, UsageError


class EditError(UsageError):
    """services.toml cannot be edited safely as asked; nothing was changed."""


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` with ``new``; lines are counted to map messages back."""

    start: int
    end: int
    new: str

    def apply(self, text: str) -> str:
        """The edited text."""
        return text[: self.start] + self.new + text[self.end :]

    def old_line(self, text: str, new_line: int) -> int | None:
        """The line of the original text that line ``new_line`` (1-based) of the edit shows.

        None for a line the edit wrote.
        """
        edited = self.apply(text)
        starts = [0] + [m.end() for m in re.finditer("\n", edited)]
        if not 1 <= new_line <= len(starts):
            return None
        offset = starts[new_line - 1]
        if offset >= self.start + len(self.new):
            offset += (self.end - self.start) - len(self.new)
        elif offset >= self.start:
            return None
        return text.count("\n", 0, offset) + 1


class _Lines:
    """The text split at ``\\n`` only (never at other Unicode line breaks)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __len__(self) -> int:
        return len(self.starts)

    def content(self, i: int) -> str:
        """Line i without its line break."""
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[i] : end].removesuffix("\r")

    def end(self, i: int) -> int:
        """Offset just past line i's content, before its line break."""
        return self.starts[i] + len(self.content(i))

    def blank(self, i: int) -> bool:
        """Whether line i holds only blanks."""
        return not self.content(i).strip()

    def comment(self, i: int) -> bool:
        """Whether line i is a whole-line comment (``#:`` editor directives excluded)."""
        stripped = self.content(i).lstrip()
        return stripped.startswith("#") and not stripped.startswith("#:")


@dataclass(frozen=True)
class _Header:
    line: int  # 0-based
    path: tuple[str, ...]  # the table's key path, array-of-tables indices dropped


def _headers(lines: _Lines) -> list[_Header]:
    """Every ``[table]`` and ``[[array]]`` header, in file order (positions from the scanner)."""
    found = key_positions(lines.text)
    best: dict[int, KeyPath] = {}
    for path, (line, col) in found.items():
        if not _bracket_at(lines, line, col):
            continue
        if isinstance(path[-1], int):
            # An element of an array of tables; a nested array value at a line start is not.
            parent = found.get(path[:-1])
            if parent is None or not lines.content(parent[0] - 1)[parent[1] - 1 :].startswith("[["):
                continue
        if len(path) > len(best.get(line, ())):
            best[line] = path
    return [
        _Header(line - 1, tuple(p for p in path if isinstance(p, str)))
        for line, path in sorted(best.items())
    ]


def _bracket_at(lines: _Lines, line: int, col: int) -> bool:
    text = lines.content(line - 1)
    return text[col - 1 :].startswith("[") and not text[: col - 1].strip()


def _content_end(lines: _Lines, first: int, stop: int) -> int:
    """Last line of the section [first, stop) that belongs to it.

    Trailing blank lines and the comment block right above the next header (``stop``)
    belong to what follows.
    """
    i = stop - 1
    if stop < len(lines):
        while i > first and lines.comment(i):
            i -= 1
    while i > first and lines.blank(i):
        i -= 1
    return i


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _key(part: str) -> str:
    return str(tomlkit.key(part).as_string())


def _value(value: Any) -> str:
    """A value as TOML text; tables become one-line inline tables ``{ k = v }``."""
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        body = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        return f"{{ {body} }}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(tomlkit.item(value).as_string())


def table_text(name: str, spec: Mapping[str, Any], newline: str = "\n") -> str:
    """``[services.NAME]`` and its keys as TOML lines (no final line break)."""
    lines = [f"[services.{_key(name)}]"]
    lines += [f"{_key(key)} = {_value(value)}" for key, value in spec.items()]
    return newline.join(lines)


def _parse(text: str, filename: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from homegen.config.positions import syntax_error_position

        line, col, message = syntax_error_position(exc, text)
        raise ConfigError(
            [ConfigProblem(filename, line, col, "", f"invalid TOML: {message}")]
        ) from None


def _services(data: dict[str, Any]) -> dict[str, Any]:
    services = data.get("services", {})
    return services if isinstance(services, dict) else {}


def plan_add(
    text: str, name: str, spec: Mapping[str, Any], filename: str = "services.toml"
) -> Splice:
    """Where and what to insert so that text gains ``[services.NAME]`` with spec."""
    data = _parse(text, filename)
    _refuse_duplicate(text, data, name, filename)
    lines = _Lines(text)
    headers = _headers(lines)
    last = max((i for i, h in enumerate(headers) if h.path[:1] == ("services",)), default=None)
    if last is None:
        after = _content_end(lines, 0, len(lines))
    else:
        stop = headers[last + 1].line if last + 1 < len(headers) else len(lines)
        after = _content_end(lines, headers[last].line, stop)
    nl = _newline(text)
    table = table_text(name, spec, nl)
    if after == 0 and lines.blank(0):
        splice = Splice(0, 0, table + nl)
    else:
        splice = Splice(lines.end(after), lines.end(after), nl + nl + table)
    expected = copy.deepcopy(data)
    expected.setdefault("services", {})[name] = copy.deepcopy(dict(spec))
    _confirm(splice.apply(text), expected, f"add [services.{name}]")
    return splice


def _refuse_duplicate(text: str, data: dict[str, Any], name: str, filename: str) -> None:
    for table, what in (("services", "a service"), ("apps", "an app")):
        existing = data.get(table)
        if isinstance(existing, dict) and name in existing:
            from homegen.config.positions import locate

            line, col = locate(key_positions(text), (table, name))
            message = f"{what} named {name!r} already exists; choose another name"
            raise ConfigError([ConfigProblem(filename, line, col, f"{table}.{name}", message)])


def plan_remove(text: str, name: str, filename: str = "services.toml") -> Splice:
    """What to cut so that text loses ``[services.NAME]``, its sub-tables and its comments."""
    data = _parse(text, filename)
    services = _services(data)
    if name not in services:
        known = ", ".join(sorted(services)) or "none"
        raise UsageError(f"{filename}: no service named {name!r}; services: {known}")
    lines = _Lines(text)
    headers = _headers(lines)
    mine = [i for i, h in enumerate(headers) if h.path[:2] == ("services", name)]
    if not mine or len(mine) != mine[-1] - mine[0] + 1:
        raise EditError(
            f"{filename}: services.{name} is not written as one [services.{name}] table "
            "(with its sub-tables right after it); remove it by hand"
        )
    first = headers[mine[0]].line
    stop = headers[mine[-1] + 1].line if mine[-1] + 1 < len(headers) else len(lines)
    last = _content_end(lines, first, stop)
    while first > 0 and lines.comment(first - 1):
        first -= 1
    before = first - 1
    while before >= 0 and lines.blank(before):
        before -= 1
    if before < 0:
        end = lines.starts[last + 1] if last + 1 < len(lines) else len(text)
        splice = Splice(0, end, "")
    else:
        splice = Splice(lines.end(before), lines.end(last), "")
    expected = copy.deepcopy(data)
    del expected["services"][name]
    _confirm(splice.apply(text), expected, f"remove [services.{name}]")
    return splice


def _confirm(new_text: str, expected: dict[str, Any], what: str) -> None:
    """Refuse an edit whose text does not mean exactly the intended data."""
    try:
        got = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise EditError(
            f"cannot {what} without breaking services.toml ({exc}); nothing was written "
            "— edit it by hand"
        ) from None
    if _without_empty_services(got) != _without_empty_services(expected):
        raise EditError(
            f"cannot {what} without changing the meaning of the rest of services.toml "
            "(its layout is unusual here); nothing was written — edit it by hand"
        )


def _without_empty_services(data: dict[str, Any]) -> dict[str, Any]:
    # Removing the last [services.x] table also removes the implicit [services] table.
    if data.get("services") == {}:
        return {k: v for k, v in data.items() if k != "services"}
    return data


def add_service(text: str, name: str, spec: Mapping[str, Any]) -> str:
    """text with a new ``[services.NAME]`` table holding spec, appended to the services."""
    return plan_add(text, name, spec).apply(text)


def remove_service(text: str, name: str) -> str:
    """text without ``[services.NAME]``, its sub-tables and the comments right above it."""
    return plan_remove(text, name).apply(text)
