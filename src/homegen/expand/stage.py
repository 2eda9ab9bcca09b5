"""``expand_tree``: the tree's documents plus every object its charts and kustomizations make."""

from __future__ import annotations

import importlib.util
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from homegen.charts import ChartSearch
from homegen.charts.cache import ChartCache, default_cache_root
from homegen.expand import cache, dependencies
from homegen.expand.chart_render import ChartCapabilities, render_job
from homegen.expand.chartpath import chart_path, not_found
from homegen.expand.inputs import namespaces_named, under, unnamed_files
from homegen.expand.kustomize import BuildFailed, NeedsNetwork, build, kustomize_command
from homegen.expand.kustomize_errors import kustomize_message
from homegen.expand.kustomize_helm import HelmContext, build_with_options, chart_template
from homegen.expand.kustomize_options import BuildOptions, needed_build_options, option_notes
from homegen.expand.model import ExpandSettings, Expansion, Failure, Origin, ValuesProblem
from homegen.expand.nested import nested_apps
from homegen.expand.sources import AppRef, HelmJob, KustomizeJob, Plan, needs_expansion
from homegen.expand.sources import plan_expansion as _plan
from homegen.expand.treecharts import ChartRefused, TreeCharts, folder_digest
from homegen.treeread import TreeReader
from homegen.validate.reader.documents import Document, LoadProblem, parse_with_yaml
from homegen.validate.reader.tree import CLUSTER_SCOPED, as_dict

CRD = "CustomResourceDefinition"


def expand_tree(docs: list[Document], settings: ExpandSettings) -> Expansion:
    """The documents to validate: ``docs`` with kustomize inputs and chart sources replaced
    by what they build, every expanded document carrying its ``Origin``."""
    if not needs_expansion(docs):
        return Expansion(list(docs))
    if settings.reader is None and settings.tree_root is not None:
        settings = replace(settings, reader=TreeReader.for_tree(settings.tree_root))
    plan, _tree = _plan(
        docs, settings.repo_prefix, settings.tree_root, settings.reader, settings.repo_url,
        settings.other_revisions,
    )  # fmt: skip
    # folders no build can run for stay as written: read file by file, as before expansion
    built = [job.folder for job in plan.kustomize] if _can_build(settings) else []
    inputs = (_kustomize_inputs(built, docs) if built else set()) | {
        job.chart_folder for job in plan.helm if job.chart_folder is not None
    }
    unlisted = unnamed_files(docs) if inputs or plan.kustomize else set()  # else unread
    expansion = Expansion(_without_inputs(docs, inputs, unlisted) if inputs else list(docs))
    expansion.notes += plan.notes
    expansion.incomplete |= plan.incomplete
    expansion.skipped.update(plan.skipped)
    for app, source, why in plan.failures:
        expansion.failures.append(_failure(app, source, why))
        expansion.not_expanded(app.name, app.namespace, f"{source} failed")
    charts = TreeCharts(settings.reader)
    try:
        _expand_charts(plan, docs, settings, expansion, charts)
    finally:
        charts.close()
    options = needed_build_options(bool(plan.kustomize), docs, settings.reader, settings.tree_root)
    if plan.kustomize:
        expansion.notes += option_notes(options)
    helm = HelmContext(
        settings.chart_dirs, settings.chart_cache, settings.kubernetes_version,
        [d.obj for d in docs if d.obj.get("kind") == CRD],
    )  # fmt: skip
    made_from: set[str] = set()
    not_made_from: set[str] = set()
    for job in plan.kustomize:
        job_inputs = _kustomize_inputs([job.folder], docs)
        made = expansion.expanded
        _expand_kustomize(
            job, settings, expansion, _built_from(docs, job_inputs, unlisted), (options, helm)
        )
        (made_from if expansion.expanded > made else not_made_from).update(job_inputs)
        if expansion.expanded == made:  # not built: the namespaces it writes to are not known
            for namespace in namespaces_named(docs, job_inputs, unlisted):
                expansion.incomplete.add(namespace)
                expansion.named_by.setdefault(namespace, job.app.name)
    _restore_apps(docs, expansion, not_made_from, made_from)
    nested_apps(docs, expansion, settings, plan)
    _default_namespaces(expansion.documents)
    return expansion


