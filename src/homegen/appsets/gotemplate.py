"""Go ``text/template`` for ApplicationSets (``goTemplate: true``).

The ApplicationSet controller renders each string of the template with Go's text/template,
sprig (but ``env``, ``expandenv``, ``getHostByName``) and ``normalize``/``slugify``. homegen
evaluates the common subset itself, exactly, ``missingkey=error`` included: field chains
(``.path.basename``, ``$.name``), literals, pipelines, ``if``/``else if``/``else``, ``with``,
comments, ``{{-``/``-}}`` trimming, and the functions in ``FUNCTIONS``. Anything else
(``range``, variables, ``define``, other sprig functions) goes to Helm's own engine (the same
text/template and sprig) through helm-python-sdk when it is installed (``homegen[charts]``;
missing keys then print as empty, and ``normalize``/``slugify`` are unknown there); without it
the string raises ``Unsupported``, which the caller reports, never passes.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from homegen.appsets.gofuncs import FUNCTIONS
from homegen.appsets.govalues import (
    NO_VALUE,
    OutOfTime,
    TemplateError,
    Unsupported,
    to_text,
    truthy,
)
from homegen.appsets.helmtemplate import render_with_helm

__all__ = ["NO_VALUE", "OutOfTime", "TemplateError", "Unsupported", "render", "to_text", "truthy"]

_ACTION = re.compile(r"\{\{(-[ \t\r\n])?(.*?)([ \t\r\n]-)?\}\}", re.DOTALL)
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|"`]+)', re.DOTALL)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_CHAINED = "\x00"  # marks a field chain right after ")"
_FIELD = re.compile(r"(\$|\$?(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)")


def render(
    text: str, data: dict[str, Any], *, missing_error: bool = False, deadline: float | None = None
) -> str:
    """``text`` rendered with ``data`` as ``.``; TemplateError or Unsupported when it cannot,
    OutOfTime once ``deadline`` (a ``time.monotonic`` value) has passed."""
    if "{{" not in text:
        return text
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime("Go template evaluation ran past its time limit")
    try:
        nodes = _parse(_lex(text))
        return _Evaluator(data, missing_error).run(nodes, data)
    except OutOfTime:
        raise
    except Unsupported:
        return render_with_helm(text, data, deadline)


# --- parsing ----------------------------------------------------------------------------


def _lex(text: str) -> list[tuple[str, str]]:
    """("text", s) and ("action", body) pieces, with ``{{-``/``-}}`` whitespace trimmed."""
    pieces: list[tuple[str, str]] = []
    position = 0
    trim_next = False
    for match in _ACTION.finditer(text):
        literal = text[position : match.start()]
        if trim_next:
            literal = literal.lstrip()
        if match.group(1):
            literal = literal.rstrip()
        pieces.append(("text", literal))
        body = match.group(2).strip()
        if not (body.startswith("/*") and body.endswith("*/")):
            pieces.append(("action", body))
        trim_next = bool(match.group(3))
        position = match.end()
    tail = text[position:]
    pieces.append(("text", tail.lstrip() if trim_next else tail))
    if "{{" in tail:
        raise TemplateError("unclosed action")
    return pieces


Node = tuple[Any, ...]


def _parse(pieces: list[tuple[str, str]]) -> list[Node]:
    nodes, _end = _parse_block(pieces, 0, top=True)
    return nodes


def _parse_block(
    pieces: list[tuple[str, str]], i: int, *, top: bool = False
) -> tuple[list[Node], int]:
    """Nodes up to the matching ``end``/``else`` (returned index points at it)."""
    nodes: list[Node] = []
    while i < len(pieces):
        kind, body = pieces[i]
        if kind == "text":
            if body:
                nodes.append(("text", body))
            i += 1
            continue
        word = body.split(None, 1)[0] if body else ""
        if word in ("end", "else"):
            if top:
                raise TemplateError(f"unexpected {{{{{word}}}}}")
            return nodes, i
        if word in ("if", "with"):
            node, i = _parse_branch(word, body, pieces, i)
            nodes.append(node)
            continue
        if (
            word in ("range", "define", "template", "block", "break", "continue")
            or ":=" in body
            or ("=" in body.split('"')[0] and re.search(r"\$\w+\s*=", body))
        ):
            raise Unsupported(f"{{{{{word} ...}}}}")
        nodes.append(("action", _pipeline(body)))
        i += 1
    if not top:
        raise TemplateError("missing {{end}}")
    return nodes, i


def _parse_branch(word: str, body: str, pieces: list[tuple[str, str]], i: int) -> tuple[Node, int]:
    condition = _pipeline(body[len(word) :].strip())
    then, i = _parse_block(pieces, i + 1)
    otherwise: list[Node] = []
    end_body = pieces[i][1]
    if end_body.startswith("else"):
        rest = end_body[4:].strip()
        if rest.startswith(("if ", "with ")):
            nested_word = rest.split(None, 1)[0]
            patched = [*pieces[:i], ("action", rest), *pieces[i + 1 :]]
            node, i = _parse_branch(nested_word, rest, patched, i)
            return (word, condition, then, [node]), i
        otherwise, i = _parse_block(pieces, i + 1)
        if pieces[i][1] != "end":
            raise TemplateError("expected {{end}}")
    return (word, condition, then, otherwise), i + 1


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip():
                raise TemplateError(f"cannot parse {text[position:]!r}")
            break
        token = match.group(1)
        if tokens and tokens[-1] == ")" and token.startswith(".") and text[position] == ".":
            token = _CHAINED + token  # (pipeline).field: a field of the pipeline's value
        tokens.append(token)
        position = match.end()
    return tokens


def _pipeline(text: str) -> list[list[Any]]:
    """A pipeline as commands, each a list of arguments (a nested pipeline is a list)."""
    tokens = _tokens(text)
    if not tokens:
        raise TemplateError("empty action")
    result, rest = _commands(tokens, 0)
    if rest != len(tokens):
        raise TemplateError("unexpected )")
    return result


def _commands(tokens: list[str], i: int) -> tuple[list[list[Any]], int]:
    commands: list[list[Any]] = [[]]
    while i < len(tokens):
        token = tokens[i]
        if token == ")":
            break
        if token == "|":
            commands.append([])
        elif token == "(":
            inner, i = _commands(tokens, i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise TemplateError("unclosed (")
            if i + 1 < len(tokens) and tokens[i + 1].startswith(_CHAINED):
                i += 1
                commands[-1].append(("chain", inner, tokens[i].removeprefix(_CHAINED)))
            else:
                commands[-1].append(inner)
        else:
            commands[-1].append(token)
        i += 1
    if any(not command for command in commands):
        raise TemplateError("missing command in pipeline")
    return commands, i


# --- evaluation -------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, root: dict[str, Any], missing_error: bool) -> None:
        self.root = root
        self.missing_error = missing_error

    def run(self, nodes: list[Node], dot: Any) -> str:
        out: list[str] = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "action":
                out.append(to_text(self.pipeline(node[1], dot)))
            else:
                _word, condition, then, otherwise = node
                value = self.pipeline(condition, dot)
                if truthy(value):
                    out.append(self.run(then, value if kind == "with" else dot))
                else:
                    out.append(self.run(otherwise, dot))
        return "".join(out)

    def pipeline(self, commands: list[list[Any]], dot: Any) -> Any:
        value: Any = None
        for position, command in enumerate(commands):
            piped = [value] if position else []
            value = self.command(command, dot, piped)
        return value

    def command(self, command: list[Any], dot: Any, piped: list[Any]) -> Any:
        head = command[0]
        if isinstance(head, str) and head in FUNCTIONS:
            args = [self.operand(a, dot) for a in command[1:]] + piped
            try:
                return FUNCTIONS[head](*args)
            except TemplateError:
                raise
            except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
                raise TemplateError(f"error calling {head}: {exc}") from exc
        if isinstance(head, str) and re.fullmatch(r"[A-Za-z_]\w*", head) and head not in _WORDS:
            raise Unsupported(f"function {head!r}")
        if len(command) > 1 or piped:
            raise TemplateError(f"{head} is not a function")
        return self.operand(head, dot)

    def operand(self, token: Any, dot: Any) -> Any:
        if isinstance(token, list):
            return self.pipeline(token, dot)
        if isinstance(token, tuple):
            _chain, inner, fields = token
            return self.field(fields, self.pipeline(inner, dot))
        if token.startswith('"'):
            return json.loads(token)
        if token.startswith("`"):
            return token[1:-1]
        if token in _WORDS:
            return _WORDS[token]
        if _NUMBER.fullmatch(token):
            return float(token) if "." in token else int(token)
        if _FIELD.fullmatch(token):
            return self.field(token, dot)
        if token.startswith("$"):
            raise Unsupported(f"variable {token}")
        raise TemplateError(f"function {token!r} not defined")

    def field(self, chain: str, dot: Any) -> Any:
        value = self.root if chain.startswith("$") else dot
        for name in [p for p in chain.lstrip("$").split(".") if p]:
            if isinstance(value, dict):
                if name in value:
                    value = value[name]
                elif self.missing_error:
                    raise TemplateError(f'map has no entry for key "{name}"')
                else:
                    return NO_VALUE
            elif value is NO_VALUE or value is None:
                raise TemplateError(f"nil pointer evaluating .{name}")
            else:
                raise TemplateError(f"can't evaluate field {name} in type {type(value).__name__}")
        return value


_WORDS: dict[str, Any] = {"true": True, "false": False, "nil": None}
