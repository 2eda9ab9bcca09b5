"""Kustomizations import cannot flatten as written (patches, generators, bases, components,
``helmCharts:``), built as ArgoCD builds them: validate's build (homegen.expand), the same
confined scratch copy, the tree's ``kustomize.buildOptions``, charts inflated offline from
``--charts`` and the chart cache. The built objects become the app's objects; a build that
cannot run offline (a chart not available) says why, and import reports it as before."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.importer.kustomized import BUILT_MARK, KUSTOMIZATIONS, kustomization_in
from homegen.importer.location import applied_docs
from homegen.importer.report import Report
from homegen.importer.source import SourceTree
from homegen.validate.reader.documents import Document, parse_with_yaml
from homegen.validate.reader.tree import as_dict

# what the owner gives up, by the kustomization keys that made the build necessary
_LOSSES = (
    (("patches", "patchesStrategicMerge", "patchesJson6902", "replacements", "images",
      "replicas", "namePrefix", "nameSuffix", "labels", "commonLabels"),
     "its patches and transformers are applied to the objects, no longer kept apart"),
    (("configMapGenerator", "secretGenerator", "generatorOptions"),
     "its generators' output is written out (a change to a generated file is no longer picked up)"),
    (("helmCharts", "helmGlobals"),
     "its helmCharts are inflated into the chart's objects (upgrading means a new import)"),
    (("resources", "bases", "components"),
     "its bases and components are copied into this app"),
)  # fmt: skip


@dataclass
class Built:
    """One kustomization folder as ArgoCD builds it, or why it was not built."""

    folder: str
    documents: list[Document] = field(default_factory=list)
    inputs: set[str] = field(default_factory=set)  # the tree's files the build read
    why: str = ""  # not built: why ("" when built)

    @property
    def ok(self) -> bool:
        """Whether the build ran."""
        return not self.why


@dataclass
class TreeBuilds:
    """Builds of the tree on disk at ``root`` (the tree import reads), made once per folder."""

    root: Path
    docs: list[Document]
    chart_dirs: tuple[Path, ...] = ()
    chart_cache: Path | None = None
    reader: Any = None  # homegen.treeread.TreeReader of root (None: one is made)
    _done: dict[str, Built] = field(default_factory=dict)
    _options: Any = None

    def build(self, folder: str) -> Built:
        """``folder`` (relative to the tree) as ArgoCD's kustomize build outputs it."""
        if folder not in self._done:
            self._done[folder] = self._build(folder)
        return self._done[folder]

    def made(self, folder: str) -> list[Document]:
        """What ``folder`` built to, if a build of it ran (none is started)."""
        done = self._done.get(folder)
        return done.documents if done is not None and done.ok else []

    def built(self) -> list[Built]:
        """Every build that ran, by folder."""
        return [b for _, b in sorted(self._done.items()) if b.ok]

    def _build(self, folder: str) -> Built:
        from homegen.expand.kustomize import BuildFailed, NeedsNetwork, kustomize_command
        from homegen.expand.kustomize_errors import kustomize_message
        from homegen.treeread import TreeReader

        if kustomize_command() is None:
            return Built(folder, why="neither kubectl nor kustomize is installed")
        if self.reader is None:
            self.reader = TreeReader.for_tree(self.root)
        try:
            text, inputs = self._run(self.root / folder)
        except NeedsNetwork as exc:
            return Built(folder, why=_offline_why(str(exc)))
        except BuildFailed as exc:
            return Built(folder, why=f"its build fails: {kustomize_message(str(exc))}")
        parsed = parse_with_yaml(kustomization_in_folder(folder), text)
        documents = [d for d in parsed if not d.problems and d.obj]
        found = Built(folder, inputs=inputs)
        at = self._kustomization(folder) + BUILT_MARK
        found.documents = [_at_source(d, i, at, self.docs, inputs) for i, d in enumerate(documents)]
        return found

    def _kustomization(self, folder: str) -> str:
        names = (posixpath.join(folder, name) for name in KUSTOMIZATIONS)
        files = {d.file for d in self.docs}
        return next((n for n in names if n in files), kustomization_in_folder(folder))

    def _run(self, folder: Path) -> tuple[str, set[str]]:
        from homegen.expand.kustomize import check_inputs
        from homegen.expand.kustomize_helm import HelmContext, build_with_options

        options = self._build_options()
        crds = [d.obj for d in self.docs if d.obj.get("kind") == "CustomResourceDefinition"]
        helm = HelmContext(self.chart_dirs, self.chart_cache, crds=crds)
        text = build_with_options(self.reader, folder, options, helm)
        inputs: set[str] = set()
        for path in check_inputs(self.reader, folder).paths:
            rel = self._relative(path)
            if rel is not None and path.is_dir():  # a kustomization's folder: only it is read
                inputs.update(posixpath.join(rel, name) for name in KUSTOMIZATIONS)
            elif rel is not None:
                inputs.add(rel)
        return text, inputs

    def _build_options(self) -> Any:
        """The tree's ``kustomize.buildOptions``; where the tree holds no argocd-cm (ArgoCD is
        installed from elsewhere), ``--enable-helm``: a tree that uses helmCharts has it."""
        from homegen.expand.kustomize_options import BuildOptions, find_build_options

        if self._options is None:
            found = find_build_options(self.docs, self.reader, self.root)
            self._options = found if found.source else BuildOptions(enable_helm=True)
        return self._options

    def _relative(self, path: Path) -> str | None:
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(self.root))
        if rel == ".":
            return ""
        return None if rel.startswith("..") else Path(rel).as_posix()