def _restore_apps(
    docs: list[Document], expansion: Expansion, not_made: set[str], made: set[str]
) -> None:
    """The Applications and ApplicationSets among the inputs of builds not made, as written:
    which apps ArgoCD creates stays known (a root beside a helmCharts install of ArgoCD)."""
    for i, doc in enumerate(docs):  # the expansion's documents start with the tree's, in order
        kept = expansion.documents[i]
        if kept.skip != _READ or doc.obj.get("kind") not in ("Application", "ApplicationSet"):
            continue
        if under(doc.file, not_made) and not under(doc.file, made):
            expansion.documents[i] = doc


def _can_build(settings: ExpandSettings) -> bool:
    return settings.tree_root is not None and kustomize_command() is not None


def _kustomize_inputs(folders: list[str], docs: list[Document]) -> set[str]:
    """The folders and files a build reads: each built folder, and the local resources,
    bases and components it names (recursively through their own kustomizations)."""
    kustomizations = {
        posixpath.dirname(d.file): d.obj
        for d in docs
        if posixpath.basename(d.file) in ("kustomization.yaml", "kustomization.yml")
    }
    found: set[str] = set()
    queue = list(folders)
    while queue:
        folder = queue.pop()
        if folder in found:
            continue
        found.add(folder)
        spec = kustomizations.get(folder, {})
        for key in ("resources", "bases", "components"):
            for entry in spec.get(key) or []:
                if "://" in str(entry):
                    continue  # a remote base: not in the tree
                target = posixpath.normpath(posixpath.join(folder, str(entry)))
                if target in kustomizations:
                    queue.append(target)
                else:
                    found.add(target)
    return found


_READ = "read by a kustomize build or a chart"


def _without_inputs(docs: list[Document], inputs: set[str], unlisted: set[str]) -> list[Document]:
    """The documents, those a build or a chart reads marked as skipped: they are inputs,
    not resources (the files stay, so their folders exist for the path checks)."""
    kept: list[Document] = []
    for doc in docs:
        kustomization = posixpath.basename(doc.file) in ("kustomization.yaml", "kustomization.yml")
        refused = any(p.kind == "out-of-bounds" for p in doc.problems)
        read = under(doc.file, inputs) and doc.file not in unlisted
        if not read or doc.skip or kustomization or refused:
            kept.append(doc)
        else:
            kept.append(replace(doc, skip=_READ, problems=[]))
    return kept


Sources = dict[tuple[str, str], list[tuple[str, int]]]


def _built_from(docs: list[Document], inputs: set[str], unlisted: set[str]) -> Sources:
    """(kind, name) → the input files and lines that define such an object: a built object
    is reported at the file it was written in when exactly one input file defines it."""
    found: Sources = {}
    for doc in docs:
        if doc.problems or not under(doc.file, inputs) or doc.file in unlisted:
            continue
        kind, meta = doc.obj.get("kind"), as_dict(doc.obj.get("metadata"))
        if isinstance(kind, str) and meta.get("name"):
            found.setdefault((kind, str(meta["name"])), []).append((doc.file, doc.line))
    return found


def _failure(app: AppRef, source: str, message: str) -> Failure:
    return Failure(app.owner_file, app.owner, app.name, source, message)


def _with_dependencies(
    job: HelmJob,
    chart: dict[str, Any],
    path: Path,
    charts: TreeCharts,
    search: ChartSearch,
    expansion: Expansion,
) -> Path | None:
    """The folder to render for an in-tree chart: the reader's copy of a wrapper chart with
    its dependencies vendored (never the tree's folder), else ``path``; None when the build
    fails as ``helm dependency build`` would (the failure is recorded)."""
    if not dependencies.missing(chart, path):
        return path
    try:
        copy = charts.loadable(path, True)
    except ChartRefused:
        return path  # rendering it reports the refusal
    vendored = dependencies.vendor(chart, copy, search, charts.reader, path)
    app = job.app
    if vendored.failure:
        expansion.failures.append(_failure(app, job.label, vendored.failure))
        expansion.not_expanded(app.name, app.namespace, f"{job.label} failed")
        return None
    if vendored.absent:
        values = dependencies.chart_values(charts.reader, path, job.value_files, job.values)
        vendored = dependencies.unused(vendored, chart, values)
    for name in vendored.absent:
        expansion.notes.append(f"{app.name}: dependency {name} not found: not expanded")
        expansion.not_expanded(app.name, app.namespace, f"dependency {name} not found")
    for name in vendored.unused:  # Helm would not render it: nothing is missing
        expansion.notes.append(f"{app.name}: dependency {name} not found, but off for its values")
    return copy


