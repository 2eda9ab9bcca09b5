"""The template functions homegen evaluates itself: text/template's builtins, the sprig
functions ApplicationSets use, and ArgoCD's own (``normalize``, ``slugify``, ``toYaml``,
``fromYaml``, ``fromYamlArray``, which fail where Helm's versions do not)."""

from __future__ import annotations

import base64
import json
import posixpath
import re
from collections.abc import Callable
from typing import Any

import yaml

from homegen.appsets.configfiles import json_numbers, load_yaml
from homegen.appsets.govalues import NO_VALUE, TemplateError, to_text, truthy
from homegen.appsets.params import normalize


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


def _to_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml: through JSON, so keys sorted and the last newline cut."""
    plain = json.loads(json.dumps(value, default=to_text))
    return yaml.safe_dump(plain, default_flow_style=False, sort_keys=True).rstrip("\n")


def _from_yaml(text: Any) -> dict[str, Any]:
    """ArgoCD's fromYaml: a mapping, or the template fails (Helm's returns the error)."""
    try:
        value = load_yaml(to_text(text)) if to_text(text).strip() else {}
    except ValueError as exc:
        raise TemplateError(f"error calling fromYaml: {exc}") from exc
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TemplateError(
            f"error calling fromYaml: cannot unmarshal a {type(value).__name__} into a map"
        )
    result: dict[str, Any] = json_numbers(value)
    return result


def _from_yaml_array(text: Any) -> list[Any]:
    """ArgoCD's fromYamlArray: a list, or the template fails."""
    try:
        value = load_yaml(to_text(text)) if to_text(text).strip() else []
    except ValueError as exc:
        raise TemplateError(f"error calling fromYamlArray: {exc}") from exc
    if value is None:
        return []
    if not isinstance(value, list):
        raise TemplateError(
            f"error calling fromYamlArray: cannot unmarshal a {type(value).__name__} into a list"
        )
    result: list[Any] = json_numbers(value)
    return result


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
    "toYaml": _to_yaml,
    "fromYaml": _from_yaml,
    "fromYamlArray": _from_yaml_array,
    "indent": _indent,
    "nindent": lambda w, s: "\n" + _indent(w, s),
    "cat": lambda *a: " ".join(to_text(v) for v in a if v is not None),
    "add": lambda *a: sum(int(v) for v in a),  # sprig casts to int64
    "sub": lambda a, b: int(a) - int(b),
}