def _offline_why(needed: str) -> str:
    """Why a build needs the network: a chart (``repo name@version``, said by the helm shim)
    can be given with --charts; a remote base or file cannot."""
    if " " in needed.strip():
        return (
            f"it needs the chart {needed}, not available offline (give it with --charts, or "
            "`homegen charts pull` into the chart cache)"
        )
    return f"it needs the remote resource {needed}; import builds offline"


def kustomization_in_folder(folder: str) -> str:
    """The name the built documents are reported at: the folder's kustomization."""
    return posixpath.join(folder, "kustomization.yaml")


def _at_source(
    doc: Document, index: int, at: str, docs: list[Document], inputs: set[str]
) -> Document:
    """The built object reported at the file and line it was written in, where exactly one
    input file of the build defines an object of its kind and name (a patched Deployment);
    else at ``at`` (the kustomization's path and BUILT_MARK), document ``index`` of the build
    (a generated ConfigMap, a chart's object)."""
    kind, name = doc.obj.get("kind"), as_dict(doc.obj.get("metadata")).get("name")
    written = [
        d
        for d in docs
        if d.obj.get("kind") == kind
        and as_dict(d.obj.get("metadata")).get("name") == name
        and d.file in inputs
    ]
    if len(written) == 1:
        return Document(written[0].file, written[0].index, written[0].line, doc.obj)
    return Document(at, index, 0, doc.obj)


def inputs_of(built: Built, docs: list[Document]) -> list[Document]:
    """The tree's documents the build read (its resources, patches, generator files)."""
    return [d for d in docs if d.file in built.inputs]


def losses(tree: SourceTree, folder: str) -> str:
    """What the owner gives up when ``folder``'s build is flattened, by the keys its
    kustomization uses."""
    path = kustomization_in(tree, folder)
    docs = tree.document(path) if path else []
    spec = docs[0].obj if docs else {}
    said = [why for keys, why in _LOSSES[:-1] if set(keys) & set(spec)]
    return "; ".join(said or [_LOSSES[-1][1]])


def flatten_build(
    subject: str, folder: str, tree: SourceTree, report: Report, used: set[tuple[str, int]]
) -> tuple[list[tuple[Document, dict[str, Any]]], str]:
    """The objects ``folder``'s kustomization builds to (its inputs marked ``used``), with a
    report line saying it was built and flattened; or none and why it was not built."""
    builds: TreeBuilds | None = tree.builds
    if builds is None:
        return [], "the tree is not on disk"
    built = builds.build(folder)
    if not built.ok:
        return [], built.why
    used |= {(d.file, d.index) for d in inputs_of(built, tree.docs)}
    path = kustomization_in(tree, folder) or kustomization_in_folder(folder)
    report.add(
        "inferred",
        subject,
        f"kustomization {path}: built as ArgoCD builds it and flattened into "
        f"{len(built.documents)} objects; what the owner loses: {losses(tree, folder)}",
    )
    return [(d, d.obj) for d in built.documents], ""


def applied_documents(tree: SourceTree) -> list[Document]:
    """The tree's documents as ArgoCD applies them: those a build import made read replaced
    by what it built (compared object by object)."""
    builds: TreeBuilds | None = tree.builds
    done = builds.built() if builds is not None else []
    if not done:
        return tree.docs
    read = {(d.file, d.index) for b in done for d in inputs_of(b, tree.docs)}
    made = [d for b in done for d in b.documents]
    ids = {id(d) for d in made}
    # built apps the tree already holds (importer.built_apps) are not added twice
    kept = [d for d in tree.docs if (d.file, d.index) not in read or id(d) in ids]
    held = {id(d) for d in kept}
    return kept + [d for d in made if id(d) not in held]


def synced_docs(tree: SourceTree, folder: str, *, recurse: bool) -> list[Document]:
    """What an app that syncs ``folder`` applies: the files its kustomization includes (or
    the folder's files), and what import built of it."""
    docs = applied_docs(tree, folder, recurse=recurse)
    builds: TreeBuilds | None = tree.builds
    built = builds.made(folder) if builds is not None else []
    held = {id(d) for d in docs}
    return docs + [d for d in built if id(d) not in held]