def _engine_id() -> str | None:
    """The installed engine's version, without importing it (a warm render never does)."""
    spec = importlib.util.find_spec("helm_python")
    if spec is None or spec.origin is None:
        return None
    try:
        text = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    return f"helm-python-sdk {match[1] if match else '?'}"


def _expand_charts(
    plan: Plan,
    docs: list[Document],
    settings: ExpandSettings,
    expansion: Expansion,
    charts: TreeCharts,
) -> None:
    located: list[tuple[HelmJob, Path]] = []
    nowhere: list[HelmJob] = []
    # settings.chart_dirs already hold HOMEGEN_CHARTS; no network (online=False)
    cached = ChartCache(settings.chart_cache or default_cache_root())
    search = ChartSearch(settings.chart_dirs, cached, online=False)
    charts_yaml = {d.file: d.obj for d in docs if d.file.rpartition("/")[2] == "Chart.yaml"}
    for job in plan.helm:
        path = chart_path(job, settings, search, expansion.notes)
        if path is None:
            nowhere.append(job)
            continue
        if job.chart_folder is not None and settings.tree_root is not None:
            chart = charts_yaml.get(posixpath.join(job.chart_folder, "Chart.yaml"), {})
            built = _with_dependencies(job, chart, path, charts, search, expansion)
            if built is None:
                continue
            path = built
        located.append((job, path))
    if nowhere and not settings.chart_dirs and all(j.chart_folder is None for j in nowhere):
        names = ", ".join(sorted({j.app.name for j in nowhere}))
        expansion.notes.append(
            f"{len(nowhere)} chart sources not expanded (not in the chart cache, no chart "
            f"folders given: --charts, HOMEGEN_CHARTS, or `homegen charts pull`): {names}"
        )
    else:
        expansion.notes += [not_found(job, settings) for job in nowhere]
    for job in nowhere:
        expansion.not_expanded(job.app.name, job.app.namespace, f"chart {job.label} not found")
    if not located:
        return
    engine = _engine_id()
    if engine is None:
        expansion.notes += [
            f"{job.app.name}: chart {job.label} not expanded: the 'charts' extra is not "
            "installed (pip install 'homegen[charts]')"
            for job, _path in located
        ]
        for job, _path in located:
            expansion.not_expanded(job.app.name, job.app.namespace, "no chart engine")
        return
    in_tree = {p for j, p in located if j.chart_folder is not None and not charts.made(p)}
    digests = {
        path: folder_digest(charts.reader, path)
        if path in in_tree and charts.reader is not None
        else cache.chart_digest(path)
        for path in {p for _j, p in located}
    }
    tree_crds = [d.obj for d in docs if d.obj.get("kind") == CRD]
    capabilities = ChartCapabilities(settings.kubernetes_version, tree_crds, list(digests.items()))
    capabilities.loadable = lambda path: charts.loadable(path, path in in_tree)
    for job, path in located:
        key = cache.entry_key(
            engine, digests[path], job.values, job.release, job.app.namespace,
            job.skip_crds, job.value_files, capabilities.key, job.ignore_missing_value_files,
        )  # fmt: skip
        entry = cache.load(settings.cache_dir, key)
        if entry is None:
            entry = render_job(job, path, capabilities, charts)
            cache.store(settings.cache_dir, key, entry)
        else:
            expansion.cached += 1
        _take(job, entry, expansion)


