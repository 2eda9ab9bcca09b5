"""The generators: each turns its spec into parameter sets, as the controller does."""

from __future__ import annotations

import copy
import json
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from homegen.appsets.gotemplate import TemplateError, Unsupported
from homegen.appsets.params import flatten, glob_match, go_string, normalize, path_params
from homegen.appsets.repo import Cluster, Repo, same_repo_key


class NotExpanded(Exception):
    """A generator homegen cannot expand here (kind, repository, engine): reported."""


@dataclass
class ParamSet:
    """One parameter set, where it came from, and its generator's own template (if any)."""

    params: dict[str, Any]
    origin: str
    template: dict[str, Any] | None = None


@dataclass
class Context:
    """What the generators read, and how the set renders."""

    repo: Repo | None
    clusters: Sequence[Cluster]
    repo_url: str  # the checkout's repository (normalized), "" when unknown
    go: bool
    render_value: Callable[[Any, dict[str, Any]], Any]  # the set's template engine
    notes: list[str] = field(default_factory=list)


def normalize_repo(url: Any) -> str:
    """A repository URL compared loosely (scheme, user, ``.git``, case: see same_repo_key)."""
    return same_repo_key(url)


def generate(generator: dict[str, Any], ctx: Context, depth: int = 0) -> list[ParamSet]:
    """Parameter sets of one generator (``selector`` and ``values`` applied)."""
    if not isinstance(generator, dict) or not generator:
        raise TemplateError("a generator must be a mapping")
    kind = next((k for k in generator if k not in ("selector", "template")), "")
    spec = generator.get(kind)
    spec = spec if isinstance(spec, dict) else {}
    if kind == "list":
        sets = _list(spec, ctx)
    elif kind == "git":
        sets = _git(spec, ctx)
    elif kind == "clusters":
        sets = _clusters(spec, ctx)
    elif kind in ("matrix", "merge"):
        if depth >= 2:
            raise TemplateError(f"{kind} nested more than two levels")
        sets = _matrix(spec, ctx, depth) if kind == "matrix" else _merge(spec, ctx, depth)
    else:
        raise NotExpanded(f"the {kind or 'empty'} generator needs a live cluster or an API")
    values = spec.get("values")
    if isinstance(values, dict) and kind not in ("matrix", "merge"):
        for item in sets:
            _add_values(item.params, values, ctx)
    template = generator.get("template")
    if isinstance(template, dict):
        for item in sets:
            item.template = template
    selector = generator.get("selector")
    if isinstance(selector, dict):
        sets = [s for s in sets if _selected(selector, s.params, ctx.go)]
    return sets


def _add_values(params: dict[str, Any], values: dict[str, Any], ctx: Context) -> None:
    rendered = {str(k): ctx.render_value(v, params) for k, v in values.items()}
    if ctx.go:
        params["values"] = rendered
    else:
        params.update({f"values.{k}": go_string(v) for k, v in rendered.items()})


def _selected(selector: dict[str, Any], params: dict[str, Any], go: bool) -> bool:
    flat = flatten(params) if go else params
    labels = selector.get("matchLabels")
    for key, value in (labels if isinstance(labels, dict) else {}).items():
        if flat.get(key) != go_string(value):
            return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, dict):
            continue
        key, op = str(expression.get("key")), expression.get("operator")
        options = [go_string(v) for v in expression.get("values") or []]
        present = key in flat
        if op == "In" and flat.get(key) not in options:
            return False
        if op == "NotIn" and flat.get(key) in options:
            return False
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def _list(spec: dict[str, Any], ctx: Context) -> list[ParamSet]:
    elements = spec.get("elements")
    if spec.get("elementsYaml"):
        if not ctx.go:
            raise TemplateError("elementsYaml needs goTemplate: true")
        try:
            elements = yaml.safe_load(str(spec["elementsYaml"]))
        except yaml.YAMLError as exc:
            raise TemplateError(f"elementsYaml is not YAML: {exc}") from exc
    sets = []
    for index, element in enumerate(elements if isinstance(elements, list) else []):
        if not isinstance(element, dict):
            raise TemplateError(f"list element {index} is not a mapping")
        origin = f"list element {index}"
        if ctx.go:
            sets.append(ParamSet(copy.deepcopy(element), origin))
            continue
        params: dict[str, Any] = {}
        for key, value in element.items():
            if key == "values" and isinstance(value, dict):
                params.update({f"values.{k}": go_string(v) for k, v in value.items()})
            elif isinstance(value, str):
                params[str(key)] = value
            else:
                raise TemplateError(
                    f"list element {index}: {key!r} is not a string "
                    "(without goTemplate every value must be one)"
                )
        sets.append(ParamSet(params, origin))
    return sets


