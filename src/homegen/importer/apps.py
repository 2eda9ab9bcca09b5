"""One Application (or ApplicationSet) → the data of its ``[apps.NAME]`` table."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from homegen.config.fields import UNPINNED_CHART_KEYS
from homegen.config.models import GitSource, HelmSource
from homegen.expand.setvalues import merge_values as merge
from homegen.importer.location import Location, repo_key, sources_of
from homegen.importer.report import Report
from homegen.importer.source import SourceTree
from homegen.importer.values import (
    comments_by_key,
    dotted,
    inline_values,
    null_paths,
    set_parameter,
    without_nulls,
)
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict, as_list

WAVE = "argocd.argoproj.io/sync-wave"
IN_CLUSTER = ("https://kubernetes.default.svc", "https://kubernetes.default.svc/")
FINALIZER = "resources-finalizer.argocd.argoproj.io"
HOMEGEN_ANNOTATIONS = (
    "homegen.dev/tier",
    "homegen.dev/after",
    "homegen.dev/after-derived",  # homegen derives these edges again from the CRDs
    "homegen.dev/description",
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


@dataclass
class ImportedApp:
    """What one Application became: its table, the tree folders it syncs, its wave."""

    name: str
    doc: Document
    table: dict[str, Any]
    folders: list[tuple[str, bool]] = field(default_factory=list)  # (folder, recurse)
    wave: int = 0
    tier: str | None = None  # from homegen.dev/tier, when the tree was rendered by homegen
    after: list[str] | None = None  # from homegen.dev/after
    comments: dict[tuple[str | int, ...], list[str]] = field(default_factory=dict)
    values_files: list[str] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)  # the Application spec (or template's)
    history_limit: int | None = None  # the source's revisionHistoryLimit
    objects: list[tuple[Document, dict[str, Any]]] = field(default_factory=list)
    extra_docs: list[Document] = field(default_factory=list)  # objects in the app's own file
    notes: list[str] = field(default_factory=list)  # "imported" lines to report with the app

    @property
    def subject(self) -> str:
        """``Kind/name`` for report lines."""
        return f"{self.doc.obj.get('kind')}/{self.name}"


def convert_app(doc: Document, loc: Location, tree: SourceTree, report: Report) -> ImportedApp:
    """The app table of one Application; every field it cannot hold is reported."""
    obj = doc.obj
    meta = as_dict(obj.get("metadata"))
    name = str(meta.get("name") or "")
    spec = as_dict(obj.get("spec"))
    if obj.get("kind") == "ApplicationSet":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
    app = ImportedApp(name, doc, {}, spec=spec)
    annotations = as_dict(meta.get("annotations"))
    app.wave = _wave(annotations.get(WAVE), app, report)
    _homegen_hints(app, annotations)
    destination = as_dict(spec.get("destination"))
    namespace = destination.get("namespace")
    if namespace:
        app.table["namespace"] = str(namespace)
    else:  # the objects name their own namespaces (or are cluster-scoped)
        app.table["namespace"] = name
        app.table["destination_namespace"] = False
    _sources(app, loc, tree, report)
    return app


def _wave(value: Any, app: ImportedApp, report: Report) -> int:
    if value is None:
        return 0
    try:
        return int(str(value).strip())
    except ValueError:
        _lost(report, app, f"annotation {WAVE}", f"{value!r} is not a number; wave 0 assumed")
        return 0


def _homegen_hints(app: ImportedApp, annotations: dict[str, Any]) -> None:
    tier = annotations.get("homegen.dev/tier")
    if tier in ("infra", "app"):
        app.tier = str(tier)
    after = annotations.get("homegen.dev/after")
    if isinstance(after, str):
        app.after = [a for a in after.split(",") if a]
    description = annotations.get("homegen.dev/description")
    if isinstance(description, str) and description:
        app.table["description"] = description


def _lost(report: Report, app: ImportedApp, what: str, why: str) -> None:
    report.add("not-expressed", app.subject, f"{what}: {why}", app.doc.file, app.doc.line)


def _sources(app: ImportedApp, loc: Location, tree: SourceTree, report: Report) -> None:
    sources = sources_of(app.doc)
    refs = {str(s["ref"]): s for s in sources if s.get("ref")}
    charts = [s for s in sources if s.get("chart")]
    gits: list[dict[str, Any]] = []
    for source in sources:
        if source.get("chart"):
            continue
        if source.get("ref") and not source.get("path"):
            continue  # a $values reference: read through the chart's valueFiles
        folder = loc.local_folder(source, tree)
        if folder is not None:
            _local(app, source, folder, tree, report)
        elif isinstance(source.get("path"), str):
            gits.append(source)
        else:
            _lost(report, app, "source", f"{_describe(source)} is neither a chart nor a path")
        _foreign_refs(app, source, refs, report)
    for extra in charts[1:]:
        _lost(report, app, "source", f"{_describe(extra)}: an app holds one Helm chart")
    if charts:
        _helm(app, charts[0], refs, loc, tree, report)
        for git in gits:
            _lost(report, app, "source", f"{_describe(git)}: an app with a chart holds no Git path")
    elif gits:
        _git(app, gits[0], report)
        for git in gits[1:]:
            _lost(report, app, "source", f"{_describe(git)}: an app holds one Git path")


def _foreign_refs(
    app: ImportedApp, source: dict[str, Any], refs: dict[str, Any], report: Report
) -> None:
    """A Git chart's `$ref/path` value file reads the chart's own repository and revision once
    rendered (plan/build.py): one whose ref source is another is reported, not silently moved."""
    for file in as_list(as_dict(source.get("helm")).get("valueFiles")):
        ref = refs.get(str(file).split("/", 1)[0][1:]) if str(file).startswith("$") else None
        if ref is None:
            continue
        mine = (repo_key(source.get("repoURL")), source.get("targetRevision") or "HEAD")
        if (repo_key(ref.get("repoURL")), ref.get("targetRevision") or "HEAD") != mine:
            _lost(
                report,
                app,
                "source.helm.valueFiles",
                f"{file}: its ref source {_describe(ref)} is not the chart's repository and "
                "revision, which homegen's `$ref` reads",
            )


def _describe(source: dict[str, Any]) -> str:
    what = source.get("chart") or source.get("path") or source.get("ref") or "?"
    return f"{source.get('repoURL')} {what}@{source.get('targetRevision')}"


def _local(
    app: ImportedApp, source: dict[str, Any], folder: str, tree: SourceTree, report: Report
) -> None:
    chart = posixpath.join(folder, "Chart.yaml")
    if chart in tree.texts:
        # the chart stays in the repository, as ArgoCD reads it: a git source with its helm
        # options (value files, skipCrds, release name), not objects homegen would own
        _git(app, source, report)
        report.add(
            "inferred",
            app.subject,
            f"a Helm chart in this tree ({folder}): kept where it is, as a git source of this "
            "repository with its helm options",
            app.doc.file,
            app.doc.line,
        )
        return
    directory = as_dict(source.get("directory"))
    for key in sorted(set(directory) - {"recurse"}):
        _lost(report, app, f"source.directory.{key}", "homegen syncs every manifest of a folder")
    for key in ("helm", "kustomize", "plugin"):
        if key in source:
            _lost(report, app, f"source.{key}", f"options of a local {key} source are not read")
    app.folders.append((folder, bool(directory.get("recurse"))))
    report.add(
        "inferred",
        app.subject,
        f"folder {folder or '.'!r} of this tree: becomes the app's objects",
        app.doc.file,
        app.doc.line,
    )


def _git(app: ImportedApp, source: dict[str, Any], report: Report) -> None:
    directory = as_dict(source.get("directory"))
    data: dict[str, Any] = {
        "repo_url": str(source.get("repoURL") or ""),
        "revision": str(source.get("targetRevision") or "HEAD"),
        "path": str(source.get("path") or ""),
    }
    if directory.get("recurse"):
        data["recurse"] = True
    for key in sorted(set(directory) - {"recurse"}):
        _lost(report, app, f"source.directory.{key}", "homegen syncs every manifest of a folder")
    for key in ("kustomize", "plugin"):
        if key in source:
            _lost(
                report, app, f"source.{key}", "a git source in services.toml takes no such options"
            )
    if "helm" in source:
        _git_chart(app, as_dict(source["helm"]), data, report)
    try:
        GitSource.model_validate(data)
    except ValidationError as exc:
        _lost(report, app, "source", f"{_describe(source)}: {_first_error(exc)}")
        return
    app.table["git"] = data


_GIT_CHART = {
    "valueFiles": "value_files",
    "skipCrds": "skip_crds",
    "ignoreMissingValueFiles": "ignore_missing_value_files",
}


def _git_chart(
    app: ImportedApp, helm: dict[str, Any], data: dict[str, Any], report: Report
) -> None:
    """The Helm options of a chart in a Git folder → [apps.NAME.git.helm], rendered back as is."""
    chart: dict[str, Any] = {}
    for key, name in _GIT_CHART.items():
        if key in helm:
            value = helm[key]
            chart[name] = [str(v) for v in as_list(value)] if key == "valueFiles" else bool(value)
    if helm.get("releaseName") is not None:  # kept even when the app's name: as written
        _release_name(app, helm["releaseName"], chart, report)
    for key in sorted(set(helm) - set(_GIT_CHART) - {"releaseName"}):
        _lost(report, app, f"source.helm.{key}", "services.toml has no such option of a Git chart")
    chart = {k: v for k, v in chart.items() if v}
    if chart:
        data["helm"] = chart


def _release_name(app: ImportedApp, release: Any, data: dict[str, Any], report: Report) -> None:
    """helm.releaseName kept where it is a name Helm takes; reported where it is not."""
    try:
        HelmSource.model_validate(
            {"repo_url": "https://x", "chart": "x", "version": "1.0.0", "release_name": release}
        )
    except ValidationError as exc:
        _lost(report, app, "helm.releaseName", f"{release!r} not kept: {_first_error(exc)}")
        return
    data["release_name"] = release


def _pinned(app: ImportedApp, data: dict[str, Any], tree: SourceTree, report: Report) -> bool:
    """A version range is kept as the owner wrote it, with an ``imported:`` exception for
    HG332; where a version available offline satisfies it, the report suggests pinning to it."""
    from homegen.importer.pinning import is_chart_range, pin_range

    wanted = data["version"]
    if not is_chart_range(wanted):
        return True
    label = f"{data['chart']} version `{wanted}`"
    pinned, where = pin_range(data["repo_url"], data["chart"], wanted, tree.chart_dirs)
    found = f"pin to {pinned} (the newest available offline, in {where})" if pinned else where
    reason = f"imported: {label} is a range: ArgoCD syncs the newest release it allows"
    fields = app.table.setdefault("application", {})
    fields.setdefault("annotations", {})[UNPINNED_CHART_KEYS[0]] = reason
    report.add(
        "inferred",
        f"apps.{app.name}.application.annotations.{UNPINNED_CHART_KEYS[0]}",
        f"{label} kept as a range, excepted from HG332; to deploy one tested version, {found}"
        if pinned
        else f"{label} kept as a range, excepted from HG332; no version is available offline "
        f"({found}), so render does not expand it",
        app.doc.file,
        app.doc.line,
    )
    return True


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _helm(
    app: ImportedApp,
    source: dict[str, Any],
    refs: dict[str, dict[str, Any]],
    loc: Location,
    tree: SourceTree,
    report: Report,
) -> None:
    repo = str(source.get("repoURL") or "")
    if not _SCHEME.match(repo):
        repo = "oci://" + repo
        report.add("inferred", app.subject, f"chart repository {repo}: an OCI registry")
    data: dict[str, Any] = {
        "repo_url": repo,
        "chart": str(source.get("chart")),
        "version": str(source.get("targetRevision") or ""),
    }
    if not _pinned(app, data, tree, report):
        return
    try:
        HelmSource.model_validate(data)
    except ValidationError as exc:
        _lost(report, app, "source", f"{_describe(source)} not imported: {_first_error(exc)}")
        return
    app.table["helm"] = data
    helm = as_dict(source.get("helm"))
    release = helm.get("releaseName")
    is_set = app.doc.obj.get("kind") == "ApplicationSet"  # release and parameters: generator
    if release not in (None, app.name) and not is_set:
        _release_name(app, release, data, report)
    values: dict[str, Any] = {}
    for file in as_list(helm.get("valueFiles")):
        values = merge(values, _values_file(app, str(file), refs, loc, tree, report))
    if "values" in helm:
        inline = inline_values(helm["values"])
        if inline is None:
            _lost(report, app, "helm.values", "not a YAML mapping")
        else:
            values = merge(values, inline)
    if isinstance(helm.get("valuesObject"), dict):
        values = merge(values, helm["valuesObject"])
    for param in [] if is_set else as_list(helm.get("parameters")):
        param = as_dict(param)
        name, value = str(param.get("name", "")), str(param.get("value", ""))
        if set_parameter(values, name, value, bool(param.get("forceString"))):
            report.add("inferred", app.subject, f"helm parameter {name} merged into values")
        else:
            _lost(report, app, f"helm.parameters {name}", "list indices and escapes are not read")
    if helm.get("skipCrds") is True:
        data["skip_crds"] = True
    known = {"releaseName", "valueFiles", "values", "valuesObject", "parameters", "skipCrds"}
    for key in sorted(set(helm) - known):
        _lost(report, app, f"helm.{key}", "services.toml has no such chart option")
    for path in null_paths(values):
        _lost(report, app, f"values.{dotted(path)}", "null cannot be written in TOML (dropped)")
    values = without_nulls(values)
    if values:
        app.table["values"] = values


def _values_file(
    app: ImportedApp,
    file: str,
    refs: dict[str, dict[str, Any]],
    loc: Location,
    tree: SourceTree,
    report: Report,
) -> dict[str, Any]:
    ref, _, rest = file.partition("/")
    if not ref.startswith("$") or ref[1:] not in refs:
        _lost(
            report,
            app,
            f"valueFiles {file}",
            "a file inside the chart or its repository is not read",
        )
        return {}
    target = refs[ref[1:]]
    rel = loc.in_tree(rest) if repo_key(target.get("repoURL")) == repo_key(loc.repo_url) else None
    docs = tree.document(rel) if rel is not None else []
    if not docs:
        _lost(report, app, f"valueFiles {file}", "not a file of this tree (not read)")
        return {}
    values: dict[str, Any] = {}
    for doc in docs:
        values = merge(values, doc.obj)
    assert rel is not None
    app.values_files.append(rel)
    text = tree.texts.get(rel, "")
    for path, lines in comments_by_key(text).items():
        app.comments.setdefault(("values", *path), lines)
    report.add("imported", app.subject, f"values file {rel} → [apps.{app.name}.values]")
    return values
