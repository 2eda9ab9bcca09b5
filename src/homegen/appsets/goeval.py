"""Evaluation of a parsed Go template (``gotemplate`` parses): text/template's semantics for
fields, variables, pipelines, ``if``/``with``/``range``, ``break``/``continue``, with a
deadline checked as ``range`` loops. Functions homegen does not implement run in sprig itself,
one call at a time, through the Helm worker."""

from __future__ import annotations

import re
import time
from typing import Any

from homegen.appsets.gofuncs import FUNCTIONS
from homegen.appsets.govalues import (
    NO_VALUE,
    Delegate,
    OutOfTime,
    TemplateError,
    to_text,
    truthy,
)
from homegen.appsets.helmtemplate import call_function

Node = tuple[Any, ...]
WORDS: dict[str, Any] = {"true": True, "false": False, "nil": None}
NUMBER = re.compile(r"-?\d+(\.\d+)?")
FIELD = re.compile(r"(\$[A-Za-z0-9_]*)?(\.[A-Za-z_][A-Za-z0-9_]*)*|\.")
_CHECK_EVERY = 256  # range iterations between two looks at the clock


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Evaluator:
    """One template execution: the data, the options, the variables in scope."""

    def __init__(
        self, root: Any, missing_error: bool, deadline: float | None, *, missing_zero: bool = False
    ) -> None:
        self.missing_error = missing_error
        self.missing_zero = missing_zero  # missingkey=zero: a missing key is a nil
        self.deadline = deadline
        self.scopes: list[dict[str, Any]] = [{"$": root}]
        self.steps = 0

    def run(self, nodes: list[Node], dot: Any) -> str:
        """The text the nodes print with ``dot``, in a scope of their own."""
        self.scopes.append({})
        try:
            return "".join(self._node(node, dot) for node in nodes)
        finally:
            self.scopes.pop()

    def _node(self, node: Node, dot: Any) -> str:
        kind = node[0]
        if kind == "text":
            return str(node[1])
        if kind == "action":
            return to_text(self.pipeline(node[1], dot))
        if kind in ("declare", "assign"):
            value = self.pipeline(node[2], dot)
            self._set(node[1], value, declare=kind == "declare")
            return ""
        if kind == "break":
            raise _Break
        if kind == "continue":
            raise _Continue
        if kind == "range":
            return self._range(node, dot)
        return self._branch(node, dot)

    def _branch(self, node: Node, dot: Any) -> str:
        word, variables, condition, then, otherwise = node
        self.scopes.append({})
        try:
            value = self.pipeline(condition, dot)
            for name in variables:
                self._set(name, value, declare=True)
            if truthy(value):
                return self.run(then, value if word == "with" else dot)
            return self.run(otherwise, dot)
        finally:
            self.scopes.pop()

    def _range(self, node: Node, dot: Any) -> str:
        _word, variables, condition, body, otherwise = node
        items = _items(self.pipeline(condition, dot), len(variables))
        out: list[str] = []
        looped = False
        for key, value in items:
            looped = True
            self._tick()
            self.scopes.append({})
            try:
                if len(variables) == 1:
                    self._set(variables[0], value, declare=True)
                elif len(variables) == 2:
                    self._set(variables[0], key, declare=True)
                    self._set(variables[1], value, declare=True)
                out.append(self.run(body, value))
            except _Continue:
                continue
            except _Break:
                break
            finally:
                self.scopes.pop()
        return "".join(out) if looped else self.run(otherwise, dot)

    def _tick(self) -> None:
        self.steps += 1
        check = self.deadline is not None and self.steps % _CHECK_EVERY == 0
        if check and time.monotonic() > (self.deadline or 0):
            raise OutOfTime("Go template evaluation ran past its time limit")

    def _set(self, name: str, value: Any, *, declare: bool) -> None:
        if declare:
            self.scopes[-1][name] = value
            return
        for scope in reversed(self.scopes):
            if name in scope:
                scope[name] = value
                return
        raise TemplateError(f'undefined variable "{name}"')

    def _get(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise TemplateError(f'undefined variable "{name}"')

    def pipeline(self, commands: list[list[Any]], dot: Any) -> Any:
        """A pipeline's value (each command's result passed last to the next)."""
        value: Any = None
        for position, command in enumerate(commands):
            piped = [value] if position else []
            value = self.command(command, dot, piped)
        return value

    def command(self, command: list[Any], dot: Any, piped: list[Any]) -> Any:
        """One command: a function call, or an operand."""
        head = command[0]
        if isinstance(head, str) and _is_name(head) and head not in WORDS:
            args = [self.operand(a, dot) for a in command[1:]] + piped
            return self.call(head, args)
        if len(command) > 1 or piped:
            raise TemplateError(f"{head} is not a function")
        return self.operand(head, dot)

    def call(self, name: str, args: list[Any]) -> Any:
        """A function called as the controller calls it."""
        function = FUNCTIONS.get(name)
        try:
            if function is None:
                raise Delegate(name)
            return function(*args)
        except Delegate:
            return call_function(name, args, self.deadline)
        except TemplateError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            raise TemplateError(f"error calling {name}: {exc}") from exc

    def operand(self, token: Any, dot: Any) -> Any:
        """An argument's value."""
        if isinstance(token, list):
            return self.pipeline(token, dot)
        if isinstance(token, tuple):
            _chain, inner, fields = token
            return self.field(fields, self.pipeline(inner, dot))
        if token.startswith('"'):
            return _unquote(token)
        if token.startswith("`"):
            return token[1:-1]
        if token in WORDS:
            return WORDS[token]
        if NUMBER.fullmatch(token):
            return float(token) if "." in token else int(token)
        if token.startswith("$"):
            name, _dot, rest = token.partition(".")
            return self.field("." + rest if rest else "", self._get(name))
        if token.startswith("."):
            return self.field(token, dot)
        if _is_name(token):
            return self.call(token, [])  # a niladic function as an argument
        raise TemplateError(f"cannot evaluate {token!r}")

    def field(self, chain: str, value: Any) -> Any:
        """``.a.b`` of ``value``, as Go looks fields up in ``map[string]any``: a missing key
        gives no value (and so does every field after it), a null fails the next field."""
        for name in [p for p in chain.split(".") if p]:
            if value is NO_VALUE:
                if self.missing_error:
                    raise TemplateError(f'nil data; no entry for key "{name}"')
                return NO_VALUE
            if value is None:
                raise TemplateError(f"nil pointer evaluating interface {{}}.{name}")
            if not isinstance(value, dict):
                # every value of the parameters sits in a map[string]any
                raise TemplateError(f"can't evaluate field {name} in type interface {{}}")
            if name in value:
                value = value[name]
            elif self.missing_error:
                raise TemplateError(f'map has no entry for key "{name}"')
            else:
                value = None if self.missing_zero else NO_VALUE
        return value


def _unquote(token: str) -> str:
    """A Go interpreted string literal (``\\x41``, ``\\u00e9``, ``\\t``, octal)."""
    body = token[1:-1]
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"invalid string literal {token}") from exc


def _is_name(token: str) -> bool:
    return re.fullmatch(r"[A-Za-z_]\w*", token) is not None


def _items(value: Any, variables: int) -> Any:
    """What ``range`` walks: (index, element) of a list, (key, value) of a map in key order,
    (i, i) of an int; nothing for a missing value."""
    if value is None or value is NO_VALUE:
        return iter(())
    if isinstance(value, list | range):
        return enumerate(value)
    if isinstance(value, dict):
        return ((k, value[k]) for k in sorted(value))
    if isinstance(value, int) and not isinstance(value, bool):
        if variables > 1:
            raise TemplateError(f"can't use {value} to iterate over more than one variable")
        return ((i, i) for i in range(value))
    raise TemplateError(f"range can't iterate over {to_text(value)}")
