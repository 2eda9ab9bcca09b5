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

import base64
import json
import posixpath
import re
from collections.abc import Callable
from typing import Any

import yaml

from homegen.appsets.params import normalize


class TemplateError(Exception):
    """The template fails as it would in the controller (syntax, missing key, a function)."""


class Unsupported(Exception):
    """A construct homegen cannot evaluate (no Go template engine for it here)."""


class _NoValue:
    """A missing map key under ``missingkey=default``: prints as Go prints it."""

    def __str__(self) -> str:
        return "<no value>"


NO_VALUE = _NoValue()
_ACTION = re.compile(r"\{\{(-[ \t\r\n])?(.*?)([ \t\r\n]-)?\}\}", re.DOTALL)
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|"`]+)', re.DOTALL)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_FIELD = re.compile(r"(\$|\$?(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)")


def render(text: str, data: dict[str, Any], *, missing_error: bool = False) -> str:
    """``text`` rendered with ``data`` as ``.``; TemplateError or Unsupported when it cannot."""
    if "{{" not in text:
        return text
    try:
        nodes = _parse(_lex(text))
        return _Evaluator(data, missing_error).run(nodes, data)
    except Unsupported:
        return _render_with_helm(text, data)


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
        tokens.append(match.group(1))
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
            commands[-1].append(inner)
        else:
            commands[-1].append(token)
        i += 1
    if any(not command for command in commands):
        raise TemplateError("missing command in pipeline")
    return commands, i


# --- evaluation -------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """Go's truth: false, 0, nil and empty strings or collections are false."""
    if value is NO_VALUE or value is None:
        return False
    if isinstance(value, bool | int | float | str | list | dict):
        return bool(value)
    return True


def to_text(value: Any) -> str:
    """How text/template prints a value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value is NO_VALUE:
        return "<no value>"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return "[" + " ".join(to_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{to_text(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


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


# --- functions (sprig's argument order: the piped value comes last) ------------------------


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key, NO_VALUE)
        elif isinstance(value, list | str):
            if not isinstance(key, int) or not 0 <= key < len(value):
                raise TemplateError(f"index out of range: {key}")
            value = value[key]
        else:
            raise TemplateError(f"can't index item of type {type(value).__name__}")
    return value


def _printf(form: str, *args: Any) -> str:
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        value = next(values, NO_VALUE)
        if verb == "q":
            return json.dumps(to_text(value))
        if verb == "d" and isinstance(value, float):
            return str(int(value))
        return to_text(value)

    return re.sub(r"%([svdq%])", one, form)


def _slugify(max_size: int, smart: bool, text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if max_size > 0 and len(slug) > max_size:
        cut = slug[:max_size]
        if smart and "-" in cut and slug[max_size : max_size + 1] != "-":
            cut = cut[: cut.rindex("-")]
        slug = cut.strip("-")
    return slug


def _default(fallback: Any, value: Any = None) -> Any:
    return value if truthy(value) else fallback


def _required(message: str, value: Any = None) -> Any:
    if value is None or value is NO_VALUE or value == "":
        raise TemplateError(message)
    return value


def _and(*args: Any) -> Any:
    for arg in args:
        if not truthy(arg):
            return arg
    return args[-1]


def _or(*args: Any) -> Any:
    for arg in args:
        if truthy(arg):
            return arg
    return args[-1]


def _indent(width: int, text: str) -> str:
    pad = " " * width
    return pad + to_text(text).replace("\n", "\n" + pad)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: op(a, b)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lower": lambda s: to_text(s).lower(),
    "upper": lambda s: to_text(s).upper(),
    "title": lambda s: to_text(s).title(),
    "trim": lambda s: to_text(s).strip(),
    "trimAll": lambda cut, s: to_text(s).strip(cut),
    "trimPrefix": lambda p, s: to_text(s).removeprefix(p),
    "trimSuffix": lambda p, s: to_text(s).removesuffix(p),
    "replace": lambda old, new, s: to_text(s).replace(old, new),
    "default": _default,
    "quote": lambda *s: " ".join(json.dumps(to_text(v)) for v in s),
    "squote": lambda *s: " ".join(f"'{to_text(v)}'" for v in s),
    "printf": _printf,
    "print": lambda *a: "".join(to_text(v) for v in a),
    "normalize": lambda s: normalize(to_text(s)),
    "slugify": _slugify,
    "index": _index,
    "len": lambda v: len(v),
    "eq": lambda a, *b: any(a == x for x in b),
    "ne": _compare(lambda a, b: a != b),
    "lt": _compare(lambda a, b: a < b),
    "le": _compare(lambda a, b: a <= b),
    "gt": _compare(lambda a, b: a > b),
    "ge": _compare(lambda a, b: a >= b),
    "not": lambda v: not truthy(v),
    "and": _and,
    "or": _or,
    "empty": lambda v=None: not truthy(v),
    "coalesce": lambda *a: next((v for v in a if truthy(v)), None),
    "required": _required,
    "hasPrefix": lambda p, s: to_text(s).startswith(p),
    "hasSuffix": lambda p, s: to_text(s).endswith(p),
    "contains": lambda p, s: p in to_text(s),
    "trunc": lambda n, s: to_text(s)[:n] if n >= 0 else to_text(s)[n:],
    "b64enc": lambda s: base64.b64encode(to_text(s).encode()).decode(),
    "join": lambda sep, items: sep.join(to_text(v) for v in items),
    "splitList": lambda sep, s: to_text(s).split(sep),
    "base": lambda s: posixpath.basename(to_text(s)),
    "dir": lambda s: posixpath.dirname(to_text(s)) or ".",
    "toString": to_text,
    "toJson": lambda v: json.dumps(v, separators=(",", ":")),
    "toYaml": lambda v: yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n"),
    "indent": _indent,
    "nindent": lambda w, s: "\n" + _indent(w, s),
    "cat": lambda *a: " ".join(to_text(v) for v in a if v is not None),
    "add": lambda *a: sum(a),
    "sub": lambda a, b: a - b,
}


# --- Helm's engine, for the rest ----------------------------------------------------------


def _render_with_helm(text: str, data: dict[str, Any]) -> str:
    from homegen.expand.helm import ChartFailed, EngineMissing, render_template

    try:
        return render_template(text, data)
    except EngineMissing as exc:
        raise Unsupported(
            "needs a full Go template engine: install homegen[charts] (helm-python-sdk)"
        ) from exc
    except ChartFailed as exc:
        raise TemplateError(str(exc)) from exc