def _git(spec: dict[str, Any], ctx: Context) -> list[ParamSet]:
    url = spec.get("repoURL")
    if ctx.repo is None:
        raise NotExpanded("no local checkout to read the git generator from")
    if ctx.repo_url and normalize_repo(url) != ctx.repo_url:
        raise NotExpanded(f"the git generator reads {url}, not the checkout being validated")
    prefix = spec.get("pathParamPrefix")
    name = f"{prefix}.path" if isinstance(prefix, str) and prefix else "path"
    if "files" in spec:
        return _git_files(spec.get("files") or [], name, ctx)
    return _git_directories(spec.get("directories") or [], name, ctx)


def _patterns(items: Any) -> tuple[list[str], list[str]]:
    include: list[str] = []
    exclude: list[str] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            (exclude if item.get("exclude") else include).append(item["path"])
    return include, exclude


def _git_directories(items: Any, name: str, ctx: Context) -> list[ParamSet]:
    assert ctx.repo is not None
    include, exclude = _patterns(items)
    folders: set[str] = set()
    for file in ctx.repo.files():
        parent = posixpath.dirname(file)
        while parent and parent not in folders:
            folders.add(parent)
            parent = posixpath.dirname(parent)
    sets = []
    for folder in sorted(folders):
        if any(glob_match(p, folder) for p in include) and not any(
            glob_match(p, folder) for p in exclude
        ):
            sets.append(ParamSet(path_params(name, folder, ctx.go), f"git directory {folder}"))
    if not sets:
        ctx.notes.append(f"git directories {', '.join(include)} match no folder")
    return sets


def _git_files(items: Any, name: str, ctx: Context) -> list[ParamSet]:
    assert ctx.repo is not None
    include, exclude = _patterns(items)
    sets = []
    for file in ctx.repo.files():
        if not any(glob_match(p, file) for p in include) or any(
            glob_match(p, file) for p in exclude
        ):
            continue
        for position, content in enumerate(_config_objects(file, ctx.repo.read(file))):
            params = copy.deepcopy(content) if ctx.go else flatten(content)
            params.update(path_params(name, posixpath.dirname(file), ctx.go, file=file))
            origin = f"git file {file}" + (f" item {position}" if position else "")
            sets.append(ParamSet(params, origin))
    if not sets:
        ctx.notes.append(f"git files {', '.join(include)} match no file")
    return sets


def _config_objects(file: str, data: bytes | None) -> list[dict[str, Any]]:
    if data is None:
        raise TemplateError(f"cannot read {file}")
    try:
        text = data.decode("utf-8-sig")
        content = json.loads(text) if file.endswith(".json") else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise TemplateError(
            f"{file} is not valid JSON or YAML: {str(exc).splitlines()[0]}"
        ) from exc
    if content is None:
        return []
    items = content if isinstance(content, list) else [content]
    if not all(isinstance(item, dict) for item in items):
        raise TemplateError(f"{file}: each configuration must be a mapping")
    return items


