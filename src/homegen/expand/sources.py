"""What to expand: every Helm and Kustomize source of the tree's Applications, as jobs.

Pure: documents in, jobs and notes out. Values are resolved the way ArgoCD resolves them
(chart defaults < value files in order < ``values``/``valuesObject`` < ``parameters``);
``$ref/...`` value files are read from the tree's own documents.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.appsets import DiskRepo, Repo, generate_applications
from homegen.expand.setvalues import merge_values, set_parameter
from homegen.treeread import TreeReader
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import Obj, Tree, as_dict, as_list, find_identity, normalize_repo

ARGO_GROUP = "argoproj.io/"


@dataclass(frozen=True)
class AppRef:
    """The Application a job belongs to, and the object of the tree that defines it."""

    name: str
    owner_file: str
    owner_line: int
    owner: str  # the Application's or ApplicationSet's name
    owner_kind: str
    namespace: str  # destination namespace


@dataclass
class HelmJob:
    """One chart to render, with everything ArgoCD would pass to ``helm template``."""

    app: AppRef
    repo_url: str
    chart: str
    version: str
    release: str
    values: dict[str, Any]
    user_values: dict[str, Any]  # the values the user set (for the values-key check)
    chart_folder: str | None = None  # a chart inside this tree (a path source)
    value_files: list[str] = field(default_factory=list)  # chart-relative value files
    skip_crds: bool = False
    ignore_missing_value_files: bool = False  # helm.ignoreMissingValueFiles

    @property
    def label(self) -> str:
        """``chart@version`` (or the tree folder of an in-tree chart)."""
        return f"{self.chart}@{self.version}" if self.version else self.chart


@dataclass(frozen=True)
class KustomizeJob:
    """One tree folder with a kustomization.yaml to build."""

    app: AppRef
    folder: str


@dataclass
class Plan:
    """The jobs of a tree, the problems found while planning them, and notes."""

    helm: list[HelmJob] = field(default_factory=list)
    kustomize: list[KustomizeJob] = field(default_factory=list)
    failures: list[tuple[AppRef, str, str]] = field(default_factory=list)  # (app, source, why)
    notes: list[str] = field(default_factory=list)
    kustomize_folders: set[str] = field(default_factory=set)  # built, never read as resources
    chart_folders: set[str] = field(default_factory=set)  # chart sources inside the tree
    incomplete: set[str] = field(default_factory=set)  # namespaces of apps not expanded
    skipped: dict[str, str] = field(default_factory=dict)  # app → why it was not expanded

    def not_expanded(self, app: AppRef, why: str) -> None:
        """Record an app whose source was not expanded: its namespace is not fully known."""
        self.incomplete.add(app.namespace)
        self.skipped.setdefault(app.name, why)


def needs_expansion(docs: list[Document]) -> bool:
    """Whether any document is an Argo app with a chart, or a kustomization/chart file."""
    for doc in docs:
        base = doc.file.rpartition("/")[2]  # posixpath.basename, in C
        if base in ("kustomization.yaml", "kustomization.yml", "Chart.yaml"):
            return True
        if str(doc.obj.get("apiVersion", "")).startswith(ARGO_GROUP):
            spec = repr(doc.obj.get("spec"))
            if "chart" in spec or "plugin" in spec or "kustomize" in spec:
                return True
    return False


def _objects(docs: list[Document]) -> list[Obj]:
    """The tree's Argo apps: the plan reads their sources, and the index built over them
    (with every file of the tree) knows the tree's place in the repository as well as one
    over every object would, at a fraction of the time and memory of a large tree."""
    found = []
    for doc in docs:
        kind, api = doc.obj.get("kind"), doc.obj.get("apiVersion")
        if kind in ("Application", "ApplicationSet") and isinstance(api, str):
            meta = as_dict(doc.obj.get("metadata"))
            item = Obj(
                doc, api, kind, str(meta.get("name") or ""), str(meta.get("namespace") or "")
            )
            item.locate()
            found.append(item)
    return found


def plan_expansion(
    docs: list[Document],
    repo_prefix: str | None,
    tree_root: Path | None = None,
    reader: TreeReader | None = None,
    repo_url: str = "",
    other_revisions: frozenset[str] = frozenset(),
) -> tuple[Plan, Tree]:
    """The expansion jobs of a tree (and the tree index they were read from); ``tree_root``
    is the checkout ApplicationSets' git generators read (None: a tree in memory), through
    ``reader``."""
    # where the tree sits, over its apps: no ownership, no keys (the plan reads neither, and
    # on a large tree they are most of a whole index's time)
    apps = _objects(docs)
    tree = Tree(
        apps, defaultdict(list), defaultdict(list), {d.file for d in docs if "::" not in d.file}, {}
    )
    tree.other_revisions = other_revisions
    for item in apps:
        tree.by_kind[item.kind].append(item)
    find_identity(tree, repo_url, repo_prefix)
    repo = None
    if tree_root is not None:
        repo = DiskRepo(tree_root, tree.repo_prefix or "", reader=reader)
    plan = Plan()
    by_file = {d.file: d for d in docs if d.index == 0}
    for file in by_file:
        base = file.rpartition("/")[2]
        if base in ("kustomization.yaml", "kustomization.yml", "Chart.yaml"):
            target = plan.chart_folders if base == "Chart.yaml" else plan.kustomize_folders
            target.add(posixpath.dirname(file))
    for owner in tree.kind("Application", "ApplicationSet"):
        if not owner.api_version.startswith(ARGO_GROUP):
            continue
        for app, spec in _applications(owner, plan, repo, tree.repo_url):
            _plan_app(tree, by_file, plan, app, spec)
    return plan, tree


def _applications(
    owner: Obj, plan: Plan, repo: Repo | None, repo_url: str
) -> Iterator[tuple[AppRef, dict[str, Any]]]:
    if owner.kind == "Application":
        yield _ref(owner, owner.name, owner.spec), owner.spec
        return
    generated = generate_applications(owner.obj, repo, repo_url=repo_url)
    for problem in generated.problems:
        if problem.kind != "empty":
            plan.notes.append(f"{owner.name}: not every Application generated: {problem.message}")
    for app in generated.apps:
        spec = as_dict(app.app.get("spec"))
        yield _ref(owner, app.name, spec), spec


def _ref(owner: Obj, name: str, spec: dict[str, Any]) -> AppRef:
    namespace = str(as_dict(spec.get("destination")).get("namespace") or "")
    return AppRef(name, owner.doc.file, owner.doc.line, owner.name, owner.kind, namespace)


def _sources(spec: dict[str, Any]) -> list[dict[str, Any]]:
    single = [as_dict(spec["source"])] if spec.get("source") else []
    return single + [as_dict(s) for s in as_list(spec.get("sources"))]


def _plan_app(
    tree: Tree, by_file: dict[str, Document], plan: Plan, app: AppRef, spec: dict[str, Any]
) -> None:
    sources = _sources(spec)
    refs = {str(s["ref"]): s for s in sources if s.get("ref")}
    for source in sources:
        unapplied = _unapplied_options(source)
        if unapplied:
            where = source.get("chart") or source.get("path") or source.get("repoURL")
            plan.notes.append(f"{app.name}: source {where}: {unapplied}")
            plan.not_expanded(app, unapplied.partition(":")[0])
        if source.get("plugin") is not None:
            continue
        if source.get("chart"):
            _plan_chart(tree, by_file, plan, app, source, refs)
            continue
        path = source.get("path")
        if not isinstance(path, str) or (source.get("ref") and not path):
            continue
        folder = tree.source_folder(source)
        if folder is None:
            if normalize_repo(source.get("repoURL")) != tree.repo_url or not tree.repo_url:
                plan.notes.append(
                    f"{app.name}: source {source.get('repoURL')} {path} is another "
                    "repository: not expanded"
                )
                plan.not_expanded(app, f"{source.get('repoURL')} is another repository")
            elif str(source.get("targetRevision") or "").strip() in tree.other_revisions:
                revision = str(source.get("targetRevision")).strip()
                plan.notes.append(
                    f"{app.name}: source {path} at revision {revision}, not the checkout's: "
                    "not expanded"
                )
                plan.not_expanded(app, f"revision {revision} is not the checkout")
            continue
        if folder in plan.kustomize_folders:
            plan.kustomize.append(KustomizeJob(app, folder))
        elif folder in plan.chart_folders:
            _plan_chart(tree, by_file, plan, app, source, refs, chart_folder=folder)


def _unapplied_options(source: dict[str, Any]) -> str:
    """What ArgoCD would do to this source that homegen does not (empty: nothing), so the
    expansion is never taken for the whole truth silently."""
    if source.get("plugin") is not None:
        name = as_dict(source.get("plugin")).get("name") or "(discovered)"
        return f"config management plugin {name} not expanded: homegen cannot run plugins"
    options = sorted(k for k in as_dict(source.get("kustomize")) if k != "version")
    if options:
        return f"Application kustomize options not applied: {', '.join(options)}"
    if as_list(as_dict(source.get("helm")).get("fileParameters")):
        return "helm.fileParameters not applied"
    return ""


def _plan_chart(
    tree: Tree,
    by_file: dict[str, Document],
    plan: Plan,
    app: AppRef,
    source: dict[str, Any],
    refs: dict[str, dict[str, Any]],
    chart_folder: str | None = None,
) -> None:
    helm = as_dict(source.get("helm"))
    chart = str(source.get("chart") or posixpath.basename(chart_folder or ""))
    label = f"{chart}@{source.get('targetRevision', '')}" if chart_folder is None else chart
    layers: list[dict[str, Any]] = []
    chart_files: list[str] = []
    for entry in as_list(helm.get("valueFiles")):
        text = str(entry)
        if text.startswith("$"):
            layer, why, fatal = _ref_values(tree, by_file, refs, text)
            if why and not fatal:
                plan.notes.append(f"{app.name}: chart {label} not expanded: {why}")
                plan.not_expanded(app, why)
                return
            if why:
                if not helm.get("ignoreMissingValueFiles"):
                    plan.failures.append((app, label, why))
                    return
                continue
            layers.append(layer)
        elif "://" in text:
            # ArgoCD fetches it; homegen goes online only when asked (`charts pull`)
            plan.notes.append(f"{app.name}: chart {label} not expanded: needs {text}")
            plan.incomplete.add(app.namespace)
            return
        else:
            chart_files.append(text)
    inline = helm.get("valuesObject")
    if inline is None and isinstance(helm.get("values"), str):
        try:
            inline = _inline_values(helm["values"])
        except ValueError as exc:  # an alias bomb or too large: never handed to Helm
            plan.failures.append((app, label, f"helm.values: {exc}"))
            return
    if isinstance(inline, dict):
        layers.append(inline)
    user = merge_values({}, *layers)
    for param in as_list(helm.get("parameters")):
        param = as_dict(param)
        if "name" in param:
            set_parameter(
                user,
                str(param["name"]),
                str(param.get("value", "")),
                bool(param.get("forceString")),
            )
    plan.helm.append(
        HelmJob(
            app=app,
            repo_url=str(source.get("repoURL") or ""),
            chart=chart,
            version=str(source.get("targetRevision") or "") if chart_folder is None else "",
            release=str(helm.get("releaseName") or app.name),
            values=user,
            user_values=user,
            chart_folder=chart_folder,
            value_files=chart_files,
            skip_crds=bool(helm.get("skipCrds")),
            ignore_missing_value_files=helm.get("ignoreMissingValueFiles") is True,
        )
    )


def _inline_values(text: str) -> dict[str, Any] | None:
    """``helm.values`` as a mapping (None when it is not one); ValueError over a limit."""
    import yaml

    from homegen.validate.reader.documents import load_one

    try:
        loaded = load_one(text)
    except yaml.YAMLError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _ref_values(
    tree: Tree, by_file: dict[str, Document], refs: dict[str, dict[str, Any]], entry: str
) -> tuple[dict[str, Any], str, bool]:
    """The values of a ``$ref/path`` value file, or why it cannot be read and whether that
    fails the app in ArgoCD too (True) or only keeps homegen from reading it (False)."""
    name, _, path = entry[1:].partition("/")
    ref = refs.get(name)
    if ref is None:
        return {}, f"value file {entry}: no source has ref {name!r}", True
    if normalize_repo(ref.get("repoURL")) != tree.repo_url or tree.repo_prefix is None:
        return {}, f"value file {entry} is in {ref.get('repoURL')}, not in this tree", False
    prefix = tree.repo_prefix.strip("/").removeprefix(".").strip("/")
    path = posixpath.normpath(path)
    if prefix and not path.startswith(prefix + "/"):
        return {}, f"value file {entry} is outside the tree ({prefix}/)", False
    file = path[len(prefix) + 1 :] if prefix else path
    doc = by_file.get(file)
    if doc is None:
        return {}, f"value file {entry}: {file} is not in the tree", True
    return doc.obj, "", True
