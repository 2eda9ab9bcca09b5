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
from homegen.appsets.gostrings import go_base, go_json, go_plain, go_quote, go_sprint, go_title
from homegen.appsets.govalues import NO_VALUE, Delegate, TemplateError, to_text, truthy
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
    """Go's Sprintf for %v, %%, %s of a string and %d of an int; any other verb or operand
    (%d of a float, which Go prints as an error) goes to sprig's own printf."""
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        value = next(values, NO_VALUE)
        if verb == "d" and (not isinstance(value, int) or isinstance(value, bool)):
            raise Delegate("printf")
        if verb == "s" and not isinstance(value, str):
            raise Delegate("printf")  # Go prints %!s(float64=3) and the like
        return to_text(value)

    text = re.sub(r"%(.)", lambda m: one(m) if m.group(1) in "svd%" else _delegate(), form)
    if next(values, None) is not None:
        raise Delegate("printf")  # Go reports extra arguments: %!(EXTRA ...)
    return text


def _delegate() -> str:
    raise Delegate("printf")


def _dict(*pairs: Any) -> dict[str, Any]:
    """sprig's dict: keys printed as strings, a missing last value empty."""
    items = list(pairs) + ([""] if len(pairs) % 2 else [])
    return {to_text(items[i]): items[i + 1] for i in range(0, len(items), 2)}


def _set(target: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    target[key] = value
    return target


def _until(count: Any) -> range:
    """sprig's until, lazily: a range over a huge count must not build the list first."""
    if not isinstance(count, int) or isinstance(count, bool):
        raise Delegate("until")
    return range(count) if count >= 0 else range(0, count, -1)


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


def _kind(value: Any) -> str:
    """text/template's basic kind of a value: numbers from JSON are floats, literals ints."""
    if value is None or value is NO_VALUE:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "string" if isinstance(value, str) else "other"


def _eq(first: Any, *others: Any) -> bool:
    """text/template's eq: true when ``first`` equals any other; two values of different
    basic kinds (a float64 parameter and an int literal) are an error, a missing one never
    equal."""
    if not others:
        raise TemplateError("error calling eq: missing argument for comparison")
    for other in others:
        kinds = {_kind(first), _kind(other)}
        if len(kinds) > 1:
            if "invalid" not in kinds:
                raise TemplateError("error calling eq: incompatible types for comparison")
            continue
        if kinds == {"other"} and not (isinstance(first, str) or first is other):
            raise TemplateError("error calling eq: non-comparable types")
        if kinds == {"invalid"} or first == other:
            return True
    return False


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """lt, le, gt, ge: numbers or strings of one basic kind."""

    def compare(first: Any, second: Any) -> bool:
        kinds = {_kind(first), _kind(second)}
        if kinds - {"int", "float", "string"}:
            raise TemplateError("invalid type for comparison")
        if len(kinds) > 1:
            raise TemplateError("incompatible types for comparison")
        return op(first, second)

    return compare


def _to_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml: through JSON, so keys sorted and the last newline cut."""
    plain = json.loads(json.dumps(go_plain(value), default=to_text))
    text = yaml.safe_dump(
        plain, default_flow_style=False, sort_keys=True, allow_unicode=True, width=2**31
    )
    return text.removesuffix("\n...\n").rstrip("\n")  # no document end marker in Go


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
    "title": lambda s: go_title(to_text(s)),
    "trim": lambda s: to_text(s).strip(),
    "trimAll": lambda cut, s: to_text(s).strip(cut),
    "trimPrefix": lambda p, s: to_text(s).removeprefix(p),
    "trimSuffix": lambda p, s: to_text(s).removesuffix(p),
    "replace": lambda old, new, s: to_text(s).replace(old, new),
    "default": _default,
    "quote": lambda *s: " ".join(go_quote(to_text(v)) for v in s if v is not None),
    "squote": lambda *s: " ".join(f"'{to_text(v)}'" for v in s if v is not None),
    "printf": _printf,
    "print": go_sprint,
    "normalize": lambda s: normalize(to_text(s)),
    "slugify": _slugify,
    "index": _index,
    "len": lambda v: len(v),
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _ordered(lambda a, b: a < b),
    "le": _ordered(lambda a, b: a <= b),
    "gt": _ordered(lambda a, b: a > b),
    "ge": _ordered(lambda a, b: a >= b),
    "not": lambda v: not truthy(v),
    "and": _and,
    "or": _or,
    "empty": lambda v=None: not truthy(v),
    "coalesce": lambda *a: next((v for v in a if truthy(v)), None),
    "until": _until,
    "list": lambda *items: list(items),
    "dict": _dict,
    "set": _set,
    "unset": lambda d, key: (d.pop(key, None), d)[1],
    "hasKey": lambda d, key: key in d,
    "get": lambda d, key: d.get(key, ""),
    "hasPrefix": lambda p, s: to_text(s).startswith(p),
    "hasSuffix": lambda p, s: to_text(s).endswith(p),
    "contains": lambda p, s: p in to_text(s),
    "trunc": lambda n, s: to_text(s)[:n] if n >= 0 else to_text(s)[n:],
    "b64enc": lambda s: base64.b64encode(to_text(s).encode()).decode(),
    "join": lambda sep, items: sep.join(to_text(v) for v in items if v is not None),
    "splitList": lambda sep, s: to_text(s).split(sep),
    "base": lambda s: go_base(to_text(s)),
    "dir": lambda s: posixpath.dirname(to_text(s)) or ".",
    "toString": to_text,
    "toJson": go_json,
    "toYaml": _to_yaml,
    "fromYaml": _from_yaml,
    "fromYamlArray": _from_yaml_array,
    "indent": _indent,
    "nindent": lambda w, s: "\n" + _indent(w, s),
    "cat": lambda *a: " ".join(to_text(v) for v in a if v is not None),
    "add": lambda *a: sum(int(v) for v in a),  # sprig casts to int64
    "sub": lambda a, b: int(a) - int(b),
}


# every function the controller's templates know: text/template's builtins, sprig's generic
# functions but env, expandenv and getHostByName, and ArgoCD's own; any other is a parse error
_BUILTINS = (
    "and or not len index slice print printf println html js urlquery call eq ne lt le gt ge"
)
_SPRIG = """
ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth
trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace
initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase
kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace
plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split
splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf
mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any
compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson
mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf
kindIs deepEqual base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc
b32dec tuple list dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge
mustMergeOverwrite values append mustAppend prepend mustPrepend first mustFirst rest mustRest last
mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas
slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword
buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch
mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll
mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit
regexQuoteMeta urlParse urlJoin
"""
ARGOCD_OWN = frozenset({"normalize", "slugify", "toYaml", "fromYaml", "fromYamlArray"})
KNOWN = frozenset(_BUILTINS.split()) | frozenset(_SPRIG.split()) | ARGOCD_OWN
