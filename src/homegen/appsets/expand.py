"""``generate_applications``: an ApplicationSet's generators and template → Applications."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from homegen.appsets.application import APPLICATION_API, Engine, application, fill
from homegen.appsets.generators import Context, NotExpanded, ParamSet, generate, normalize_repo
from homegen.appsets.gotemplate import OutOfTime, TemplateError, Unsupported
from homegen.appsets.repo import IN_CLUSTER, Cluster, DiskRepo, Repo
from homegen.appsets.settings import Settings
from homegen.validate.reader.documents import without_null_keys

__all__ = ["APPLICATION_API", "Expansion", "GeneratedApp", "Problem", "generate_applications"]

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
    settings: Settings | None = None,
) -> Expansion:
    """The Applications ``appset`` (a whole ApplicationSet manifest) generates.

    ``repo`` is the local checkout the git generators read (a ``Repo``, a folder, or None);
    ``repo_url`` the URL it is a checkout of (a git generator of another repository is not
    expanded); ``clusters`` the declared clusters (cluster secrets) the ``clusters``
    generator reads; ``settings`` the controller's flags and homegen's limits. Never raises
    for bad input: problems are in the result.
    """
    if isinstance(repo, Path):
        repo = DiskRepo(repo)
    settings = settings or Settings.from_environment()
    try:
        return _generate(appset, repo, clusters, repo_url, settings)
    except (TypeError, AttributeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        # malformed input the steps above do not foresee: reported, never a crash
        message = f"cannot expand this ApplicationSet ({type(exc).__name__}: {exc})"
        return Expansion(problems=[Problem("not-expanded", message)])


def _generate(
    appset: dict[str, Any],
    repo: Repo | None,
    clusters: Sequence[Cluster],
    repo_url: str,
    settings: Settings,
) -> Expansion:
    spec = appset.get("spec") if isinstance(appset.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    options = [str(o) for o in spec.get("goTemplateOptions") or []]
    engine = Engine(spec.get("goTemplate") is True, options, settings)
    ctx = Context(
        repo, clusters, normalize_repo(repo_url), engine.go, engine.value,
        new_globbing=settings.new_globbing, hidden_directories=settings.hidden_directories,
        max_sets=settings.max_apps, resolve_values=engine.resolve,
    )  # fmt: skip
    result = Expansion()
    metadata = appset.get("metadata")
    namespace = str(metadata.get("namespace") or "") if isinstance(metadata, dict) else ""
    template = spec.get("template")
    template = template if isinstance(template, dict) else {}
    for position, generator in enumerate(spec.get("generators") or []):
        try:
            sets = generate(generator, ctx)
            ctx.check_count(len(result.apps) + len(sets))
        except (NotExpanded, Unsupported) as exc:
            result.problems.append(Problem("not-expanded", f"generator {position}: {exc}"))
            continue
        except TemplateError as exc:
            result.problems.append(Problem("template-error", f"generator {position}: {exc}"))
            continue
        for item in sets:
            try:
                result.apps.append(_application(item, template, spec, engine, namespace))
            except OutOfTime as exc:
                # the rest would run out of time too: stop the whole set
                result.problems.append(Problem("not-expanded", f"{item.origin}: {exc}"))
                return result
            except Unsupported as exc:
                result.problems.append(Problem("not-expanded", f"{item.origin}: {exc}"))
            except TemplateError as exc:
                result.problems.append(Problem("template-error", f"{item.origin}: {exc}"))
    result.problems += [Problem("empty", note) for note in ctx.notes]
    return result


def _application(
    item: ParamSet, template: dict[str, Any], spec: dict[str, Any], engine: Engine, namespace: str
) -> GeneratedApp:
    merged = fill(copy.deepcopy(item.template), template) if item.template else template
    app = application(item.params, merged, spec, engine, namespace)
    name = app["metadata"].get("name")
    if not isinstance(name, str) or not name:
        raise TemplateError("the template gives the Application no name")
    # the controller builds a typed Application: a key set to null (the templatePatch idiom
    # ``source: null`` beside ``sources:``) is a nil field, absent from the object it creates
    return GeneratedApp(name, without_null_keys(app), item.params, item.origin)