def _clusters(spec: dict[str, Any], ctx: Context) -> list[ParamSet]:
    sets = []
    for cluster in ctx.clusters:
        if ctx.go:
            params: dict[str, Any] = {
                "name": cluster.name,
                "nameNormalized": normalize(cluster.name),
                "server": cluster.server,
                "metadata": {
                    "labels": dict(cluster.labels),
                    "annotations": dict(cluster.annotations),
                },
            }
        else:
            params = {
                "name": cluster.name,
                "nameNormalized": normalize(cluster.name),
                "server": cluster.server,
            }
            params.update({f"metadata.labels.{k}": v for k, v in cluster.labels.items()})
            params.update({f"metadata.annotations.{k}": v for k, v in cluster.annotations.items()})
        sets.append(ParamSet(params, f"cluster {cluster.name}", None))
    selector = spec.get("selector")
    if isinstance(selector, dict) and selector:
        labelled = [c.name for c in ctx.clusters if c.labels]
        sets = [
            s
            for s, c in zip(sets, ctx.clusters, strict=True)
            if c.name in labelled and _selected(_as_label_selector(selector), s.params, ctx.go)
        ]
    return sets


def _as_label_selector(selector: dict[str, Any]) -> dict[str, Any]:
    labels = selector.get("matchLabels")
    result: dict[str, Any] = {
        "matchLabels": {f"metadata.labels.{k}": v for k, v in (labels or {}).items()}
    }
    result["matchExpressions"] = [
        {**e, "key": f"metadata.labels.{e.get('key')}"}
        for e in selector.get("matchExpressions") or []
        if isinstance(e, dict)
    ]
    return result


def _children(spec: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    children = spec.get("generators")
    if not isinstance(children, list) or len(children) < 2:
        raise TemplateError(f"{kind} needs at least two child generators")
    if kind == "matrix" and len(children) != 2:
        raise TemplateError("matrix takes exactly two child generators")
    return [c if isinstance(c, dict) else {} for c in children]


def _matrix(spec: dict[str, Any], ctx: Context, depth: int) -> list[ParamSet]:
    first, second = _children(spec, "matrix")
    sets = []
    for left in generate(first, ctx, depth + 1):
        # the second generator may use the first one's parameters (e.g. a git files path)
        rendered = ctx.render_value(second, left.params)
        for right in generate(rendered, ctx, depth + 1):
            params = _combine(left.params, right.params, ctx.go)
            template = right.template or left.template
            sets.append(ParamSet(params, f"{left.origin} x {right.origin}", template))
    return sets


def _combine(left: dict[str, Any], right: dict[str, Any], go: bool) -> dict[str, Any]:
    if go:
        return _deep_merge(copy.deepcopy(left), right)
    combined = dict(left)
    for key, value in right.items():
        if key in combined and combined[key] != value:
            raise TemplateError(f"matrix: both generators set {key!r} to different values")
        combined[key] = value
    return combined


def _deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _merge(spec: dict[str, Any], ctx: Context, depth: int) -> list[ParamSet]:
    children = _children(spec, "merge")
    keys = [str(k) for k in spec.get("mergeKeys") or []]
    if not keys:
        raise TemplateError("merge needs mergeKeys")
    base = generate(children[0], ctx, depth + 1)
    for child in children[1:]:
        index: dict[tuple[str, ...], ParamSet] = {}
        for item in generate(child, ctx, depth + 1):
            index.setdefault(_merge_key(item.params, keys, ctx.go), item)
        for item in base:
            match = index.get(_merge_key(item.params, keys, ctx.go))
            if match is not None:
                item.params = (
                    _deep_merge(item.params, match.params)
                    if ctx.go
                    else {**item.params, **match.params}
                )
                item.origin += f" + {match.origin}"
    return base


def _merge_key(params: dict[str, Any], keys: list[str], go: bool) -> tuple[str, ...]:
    flat = flatten(params) if go else params
    return tuple(go_string(flat.get(k, "")) for k in keys)


__all__ = ["Context", "NotExpanded", "ParamSet", "Unsupported", "generate", "normalize_repo"]
