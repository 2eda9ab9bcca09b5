"""Where each key of a TOML document is defined.

``tomllib`` is fast but reports no positions.  Only when validation finds
errors does homegen need ``line:col`` locations, so this module offers a
small stdlib-only scanner that maps every key path of a document (as
``tomllib.loads`` would nest it) to the 1-based line and column where it is
defined.  It understands table headers, arrays of tables, dotted and quoted
keys, inline tables, arrays and all four string kinds, and never raises: on
malformed text it returns whatever it found before the problem.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib

KeyPath = tuple[str | int, ...]
Position = tuple[int, int]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n\r")
_MAX_DEPTH = 200
_BASIC_STOPS = re.compile(r'["\\\n]')
_LITERAL_STOPS = re.compile(r"['\n]")
_BASIC_ML_STOPS = re.compile(r'["\\]')
_LITERAL_ML_STOPS = re.compile(r"'")
_AT_RE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


class _Stop(Exception):
    """Raised internally when the text stops making sense; ends the scan."""


class _Scanner:
    """A single pass over the document recording key positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.found: dict[KeyPath, Position] = {}
        self.implicit: set[KeyPath] = set()
        self.aot_counts: dict[KeyPath, int] = {}

    # -- low-level helpers -------------------------------------------------

    def peek(self, ahead: int = 0) -> str:
        """The character ``ahead`` places after the cursor, or ``''`` past the end."""
        i = self.pos + ahead
        return self.text[i] if i < len(self.text) else ""

    def position(self, offset: int) -> Position:
        """1-based (line, column) of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def record(self, path: KeyPath, offset: int, *, implicit: bool = False) -> None:
        """Remember ``path`` at ``offset``; the first explicit definition wins."""
        if path in self.found and (implicit or path not in self.implicit):
            return
        self.found[path] = self.position(offset)
        if implicit:
            self.implicit.add(path)
        else:
            self.implicit.discard(path)

    def skip_ws(self, *, newlines: bool = False) -> None:
        """Skip blanks, and with ``newlines`` also line breaks and comments."""
        text, n = self.text, len(self.text)
        while self.pos < n:
            c = text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.pos += 1
            elif newlines and c == "#":
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            else:
                return

    def expect(self, char: str) -> None:
        """Consume ``char`` or stop the scan."""
        if self.peek() != char:
            raise _Stop
        self.pos += 1

    def end_of_line(self) -> None:
        """Consume trailing blanks and a comment; the line must end there."""
        self.skip_ws()
        if self.peek() == "#":
            end = self.text.find("\n", self.pos)
            self.pos = len(self.text) if end < 0 else end
        if self.peek() not in ("", "\n", "\r"):
            raise _Stop

    # -- strings and keys --------------------------------------------------

    def string(self) -> str:
        """Consume any TOML string at the cursor and return its raw body."""
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            return self.multiline_string(quote)
        start = self.pos = self.pos + 1
        stops = _BASIC_STOPS if quote == '"' else _LITERAL_STOPS
        while True:  # jump between interesting characters: a 10 MB string costs no loop
            found = stops.search(self.text, self.pos)
            if found is None or found.group() == "\n":
                raise _Stop
            self.pos = found.end()
            if found.group() == quote:
                return self.text[start : self.pos - 1]
            self.pos += 1  # the character after a backslash is escaped

    def multiline_string(self, quote: str) -> str:
        """Consume a triple-quoted string (closing may follow two quotes)."""
        start = self.pos = self.pos + 3
        delim = quote * 3
        stops = _BASIC_ML_STOPS if quote == '"' else _LITERAL_ML_STOPS
        while True:
            found = stops.search(self.text, self.pos)
            if found is None:
                raise _Stop
            self.pos = found.start()
            if found.group() == "\\":
                self.pos += 2
            elif self.text.startswith(delim, self.pos):
                extra = 0
                while extra < 2 and self.peek(3 + extra) == quote:
                    extra += 1
                self.pos += 3 + extra
                return self.text[start : self.pos - 3]
            else:
                self.pos += 1

    def key_part(self) -> str:
        """Consume one bare or quoted key part and return its value."""
        c = self.peek()
        if c in ("'", '"'):
            if self.text.startswith(c * 3, self.pos):
                raise _Stop
            raw = self.string()
            return _unescape(raw) if c == '"' and "\\" in raw else raw
        start = self.pos
        while self.peek() in _BARE:
            self.pos += 1
        if self.pos == start:
            raise _Stop
        return self.text[start : self.pos]

    def key(self) -> list[str]:
        """Consume a (possibly dotted) key and return its parts."""
        parts = [self.key_part()]
        self.skip_ws()
        while self.peek() == ".":
            self.pos += 1
            self.skip_ws()
            parts.append(self.key_part())
            self.skip_ws()
        return parts

    # -- values ------------------------------------------------------------

    def key_value(self, base: KeyPath, depth: int) -> None:
        """Consume ``key = value`` relative to table ``base`` and record it."""
        start = self.pos
        parts = self.key()
        for i in range(1, len(parts) + 1):
            self.record(base + tuple(parts[:i]), start)
        self.expect("=")
        self.skip_ws()
        self.value(base + tuple(parts), depth)

    def value(self, path: KeyPath, depth: int) -> None:
        """Consume a value, recording the keys and elements nested inside it."""
        if depth > _MAX_DEPTH:
            raise _Stop
        c = self.peek()
        if c in ("'", '"'):
            self.string()
        elif c == "{":
            self.container(path, depth, "}")
        elif c == "[":
            self.container(path, depth, "]")
        else:
            start = self.pos
            while self.peek() and self.peek() not in _SCALAR_END:
                self.pos += 1
            if not self.text[start : self.pos].strip():
                raise _Stop

    def container(self, path: KeyPath, depth: int, close: str) -> None:
        """Consume an inline table (``close='}'``) or an array (``close=']'``)."""
        self.pos += 1
        index = 0
        while True:
            self.skip_ws(newlines=True)
            if self.peek() == close:
                self.pos += 1
                return
            if close == "}":
                self.key_value(path, depth + 1)
            else:
                self.record((*path, index), self.pos)
                self.value((*path, index), depth + 1)
                index += 1
            self.skip_ws(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != close:
                raise _Stop

    # -- document ----------------------------------------------------------

    def header(self) -> KeyPath:
        """Consume ``[table]`` or ``[[array]]``; return the new current table."""
        start = self.pos
        is_array = self.peek(1) == "["
        self.pos += 2 if is_array else 1
        self.skip_ws()
        parts = self.key()
        self.expect("]")
        if is_array:
            self.expect("]")
        path: KeyPath = ()
        for i, part in enumerate(parts):
            path = (*path, part)
            last = i == len(parts) - 1
            self.record(path, start, implicit=not last)
            if last and is_array:
                count = self.aot_counts.get(path, 0)
                self.aot_counts[path] = count + 1
                path = (*path, count)
                self.record(path, start)
            elif path in self.aot_counts:
                path = (*path, self.aot_counts[path] - 1)
        return path

    def document(self) -> None:
        """Scan the whole document statement by statement."""
        table: KeyPath = ()
        while True:
            self.skip_ws(newlines=True)
            if not self.peek():
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table, 0)
            self.end_of_line()


def _unescape(raw: str) -> str:
    """Decode the escapes of a basic-string key body (raw text on failure)."""
    try:
        value = tomllib.loads(f'k = "{raw}"')["k"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return raw
    return value if isinstance(value, str) else raw


def key_positions(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Line and column (1-based) where each key path is defined.

    Paths are nested as ``tomllib.loads`` nests the document: table headers
    and dotted keys contribute string parts, arrays (including arrays of
    tables) contribute 0-based integer indices.  Keys map to the first
    character of the key as written (the ``[`` for headers); array elements
    to the first character of the element.  Every dotted prefix is recorded
    too, the first definition winning.  Never raises: if the text is
    malformed the positions found before the problem are returned.
    """
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, RecursionError):
        scanner.document()
    return scanner.found


def locate(positions: dict[KeyPath, tuple[int, int]], path: KeyPath) -> tuple[int, int]:
    """The position of path, or of its longest defined prefix, or (1, 1)."""
    for end in range(len(path), 0, -1):
        found = positions.get(path[:end])
        if found is not None:
            return found
    return 1, 1


def syntax_error_position(
    exc: tomllib.TOMLDecodeError, text: str | None = None
) -> tuple[int, int, str]:
    """(line, col, message without the '(at line X, column Y)' suffix) of a tomllib error.

    Errors "at end of document" are placed just past the last character of
    ``text`` when it is given, otherwise at (1, 1).
    """
    message = str(exc)
    match = _AT_RE.search(message)
    if match is None:
        return 1, 1, message
    message = message[: match.start()]
    if match.group(1) is not None:
        return int(match.group(1)), int(match.group(2)), message
    if text is None:
        return 1, 1, message
    last_line = text.split("\n")[-1]
    return text.count("\n") + 1, len(last_line) + 1, message
