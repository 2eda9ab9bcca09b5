"""The generators: each turns its spec into parameter sets, as the controller does."""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from homegen.appsets.clusters import cluster_params, labels_match
from homegen.appsets.combine import matrix_params, merge_params
from homegen.appsets.configfiles import config_objects, json_numbers
from homegen.appsets.globbing import (
    BadPattern,
    doublestar_match,
    is_hidden,
    path_match,
    pathspec_match,
)
from homegen.appsets.gotemplate import TemplateError, Unsupported
from homegen.appsets.params import flatten, path_params
from homegen.appsets.repo import Cluster, Repo, same_repo_key
from homegen.appsets.settings import MAX_APPS_ENV

ELSEWHERE = ("scmProvider", "pullRequest", "plugin", "clusterDecisionResource")
KINDS = ("list", "clusters", "git", "matrix", "merge", *ELSEWHERE)


class NotExpanded(Exception):
    """A generator homegen cannot expand here (kind, repository, engine): reported."""


class TooMany(NotExpanded):
    """More parameter sets than the limit: expansion stopped before building them all."""


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
    new_globbing: bool = False  # applicationsetcontroller.enable.new.git.file.globbing
    hidden_directories: bool = False  # reposerver.include.hidden.directories
    max_sets: int = 10_000
    # a matrix child's values rendered with the first child's parameters, missing keys kept
    resolve_values: Callable[[Any, dict[str, Any]], Any] | None = None

    def check_count(self, count: int) -> None:
        """Stop once a generator yields more sets than an ApplicationSet may create."""
        if count > self.max_sets:
            raise TooMany(
                f"more than {self.max_sets} Applications (homegen's limit per ApplicationSet, "
                f"{MAX_APPS_ENV}): expansion stopped"
            )


def normalize_repo(url: Any) -> str:
    """A repository URL compared loosely (scheme, user, ``.git``, case: see same_repo_key)."""
    return same_repo_key(url)


def kinds_of(generator: dict[str, Any]) -> list[str]:
    """The generator kinds one entry names (ArgoCD runs each one it finds; the API server
    prunes any other key, so it is ignored)."""
    return [k for k in generator if k in KINDS and generator.get(k) is not None]


def generate(
    generator: Any, ctx: Context, depth: int = 0, *, nested: bool = False
) -> list[ParamSet]:
    """Parameter sets of one generator entry (every kind it names, ``selector`` applied)."""
    if not isinstance(generator, dict):
        raise TemplateError("a generator must be a mapping")
    kinds = kinds_of(generator)
    if not kinds:
        raise TemplateError(f"unrecognized generator: {', '.join(map(str, generator)) or '{}'}")
    if nested and len(kinds) > 1:
        raise TemplateError(f"found more than one generator in a child: {', '.join(kinds)}")
    sets: list[ParamSet] = []
    for kind in kinds:
        spec = generator[kind]
        if not isinstance(spec, dict):
            raise TemplateError(f"the {kind} generator must be a mapping")
        found = [ParamSet(p, o) for p, o in _kind(kind, spec, ctx, depth)]
        template = spec.get("template")
        for item in found:
            item.template = template if isinstance(template, dict) and template else None
        sets += found
        ctx.check_count(len(sets))
    selector = generator.get("selector")
    if isinstance(selector, dict) and selector:
        sets = [s for s in sets if labels_match(selector, flatten(s.params))]
    return sets


def _kind(
    kind: str, spec: dict[str, Any], ctx: Context, depth: int
) -> list[tuple[dict[str, Any], str]]:
    if kind == "list":
        return _list(spec, ctx)
    if kind == "git":
        return _git(spec, ctx)
    if kind == "clusters":
        found = cluster_params(spec, ctx.clusters, ctx.go, lambda p: _add_values(p, spec, ctx))
        return [(p, f"cluster {p.get('name', 'list')}") for p in found]
    if kind in ("matrix", "merge"):
        if depth >= 2:
            raise TemplateError(f"{kind} nested more than two levels")

        def child(gen: Any, params: dict[str, Any] | None) -> list[ParamSet]:
            if params:
                gen = _interpolate(gen, params, ctx)
            return generate(gen, ctx, depth + 1, nested=True)

        combined = matrix_params if kind == "matrix" else merge_params
        return combined(spec, ctx.go, child, ctx.check_count)
    raise NotExpanded(f"the {kind} generator needs a live cluster or an API")


def _interpolate(generator: Any, params: dict[str, Any], ctx: Context) -> Any:
    """A matrix's second child rendered with the first child's parameters; the values of its
    git or clusters generator keep what refers to its own parameters (missing keys)."""
    if not isinstance(generator, dict):
        return generator
    result = {}
    for kind, spec in generator.items():
        values = spec.get("values") if isinstance(spec, dict) else None
        if isinstance(values, dict) and kind in ("git", "clusters"):
            rest = ctx.render_value({k: v for k, v in spec.items() if k != "values"}, params)
            assert ctx.resolve_values is not None
            rest["values"] = {k: ctx.resolve_values(v, params) for k, v in values.items()}
            result[kind] = rest
        else:
            result[kind] = ctx.render_value(spec, params)
    return result


def _add_values(params: dict[str, Any], spec: dict[str, Any], ctx: Context) -> None:
    values = spec.get("values")
    if not isinstance(values, dict) or not values:
        return
    rendered = {str(k): ctx.render_value(str(v), params) for k, v in values.items()}
    if ctx.go:
        params["values"] = rendered
    else:
        params.update({f"values.{k}": v for k, v in rendered.items()})


