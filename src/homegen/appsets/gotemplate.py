"""Go ``text/template`` for ApplicationSets (``goTemplate: true``): parsing here, evaluation
in ``goeval``.

The ApplicationSet controller renders each string of the template with Go's text/template,
sprig (but ``env``, ``expandenv``, ``getHostByName``) and ArgoCD's ``normalize``, ``slugify``,
``toYaml``, ``fromYaml``, ``fromYamlArray``. homegen parses and evaluates the language itself,
``missingkey=error`` included: fields, variables, pipelines, ``if``/``with``/``range`` with
``else``, ``break``/``continue``, comments, ``{{-``/``-}}`` trimming. A function the
controller does not know fails the parse, as there; a sprig function homegen does not
implement runs in sprig itself (``goeval``). ``define``/``template``/``block`` raise
``Unsupported``, which the caller reports as not expanded, never passes.
"""

from __future__ import annotations

import re
import time
from typing import Any

from homegen.appsets.goeval import WORDS, Evaluator, Node
from homegen.appsets.gofuncs import KNOWN
from homegen.appsets.govalues import (
    NO_VALUE,
    OutOfTime,
    TemplateError,
    Unsupported,
    to_text,
    truthy,
)

__all__ = ["NO_VALUE", "OutOfTime", "TemplateError", "Unsupported", "render", "to_text", "truthy"]

_ACTION = re.compile(r"\{\{(-[ \t\r\n])?(.*?)([ \t\r\n]-)?\}\}", re.DOTALL)
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|"`]+)', re.DOTALL)
_CHAINED = "\x00"  # marks a field chain right after ")"
_DECLARE = re.compile(r"^(\$\w*)\s*(:=|=)\s*(.*)$", re.DOTALL)
_RANGE_VARS = re.compile(r"^(\$\w*)\s*(?:,\s*(\$\w*)\s*)?:=\s*(.*)$", re.DOTALL)


def render(
    text: str,
    data: dict[str, Any],
    *,
    missing_error: bool = False,
    missing_zero: bool = False,
    deadline: float | None = None,
) -> str:
    """``text`` rendered with ``data`` as ``.``; TemplateError or Unsupported when it cannot,
    OutOfTime once ``deadline`` (a ``time.monotonic`` value) has passed."""
    if "{{" not in text:
        return text
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime("Go template evaluation ran past its time limit")
    nodes = _parse(_lex(text))
    evaluator = Evaluator(data, missing_error, deadline, missing_zero=missing_zero)
    return evaluator.run(nodes, data)


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
        if word in ("if", "with", "range"):
            node, i = _parse_branch(word, body, pieces, i)
            nodes.append(node)
            continue
        if word in ("define", "template", "block"):
            raise Unsupported(f"{{{{{word}}}}} (named templates)")
        nodes.append(_action(word, body))
        i += 1
    if not top:
        raise TemplateError("missing {{end}}")
    return nodes, i


def _action(word: str, body: str) -> Node:
    if word in ("break", "continue") and body == word:
        return (word,)
    declared = _DECLARE.match(body)
    if declared:
        kind = "declare" if declared.group(2) == ":=" else "assign"
        return (kind, declared.group(1), _pipeline(declared.group(3)))
    return ("action", _pipeline(body))


def _head(word: str, text: str) -> tuple[list[str], list[list[Any]]]:
    """The variables a control structure declares, and its pipeline."""
    declared = (_RANGE_VARS if word == "range" else _DECLARE).match(text)
    if declared is None:
        return [], _pipeline(text)
    if word == "range":
        names = [n for n in declared.group(1, 2) if n]
        return names, _pipeline(declared.group(3))
    if declared.group(2) != ":=":
        raise TemplateError(f"{word} cannot assign with =")
    return [declared.group(1)], _pipeline(declared.group(3))


def _parse_branch(word: str, body: str, pieces: list[tuple[str, str]], i: int) -> tuple[Node, int]:
    variables, condition = _head(word, body[len(word) :].strip())
    then, i = _parse_block(pieces, i + 1)
    otherwise: list[Node] = []
    end_body = pieces[i][1]
    if end_body.startswith("else"):
        rest = end_body[4:].strip()
        if rest.startswith(("if ", "with ")) and word != "range":
            nested_word = rest.split(None, 1)[0]
            patched = [*pieces[:i], ("action", rest), *pieces[i + 1 :]]
            node, i = _parse_branch(nested_word, rest, patched, i)
            return (word, variables, condition, then, [node]), i
        if rest:
            raise TemplateError(f"unexpected {{{{else {rest}}}}}")
        otherwise, i = _parse_block(pieces, i + 1)
        if pieces[i][1] != "end":
            raise TemplateError("expected {{end}}")
    return (word, variables, condition, then, otherwise), i + 1


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
            if re.fullmatch(r"[A-Za-z_]\w*", token) and token not in WORDS and token not in KNOWN:
                raise TemplateError(f'function "{token}" not defined')
            commands[-1].append(token)
        i += 1
    if any(not command for command in commands):
        raise TemplateError("missing command in pipeline")
    return commands, i