def _take(job: HelmJob, entry: dict[str, Any], expansion: Expansion) -> None:
    """Add one cache entry's documents (with their origin) or its failure."""
    app = job.app
    if entry.get("failure"):
        expansion.failures.append(_failure(app, job.label, str(entry["failure"])))
        expansion.not_expanded(app.name, app.namespace, f"chart {job.label} failed")
        return
    expansion.expanded += 1
    for template, index, line, obj, problems in entry["documents"]:
        origin = Origin(app.name, app.owner_file, app.owner, job.label, template, app.namespace)
        loaded = [LoadProblem(kind, at, message) for kind, at, message in problems]
        file = f"{app.owner_file}::{app.name}/{template}"
        expansion.documents.append(Document(file, index, line, obj, loaded, origin=origin))
    for path, message, error in entry.get("values", ()):
        expansion.values_problems.append(
            (_failure(app, job.label, ""), ValuesProblem(path, message, error))
        )


def _expand_kustomize(
    job: KustomizeJob,
    settings: ExpandSettings,
    expansion: Expansion,
    sources: Sources,
    how: tuple[BuildOptions, HelmContext] = (BuildOptions(), HelmContext()),
) -> None:
    app = job.app
    label = f"kustomize:{job.folder or '.'}"
    if settings.tree_root is None:
        expansion.notes.append(f"{app.name}: {label} not built: the tree is not on disk")
        expansion.not_expanded(app.name, app.namespace, f"{label} not built")
        return
    if kustomize_command() is None:
        expansion.notes.append(
            f"{app.name}: {label} not built: neither kubectl nor kustomize is installed"
        )
        expansion.not_expanded(app.name, app.namespace, f"{label} not built: no kubectl")
        return
    folder = settings.tree_root / job.folder
    try:
        if settings.reader is not None:
            text = build_with_options(settings.reader, folder, *how)
        else:
            text = build(folder)
    except NeedsNetwork as exc:
        # ArgoCD fetches it; homegen goes online only when asked
        expansion.notes.append(f"{app.name}: {label} not built: needs {exc}")
        expansion.not_expanded(app.name, app.namespace, f"{label} not built: needs network")
        return
    except BuildFailed as exc:
        message = kustomize_message(str(exc))
        if "--enable-helm" in str(exc):  # before the cut: a deep base's message is long
            # helmCharts: ArgoCD inflates them when its argocd-cm sets kustomize.buildOptions
            # --enable-helm; homegen cannot yet: unknown, not wrong
            expansion.notes.append(f"{app.name}: {label} not built: its helmCharts need Helm")
            expansion.not_expanded(app.name, app.namespace, f"{label}: helmCharts not inflated")
            return
        expansion.failures.append(_failure(app, label, message))
        expansion.not_expanded(app.name, app.namespace, f"{label} failed")
        return
    expansion.expanded += 1
    built = posixpath.join(job.folder, "kustomization.yaml")
    for doc in parse_with_yaml(f"{app.owner_file}::{app.name}/{built}", text):
        kind, meta = doc.obj.get("kind"), as_dict(doc.obj.get("metadata"))
        written = sources.get((str(kind), str(meta.get("name") or "")), [])
        template, source = chart_template(doc.obj), label
        if template:  # inflated from helmCharts: a chart's object, as from a Helm source
            source = f"{template.partition('/')[0]} ({label} helmCharts)"
        elif len(written) == 1:
            # the object as written in one file of the build: findings name that file
            template, doc.line = written[0]
        else:
            template = built
        doc.file = f"{app.owner_file}::{app.name}/{template}"
        doc.origin = Origin(app.name, app.owner_file, app.owner, source, template, app.namespace)
        expansion.documents.append(doc)


def _default_namespaces(documents: list[Document]) -> None:
    """Expanded namespaced objects without a namespace go to the app's destination."""
    cluster = set(CLUSTER_SCOPED)
    for doc in documents:
        if doc.obj.get("kind") == CRD and as_dict(doc.obj.get("spec")).get("scope") == "Cluster":
            kind = as_dict(as_dict(doc.obj.get("spec")).get("names")).get("kind")
            cluster.add(str(kind))
    for doc in documents:
        if doc.origin is None or doc.obj.get("kind") in cluster or not doc.obj.get("kind"):
            continue
        meta = doc.obj.get("metadata")
        if isinstance(meta, dict) and not meta.get("namespace") and doc.origin.namespace:
            meta["namespace"] = doc.origin.namespace