def _list(spec: dict[str, Any], ctx: Context) -> list[tuple[dict[str, Any], str]]:
    elements = spec.get("elements")
    found: list[tuple[dict[str, Any], str]] = []
    for index, element in enumerate(elements if isinstance(elements, list) else []):
        if not isinstance(element, dict):
            raise TemplateError(f"list element {index} is not a mapping")
        found.append((_list_params(index, element, ctx.go), f"list element {index}"))
        ctx.check_count(len(found))
    text = spec.get("elementsYaml")
    if isinstance(text, str) and text:
        # appended to the elements, as they are, in both template modes
        extra = config_objects("elementsYaml", text.encode(), only_list=True)
        start = len(found)
        found += [(e, f"list elementsYaml {start + i}") for i, e in enumerate(extra)]
        ctx.check_count(len(found))
    return found


def _list_params(index: int, element: dict[str, Any], go: bool) -> dict[str, Any]:
    if go:
        params: dict[str, Any] = json_numbers(copy.deepcopy(element))
        return params
    params = {}
    for key, value in element.items():
        if key == "values":
            if not isinstance(value, dict):
                raise TemplateError(f"list element {index}: values is not a mapping")
            for name, inner in value.items():
                if not isinstance(inner, str):
                    raise TemplateError(f"list element {index}: values.{name} is not a string")
                params[f"values.{name}"] = inner
        elif isinstance(value, str):
            params[str(key)] = value
        else:
            raise TemplateError(
                f"list element {index}: {key!r} is not a string "
                "(without goTemplate every value must be one)"
            )
    return params


def _git(spec: dict[str, Any], ctx: Context) -> list[tuple[dict[str, Any], str]]:
    url = spec.get("repoURL")
    if ctx.repo is None:
        raise NotExpanded("no local checkout to read the git generator from")
    if ctx.repo_url and normalize_repo(url) != ctx.repo_url:
        raise NotExpanded(f"the git generator reads {url}, not the checkout being validated")
    prefix = spec.get("pathParamPrefix")
    prefix = prefix if isinstance(prefix, str) else ""
    if spec.get("directories"):
        return _git_directories(spec, prefix, ctx)
    if spec.get("files"):
        return _git_files(spec, prefix, ctx)
    raise TemplateError("the git generator has neither directories nor files")


def _patterns(items: Any) -> tuple[list[str], list[str]]:
    include: list[str] = []
    exclude: list[str] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            (exclude if item.get("exclude") else include).append(item["path"])
    return include, exclude


def _folders(ctx: Context) -> list[str]:
    assert ctx.repo is not None
    folders: set[str] = set()
    for file in ctx.repo.files():
        parent = posixpath.dirname(file)
        while parent and parent not in folders:
            folders.add(parent)
            parent = posixpath.dirname(parent)
    return sorted(f for f in folders if ctx.hidden_directories or not is_hidden(f))


def _matches(pattern: str, path: str) -> bool:
    try:
        return path_match(pattern, path)
    except BadPattern:
        return False  # the controller logs a bad pattern and skips it


def _git_directories(
    spec: dict[str, Any], prefix: str, ctx: Context
) -> list[tuple[dict[str, Any], str]]:
    include, exclude = _patterns(spec.get("directories"))
    found = []
    for folder in _folders(ctx):
        if any(_matches(p, folder) for p in include) and not any(
            _matches(p, folder) for p in exclude
        ):
            params = path_params(prefix, folder, ctx.go)
            _add_values(params, spec, ctx)
            found.append((params, f"git directory {folder}"))
            ctx.check_count(len(found))
    if not found:
        ctx.notes.append(f"git directories {', '.join(include)} match no folder")
    return found


def _listed(pattern: str, ctx: Context) -> set[str]:
    """The files the repo-server returns for one pattern (ls-files, or doublestar)."""
    assert ctx.repo is not None
    if not ctx.new_globbing:
        return {f for f in ctx.repo.files() if pathspec_match(pattern, f)}
    try:
        folder = next((d for d in _folders(ctx) if doublestar_match(pattern, d)), None)
        if folder is not None:
            # the new globbing returns folders too, and reading one fails the generator
            raise TemplateError(f"pattern {pattern!r} matches the folder {folder}")
        return {f for f in ctx.repo.files() if doublestar_match(pattern, f)}
    except BadPattern as exc:
        raise TemplateError(str(exc)) from exc


def _git_files(spec: dict[str, Any], prefix: str, ctx: Context) -> list[tuple[dict[str, Any], str]]:
    assert ctx.repo is not None
    include, exclude = _patterns(spec.get("files"))
    chosen: set[str] = set()
    for pattern in include:
        chosen |= _listed(pattern, ctx)
    for pattern in exclude:
        chosen -= _listed(pattern, ctx)
    found = []
    for file in sorted(chosen):
        for position, content in enumerate(config_objects(file, ctx.repo.read(file))):
            params = copy.deepcopy(content) if ctx.go else flatten(content)
            params.update(path_params(prefix, posixpath.dirname(file), ctx.go, file=file))
            _add_values(params, spec, ctx)
            origin = f"git file {file}" + (f" item {position}" if position else "")
            found.append((params, origin))
            ctx.check_count(len(found))
    if not chosen:  # files that hold an empty list make nothing, as they should
        ctx.notes.append(f"git files {', '.join(include)} match no file")
    return found


__all__ = ["Context", "NotExpanded", "ParamSet", "Unsupported", "generate", "normalize_repo"]
