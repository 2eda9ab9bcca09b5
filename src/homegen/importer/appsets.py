"""An ApplicationSet → an app with a ``generator``, where homegen's model can say it: one
list generator over a chart app, Applications named ``<set>-{{ .name }}``, one Helm release
per element named after it."""

from __future__ import annotations

import re
from typing import Any

from homegen.importer.apps import ImportedApp
from homegen.importer.location import Location
from homegen.importer.source import SourceTree
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict, as_list

_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{\{")


def _same_template(a: Any, b: str) -> bool:
    return _SPACES.sub("", str(a)) == _SPACES.sub("", b)


def generator_of(app: ImportedApp) -> str | None:
    """Set ``generator`` on the app; else why the set cannot be one of homegen's."""
    spec = as_dict(app.doc.obj.get("spec"))
    generators = as_list(spec.get("generators"))
    template = as_dict(spec.get("template"))
    why = _why_not(app, spec, generators, template)
    if why:
        return why
    elements = as_list(as_dict(as_dict(generators[0]).get("list")).get("elements"))
    chart = next(s for s in _sources(template) if s.get("chart"))
    parameters = {
        str(as_dict(p).get("name")): str(as_dict(p).get("value"))
        for p in as_list(as_dict(chart.get("helm")).get("parameters"))
    }
    generator: dict[str, Any] = {"elements": [dict(e) for e in elements]}
    if parameters:
        generator["parameters"] = parameters
    app.table["generator"] = generator
    app.notes.append(f"list generator of {len(elements)} element(s) → [apps.{app.name}.generator]")
    return None


class TreeRepo:
    """The tree as the checkout ApplicationSet git generators read (paths in the repo)."""

    def __init__(self, tree: SourceTree, loc: Location) -> None:
        prefix = "" if loc.tree_path in ("", ".") else loc.tree_path + "/"
        # what git holds only: an untracked file (e.g. CI credentials) is never matched
        held = list(tree.texts.items())
        if tree.tracked is not None:
            held = [(p, t) for p, t in held if p in tree.tracked]
        self._texts = {prefix + p: t for p, t in held}

    def files(self) -> list[str]:
        """Every file path of the repository this import can see, sorted."""
        return sorted(self._texts)

    def read(self, path: str) -> bytes | None:
        """One file's bytes, or None."""
        text = self._texts.get(path)
        return None if text is None else text.encode("utf-8")


def expand_set(
    doc: Document, tree: SourceTree, loc: Location
) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """(name, Application) of every app the set generates, or why it cannot be expanded."""
    from homegen.appsets import generate_applications

    expansion = generate_applications(doc.obj, TreeRepo(tree, loc), repo_url=loc.repo_url)
    if not expansion.complete:
        return [], "; ".join(p.message for p in expansion.problems)
    if not expansion.apps:
        return [], "it generates no Application"
    return [(g.name, g.app) for g in expansion.apps], None


def _sources(template: dict[str, Any]) -> list[dict[str, Any]]:
    spec = as_dict(template.get("spec"))
    return ([as_dict(spec["source"])] if spec.get("source") else []) + [
        as_dict(s) for s in as_list(spec.get("sources"))
    ]


def _why_not(
    app: ImportedApp, spec: dict[str, Any], generators: list[Any], template: dict[str, Any]
) -> str | None:
    if len(generators) != 1 or set(as_dict(generators[0])) != {"list"}:
        kinds = ", ".join(sorted(k for g in generators for k in as_dict(g)))
        return f"generators {kinds or 'none'}: homegen's model holds one list generator"
    elements = as_list(as_dict(as_dict(generators[0]).get("list")).get("elements"))
    if not elements or not all(
        isinstance(e, dict) and all(isinstance(v, str | int | bool) for v in e.values())
        for e in elements
    ):
        return "list elements must be tables of strings, numbers and booleans"
    if "helm" not in app.table:
        return "homegen's generator fans out a Helm chart app; this set has no chart"
    name = as_dict(template.get("metadata")).get("name")
    if not _same_template(name, f"{app.name}-{{{{ .name }}}}"):
        return f"template name {name!r}: homegen names each Application {app.name}-{{{{ .name }}}}"
    chart = next(s for s in _sources(template) if s.get("chart"))
    release = as_dict(chart.get("helm")).get("releaseName")
    if not _same_template(release, "{{ .name }}"):
        return f"releaseName {release!r}: homegen names each release {{{{ .name }}}}"
    spec_text = str(
        {k: v for k, v in as_dict(template.get("spec")).items() if k != "sources" and k != "source"}
    )
    if _PLACEHOLDER.search(spec_text):
        return "the template uses {{ }} outside the chart's parameters"
    if not spec.get("goTemplate"):
        return "goTemplate is not set: homegen's sets use Go templates"
    return None
