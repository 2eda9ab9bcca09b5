"""``generate_applications``: an ApplicationSet's generators and template → Applications."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from homegen.appsets import gotemplate
from homegen.appsets.generators import (
    Context,
    NotExpanded,
    ParamSet,
    _deep_merge,
    generate,
    normalize_repo,
)
from homegen.appsets.gotemplate import TemplateError, Unsupported
from homegen.appsets.repo import IN_CLUSTER, Cluster, DiskRepo, Repo

APPLICATION_API = "argoproj.io/v1alpha1"
_FAST_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

ProblemKind = Literal["not-expanded", "template-error", "empty"]


@dataclass(frozen=True)
class Problem:
    """Why (part of) an ApplicationSet was not expanded, or expands to nothing."""

    kind: ProblemKind
    message: str


@dataclass
class GeneratedApp:
    """One Application the set generates: its manifest, parameters and origin."""

    name: str
    app: dict[str, Any]  # the whole Application: apiVersion, kind, metadata, spec
    params: dict[str, Any]
    origin: str  # e.g. "git directory apps/web", "list element 0 x cluster in-cluster"

    @property
    def sources(self) -> list[dict[str, Any]]:
        """``spec.source`` and ``spec.sources[]``."""
        spec = self.app.get("spec") or {}
        single = [spec["source"]] if isinstance(spec.get("source"), dict) else []
        return single + [s for s in spec.get("sources") or [] if isinstance(s, dict)]

    @property
    def namespace(self) -> str:
        """The destination namespace ("" when none)."""
        destination = (self.app.get("spec") or {}).get("destination") or {}
        return str(destination.get("namespace") or "") if isinstance(destination, dict) else ""


@dataclass
class Expansion:
    """Every Application of one set; ``complete`` is False when something was not expanded."""

    apps: list[GeneratedApp] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every generator was expanded (the apps are all the set creates)."""
        return not any(p.kind != "empty" for p in self.problems)


def generate_applications(
    appset: dict[str, Any],
    repo: Repo | Path | None,
    clusters: Sequence[Cluster] = (IN_CLUSTER,),
    *,
    repo_url: str = "",
) -> Expansion:
    """The Applications ``appset`` (a whole ApplicationSet manifest) generates.

    ``repo`` is the local checkout the git generators read (a ``Repo``, a folder, or None);
    ``repo_url`` the URL it is a checkout of (a git generator of another repository is not
    expanded); ``clusters`` what the ``clusters`` generator yields. Never raises for bad
    input: problems are in the result.
    """
    if isinstance(repo, Path):
        repo = DiskRepo(repo)
    try:
        return _generate(appset, repo, clusters, repo_url)
    except (TypeError, AttributeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        # malformed input the steps above do not foresee: reported, never a crash
        message = f"cannot expand this ApplicationSet ({type(exc).__name__}: {exc})"
        return Expansion(problems=[Problem("not-expanded", message)])


def _generate(
    appset: dict[str, Any], repo: Repo | None, clusters: Sequence[Cluster], repo_url: str
) -> Expansion:
    spec = appset.get("spec") if isinstance(appset.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    go = spec.get("goTemplate") is True
    options = [str(o) for o in spec.get("goTemplateOptions") or []]
    engine = _Engine(go, "missingkey=error" in options)
    ctx = Context(repo, clusters, normalize_repo(repo_url), go, engine.value)
    result = Expansion()
    metadata = appset.get("metadata")
    namespace = str(metadata.get("namespace") or "") if isinstance(metadata, dict) else ""
    template = spec.get("template")
    template = template if isinstance(template, dict) else {}
    for position, generator in enumerate(spec.get("generators") or []):
        try:
            sets = generate(generator, ctx)
        except NotExpanded as exc:
            result.problems.append(Problem("not-expanded", f"generator {position}: {exc}"))
            continue
        except Unsupported as exc:
            result.problems.append(Problem("not-expanded", f"generator {position}: {exc}"))
            continue
        except TemplateError as exc:
            result.problems.append(Problem("template-error", f"generator {position}: {exc}"))
            continue
        for item in sets:
            try:
                result.apps.append(_application(item, template, spec, engine, namespace))
            except Unsupported as exc:
                result.problems.append(Problem("not-expanded", f"{item.origin}: {exc}"))
            except TemplateError as exc:
                result.problems.append(Problem("template-error", f"{item.origin}: {exc}"))
    result.problems += [Problem("empty", note) for note in ctx.notes]
    return result


def _application(
    item: ParamSet,
    template: dict[str, Any],
    spec: dict[str, Any],
    engine: _Engine,
    namespace: str,
) -> GeneratedApp:
    merged = copy.deepcopy(template)
    if item.template:
        _deep_merge(merged, item.template)
    rendered = engine.value(merged, item.params)
    patch = spec.get("templatePatch")
    if isinstance(patch, str) and patch.strip():
        if not engine.go:
            raise TemplateError("templatePatch needs goTemplate: true")
        text = engine.text(patch, item.params)
        try:
            patched = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TemplateError(f"templatePatch is not YAML once rendered: {exc}") from exc
        if isinstance(patched, dict):
            _deep_merge(rendered, patched)
    metadata = rendered.get("metadata") if isinstance(rendered.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise TemplateError("the template gives the Application no name")
    if namespace:
        metadata["namespace"] = namespace
    app = {
        "apiVersion": APPLICATION_API,
        "kind": "Application",
        "metadata": metadata,
        "spec": rendered.get("spec") if isinstance(rendered.get("spec"), dict) else {},
    }
    return GeneratedApp(name, _without_nulls(app), item.params, item.origin)


def _without_nulls(value: Any) -> Any:
    """The controller builds a typed Application: a key set to null (the templatePatch idiom
    ``source: null`` beside ``sources:``) is a nil field, absent from the object it creates."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


class _Engine:
    """The set's template mode: ``{{param}}`` substitution or Go templates, per string."""

    def __init__(self, go: bool, missing_error: bool) -> None:
        self.go = go
        self.missing_error = missing_error

    def text(self, text: str, params: dict[str, Any]) -> str:
        """One string rendered."""
        if "{{" not in text:
            return text
        if self.go:
            return gotemplate.render(text, params, missing_error=self.missing_error)

        def one(match: re.Match[str]) -> str:
            value = params.get(match.group(1).strip())
            return match.group(0) if value is None else str(value)

        return _FAST_TAG.sub(one, text)

    def value(self, value: Any, params: dict[str, Any]) -> Any:
        """Every string (keys too) of a value rendered; other scalars kept."""
        if isinstance(value, str):
            return self.text(value, params)
        if isinstance(value, dict):
            return {self.text(str(k), params): self.value(v, params) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, params) for v in value]
        return value
