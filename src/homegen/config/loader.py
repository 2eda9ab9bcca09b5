"""Read services.toml into a validated Config, or a ConfigError listing every problem."""

from __future__ import annotations

import ast
import difflib
import json
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from homegen.config import checks_destination, checks_network  # noqa: F401  (registers checks)
from homegen.config.checks import check_config
from homegen.config.models import Config
from homegen.config.positions import KeyPath, key_positions, locate, syntax_error_position
from homegen.config.sections import Validate
from homegen.errors import ConfigError, ConfigProblem, UsageError
from homegen.fingerprint import read_input

_MESSAGES = {
    "int_type": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "list_type": "must be an array",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "missing": "is required",
    "literal_error": None,  # pydantic's own text names the allowed values
}


def read_config(path: Path) -> Config:
    """Load and check services.toml at path."""
    try:
        data = read_input(path)  # recorded: a render's record names its inputs
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such file; create one with `homegen init` or pass --config FILE"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    return load_config(data, str(path))


def load_config(data: bytes, filename: str = "services.toml") -> Config:
    """Parse and validate the bytes of a services.toml; filename is used in messages."""
    text = _decode(data, filename)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col, message = syntax_error_position(exc, text)
        message, col = _syntax_message(message, text, line, col)
        problem = ConfigProblem(filename, line, col, "", f"invalid TOML: {message}")
        raise ConfigError([problem]) from None
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        line = _deepest_line(text)
        message = "arrays or inline tables nested too deeply"
        raise ConfigError([ConfigProblem(filename, line, 1, "", message)]) from None
    return config_from_dict(raw, text, filename)


def _deepest_line(text: str) -> int:
    """The line with the most opening brackets: where runaway nesting is."""
    counts = [line.count("[") + line.count("{") for line in text.splitlines()]
    return counts.index(max(counts)) + 1 if counts else 1


_BARE_KEY = re.compile(r"[A-Za-z0-9_/-]+")
_TWICE = re.compile(r"^Cannot declare \((.*)\) twice$")


def _syntax_message(message: str, text: str, line: int, col: int) -> tuple[str, int]:
    """tomllib's message in the user's words; duplicate keys point at the key, not past it."""
    line_text = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
    start = len(line_text) - len(line_text.lstrip(" \t")) + 1  # where the statement begins
    if line_text[col - 1 : col] == "\ufeff":
        return "stray byte-order mark (U+FEFF, invisible in most editors): delete it", col
    if message == "Cannot overwrite a value":
        return "duplicate key: this key (or a table holding it) already has a value", start
    twice = _TWICE.match(message)
    if twice:
        try:
            parts = ast.literal_eval(f"({twice[1]})")
        except (ValueError, SyntaxError):
            return message, col
        return f"table [{'.'.join(map(str, parts))}] is declared twice", start
    if message == "Illegal character '\\n'":
        return "unclosed string: a one-line string must end on the same line", col
    if message.startswith("Illegal character"):
        return message + " (write control characters as escapes, e.g. \\u0007)", col
    return message, col


def config_from_dict(raw: dict[str, Any], text: str, filename: str) -> Config:
    """Validate parsed TOML; text is the source, used only to locate problems."""
    problems: list[tuple[KeyPath, str]] = []
    config: Config | None = None
    if not raw:
        message = "the file defines nothing; `homegen init` writes a starter services.toml"
        raise ConfigError([ConfigProblem(filename, 1, 1, "", message)])
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
    if config is not None:
        problems = check_config(config, raw)
    if problems:
        positions = key_positions(text)
        raise ConfigError(
            [
                ConfigProblem(filename, *locate(positions, path), _dotted(path), message)
                for path, message in problems
            ]
        )
    assert config is not None
    return config


def validate_settings(raw: dict[str, Any], text: str, filename: str) -> Validate:
    """The ``[validate]`` table of a parsed services.toml, checked on its own (a tree's
    services.toml need not be homegen's); problems located like every config problem."""
    table = raw.get("validate", {})
    try:
        return Validate.model_validate(table if isinstance(table, dict) else {"": table})
    except ValidationError as exc:
        positions = key_positions(text)
        problems = []
        for err in exc.errors():
            path, message = _describe({**err, "loc": ("validate", *err["loc"])})
            problems.append(
                ConfigProblem(filename, *locate(positions, path), _dotted(path), message)
            )
        raise ConfigError(problems) from None


def _decode(data: bytes, filename: str) -> str:
    if b"\x00" in data:
        raise ConfigError([ConfigProblem(filename, 1, 1, "", "binary file, not TOML text")])
    try:
        # A leading byte-order mark (Windows editors add one) is not content; drop it.
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # columns count characters, as editors (and tomllib's own errors) do, not bytes
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        raise ConfigError([ConfigProblem(filename, line, col, "", message)]) from None


def _describe(err: Any) -> tuple[KeyPath, str]:
    """A key path and a readable message for one pydantic error."""
    loc = tuple(p for p in err["loc"] if p != "[key]")
    kind = err["type"]
    if kind == "extra_forbidden":
        return loc, _unknown_key_message(loc)
    message = _MESSAGES.get(kind) or err["msg"].removeprefix("Value error, ")
    if kind in ("greater_than_equal", "less_than_equal", "too_short", "too_long"):
        message = err["msg"].replace("Input should be", "must be")
    return loc, message


def _unknown_key_message(loc: KeyPath) -> str:
    known = _known_keys(loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if not close and known:
        hint = "; known keys: " + ", ".join(sorted(known))
    return f"unknown key{hint}"


def _known_keys(loc: KeyPath) -> list[str]:
    """Field names of the table at loc, following the models' annotations."""
    current: Any = Config
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)  # an optional table (route, probes) is Model | None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        field = fields.get(str(part)) or next(
            (f for f in fields.values() if f.alias == str(part)), None
        )
        return field.annotation if field else None
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional around a model type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0]
        else:
            return annotation


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # quoted (and escaped, so a newline cannot split the problem line) unless bare
            text = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            out += f".{text}" if out else text
    return out
