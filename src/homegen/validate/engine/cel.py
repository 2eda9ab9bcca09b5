"""CEL for CRD validation rules: compile once per expression, evaluate against a value.

Uses cel-expr-python (the CEL C++ runtime; the ``cel`` extra), with the extensions the
Kubernetes API server also enables that it offers: strings, bindings (``cel.bind``), math
and optionals. The Kubernetes-only libraries (``isURL``/``url``, ``quantity``, ``ip``/
``cidr``, ``format``, the list and regex helpers) are not declared: a rule that uses one does
not compile, and is reported as not checked, never as passed. Imported only when a custom
resource with rules is validated; the runtime itself is loaded on first compile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MISSING_RUNTIME = "cel-expr-python is not installed (pip install 'homegen[cel]')"
_UNDECLARED = re.compile(r"undeclared reference to '([^']+)'")


class NotCheckable(Exception):
    """The rule cannot be evaluated here (a missing function, no runtime); says why."""


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict on one value: passed, or failed; or an evaluation error."""

    passed: bool
    error: str = ""


class _Runtime:
    """The CEL environment, built on first use (loading the runtime costs ~15 ms)."""

    def __init__(self) -> None:
        self._env: Any = None
        self._compiled: dict[str, Any] = {}
        self._failed: dict[str, str] = {}
        # (expression, repr of the value) → its outcome: many objects repeat the same subtree
        # (a path match, a parentRef), and a rule's outcome depends on nothing but the
        # expression and ``self``. repr is exact for the values a rule sees (plain dicts,
        # lists, str, int, float, bool, None): equal reprs are equal values, key order
        # included, so a hit is the same evaluation. Kept with the runtime that produced it.
        self.outcomes: dict[tuple[str, str], Outcome] = {}

    def _environment(self) -> Any:
        if self._env is None:
            try:
                from cel_expr_python import cel
                from cel_expr_python.ext import ext_bindings, ext_math, ext_optional, ext_strings
            except ImportError as exc:
                raise NotCheckable(MISSING_RUNTIME) from exc
            extensions = [
                ext_strings.ExtStrings(),
                ext_bindings.ExtBindings(),
                ext_math.ExtMath(),
                ext_optional.ExtOptional(),
            ]
            self._error_type = cel.Type.ERROR
            self._env = cel.NewEnv(variables={"self": cel.Type.DYN}, extensions=extensions)
        return self._env

    def compile(self, expression: str) -> Any:
        """The compiled expression; NotCheckable when it cannot be compiled here."""
        program = self._compiled.get(expression)
        if program is not None:
            return program
        if expression in self._failed:
            raise NotCheckable(self._failed[expression])
        env = self._environment()
        try:
            program = env.compile(expression)
        except Exception as exc:  # the runtime raises one type for every compile error
            self._failed[expression] = _why(str(exc))
            raise NotCheckable(self._failed[expression]) from exc
        self._compiled[expression] = program
        return program

    def evaluate(self, expression: str, value: Any) -> Any:
        """The value of ``expression`` with ``self`` bound; raises ValueError on a CEL error."""
        result = self.compile(expression).eval(data={"self": value})
        if result.type() == self._error_type:
            raise ValueError(str(result.value()))
        return result.value()


def _why(message: str) -> str:
    found = _UNDECLARED.search(message)
    if found:
        return f"uses {found[1]}(), a Kubernetes CEL library function homegen does not evaluate"
    first = message.strip().splitlines()[0] if message.strip() else "does not compile"
    return f"does not compile: {first}"


RUNTIME = _Runtime()
# The memo pays for the values many objects share (a ReferenceGrant's, a route's filters);
# most values are one object's own. 20,000 holds every outcome of a 1,000-service tree; a
# larger tree starts over at each 20,000th (~5 MB each), not one entry per rule and site.
_OUTCOMES_MAX = 20_000
_PASSED, _FAILED = Outcome(True), Outcome(False)  # shared: most outcomes carry no message


def value_key(value: Any) -> str:
    """The memo key of a rule's ``self`` (compute once per value, pass to ``check``)."""
    return repr(value)


def check(expression: str, value: Any, key: str | None = None) -> Outcome:
    """Evaluate one rule on ``value``; NotCheckable when it cannot be evaluated here.

    ``key`` (``value_key(value)``) memoizes the outcome per (expression, value)."""
    if key is not None:
        memo = (expression, key)
        outcomes = RUNTIME.outcomes
        known = outcomes.get(memo)
        if known is not None:
            return known
        outcome = _check(expression, value)
        if len(outcomes) >= _OUTCOMES_MAX:
            outcomes.clear()
        outcomes[memo] = outcome
        return outcome
    return _check(expression, value)


def _check(expression: str, value: Any) -> Outcome:
    try:
        result = RUNTIME.evaluate(expression, value)
    except ValueError as exc:
        return Outcome(False, str(exc))
    if result is True:
        return _PASSED
    if result is False:
        return _FAILED
    return Outcome(False, f"the rule gave {result!r}, not a bool")


def message_of(rule: dict[str, Any], value: Any) -> str:
    """The rule's message: its messageExpression's value, else message, else the rule."""
    expression = rule.get("messageExpression")
    if isinstance(expression, str):
        try:
            text = RUNTIME.evaluate(expression, value)
        except (ValueError, NotCheckable):
            text = None
        if isinstance(text, str) and text.strip():
            return text
    message = rule.get("message")
    if isinstance(message, str) and message.strip():
        return message
    return f"failed rule: {rule.get('rule')}"
