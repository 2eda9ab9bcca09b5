"""The whole tree, indexed: objects by kind and key, folders, Applications and what they sync.

Integrity and policy rules read this index; it is built once per run from the documents.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from homegen.appsets.repo import same_repo_key
from homegen.validate.findings import Finding, Located
from homegen.validate.reader.documents import KUSTOMIZE_FILES, Document

APP_KINDS = ("Application", "ApplicationSet")
CLUSTER_SCOPED = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
        "CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass",
        "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
        "APIService", "CSIDriver", "CSINode", "VolumeAttachment", "GatewayClass",
        "ClusterSecretStore", "ClusterExternalSecret", "ClusterIssuer", "PodSecurityPolicy",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "FlowSchema",
        "PriorityLevelConfiguration", "CertificateSigningRequest",
    }
)  # fmt: skip
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(slots=True)
class Obj:
    """One Kubernetes object of the tree, with its effective namespace and location."""

    doc: Document
    api_version: str
    kind: str
    name: str
    namespace: str  # effective: metadata.namespace, else the owning app's destination
    where: Located = field(init=False)
    # an Application an ApplicationSet generates: the set, and which parameters made it
    generated_by: Obj | None = None
    origin: str = ""

    @property
    def obj(self) -> dict[str, Any]:
        """The object's content."""
        return self.doc.obj

    @property
    def meta(self) -> dict[str, Any]:
        """``metadata`` (empty when absent or malformed)."""
        return as_dict(self.doc.obj.get("metadata"))

    @property
    def labels(self) -> dict[str, Any]:
        """``metadata.labels``."""
        return as_dict(self.meta.get("labels"))

    @property
    def annotations(self) -> dict[str, Any]:
        """``metadata.annotations``."""
        return as_dict(self.meta.get("annotations"))

    @property
    def spec(self) -> dict[str, Any]:
        """``spec``."""
        return as_dict(self.doc.obj.get("spec"))

    def locate(self) -> None:
        """Set ``where`` from the current namespace."""
        ns = f"{self.namespace}/" if self.namespace else ""  # Kind/name when cluster-scoped
        title = f"{self.kind}/{ns}{self.name}"
        self.where = Located(
            self.doc.file, self.doc.line, title, (self.kind, self.namespace, self.name)
        )


def from_chart(item: Obj) -> bool:
    """Whether a chart rendered the object: homegen's hardening checklist is held to the
    user's own manifests (files and what Kustomize builds from them), not to charts."""
    return item.doc.origin is not None and item.doc.origin.chart


def homegen_made(item: Obj) -> bool:
    """Whether homegen rendered the object (its fixes then speak of services.toml and
    homegen's annotations; a hand-written tree gets plain Kubernetes fixes)."""
    return item.labels.get("app.kubernetes.io/managed-by") == "homegen"


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (malformed input is the schema's job)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def normalize_repo(url: Any) -> str:
    """A repository URL compared loosely: https and ssh forms, ``.git``, case do not count."""
    return same_repo_key(url)


def app_sources(app: Obj) -> list[dict[str, Any]]:
    """``source`` and ``sources[]`` of an Application or an ApplicationSet's template."""
    spec = app.spec
    if app.kind == "ApplicationSet":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
    sources = [as_dict(spec.get("source"))] if spec.get("source") else []
    return sources + [as_dict(s) for s in as_list(spec.get("sources"))]


def app_spec(app: Obj) -> dict[str, Any]:
    """The Application spec (an ApplicationSet's template spec)."""
    if app.kind == "ApplicationSet":
        return as_dict(as_dict(app.spec.get("template")).get("spec"))
    return app.spec


@dataclass
class Tree:
    """Index over every object of one tree."""

    objects: list[Obj]
    by_kind: dict[str, list[Obj]]
    by_key: dict[tuple[str, str, str], list[Obj]]
    files: set[str]
    folder_files: dict[str, set[str]]  # folder → files directly in it ("" is the root)
    repo_prefix: str | None = None  # the tree's path inside its git repository
    root_app: Obj | None = None
    # ids of the written apps (and sets) the root reaches, itself included; None: not known
    reached: set[int] | None = None
    repo_url: str = ""
    synced_by: dict[str, list[Obj]] = field(default_factory=dict)  # file → apps syncing it
    notes: list[Finding] = field(default_factory=list)
    # ApplicationSets whose Applications were all generated (ids): those Applications, not
    # the set's template, are what syncs folders
    expanded_sets: set[int] = field(default_factory=set)
    # folder → files and folders its kustomization takes resources from
    kustomize: dict[str, list[str]] = field(default_factory=dict)
    # what the expand stage could not do (failed sources, values keys), when it ran
    expansion: Any = None
    # every document's content by file, objects or not (Helm values files are read by rules)
    contents: dict[str, list[Any]] = field(default_factory=dict)
    # StorageClasses the cluster has besides those in the tree ([cluster] storage_classes)
    storage_classes: frozenset[str] = frozenset()
    other_revisions: frozenset[str] = frozenset()  # of this repository, not the checkout
    unknown_namespaces: dict[str, str] | None = None  # see rules/unknown.py

    def apps(self) -> Iterator[Obj]:
        """Applications (hand-written and generated), and ApplicationSets not expanded."""
        for app in self.kind(*APP_KINDS):
            if id(app) not in self.expanded_sets:
                yield app

    def kind(self, *kinds: str) -> Iterator[Obj]:
        """Objects of the given kinds, in file order."""
        for kind in kinds:
            yield from self.by_kind.get(kind, ())

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The first object with this key, if any."""
        found = self.by_key.get((kind, namespace, name))
        return found[0] if found else None

    def folders(self) -> set[str]:
        """Every folder that holds a file, directly or below."""
        found = {""}
        for file in self.files:
            parent = posixpath.dirname(file)
            while parent and parent not in found:
                found.add(parent)
                parent = posixpath.dirname(parent)
        return found

    def source_folder(self, source: dict[str, Any]) -> str | None:
        """The tree folder a source path points at, when the source is this repo's tree."""
        path = source.get("path")
        if self.repo_prefix is None or not isinstance(path, str) or "{{" in path:
            return None
        same = normalize_repo(source.get("repoURL")) == self.repo_url
        if not same or str(source.get("targetRevision") or "").strip() in self.other_revisions:
            return None  # another repository, or this one at another commit than the checkout
        path = posixpath.normpath(path.strip("/")) if path.strip("/") else ""
        prefix = self.repo_prefix.strip("/")
        if prefix in ("", "."):  # the tree is the repository root
            return "" if path == "." else path
        if path == prefix:
            return ""
        if path.startswith(prefix + "/"):
            return path[len(prefix) + 1 :]
        return None

    def files_of_source(self, source: dict[str, Any]) -> set[str] | None:
        """Files a directory source syncs (None when it is not a folder of this tree)."""
        folder = self.source_folder(source)
        if folder is None:
            return None
        recurse = bool(as_dict(source.get("directory")).get("recurse"))
        if folder in self.kustomize:
            return self._kustomized(folder, set())
        if not recurse:
            return set(self.folder_files.get(folder, ()))
        start = folder + "/" if folder else ""
        return {f for f in self.files if f.startswith(start)}

    def _kustomized(self, folder: str, seen: set[str]) -> set[str]:
        """The folder's kustomization and every file it pulls in, transitively: a file of
        the folder that it does not list is never applied."""
        seen.add(folder)
        found = {
            f for f in self.folder_files.get(folder, ()) if posixpath.basename(f) in KUSTOMIZE_FILES
        }
        for ref in self.kustomize.get(folder, ()):
            if ref in self.files:
                found.add(ref)
            elif ref not in seen:
                found |= self._kustomized(ref, seen)
        return found


Generate = Callable[["Tree"], list[Obj]]


def build_tree(
    docs: list[Document],
    objects: list[Obj],
    *,
    repo_prefix: str | None,
    repo_url: str = "",
    generate: Generate | None = None,
    kustomize: dict[str, list[str]] | None = None,
    expansion: Any = None,
    other_revisions: frozenset[str] = frozenset(),
) -> Tree:
    """Index ``objects`` (loaded from ``docs``) and work out which app syncs which file.

    ``generate`` adds the Applications of ApplicationSets once the root app and the tree's
    place in the repository are known, before ownership is worked out. An expanded document
    (``expansion``: the expand stage's result) is synced by the app it came from.
    """
    files = {d.file for d in docs}
    folder_files: dict[str, set[str]] = defaultdict(set)
    tree = Tree(objects, defaultdict(list), defaultdict(list), set(), {})
    tree.expansion, tree.other_revisions = expansion, other_revisions
    for file in files:
        if "::" not in file and file.endswith(MANIFEST_SUFFIXES):
            folder_files[posixpath.dirname(file)].add(file)
    tree.files = {f for f in files if "::" not in f}
    tree.folder_files = dict(folder_files)
    tree.kustomize = kustomize or {}
    contents: dict[str, list[Any]] = defaultdict(list)
    for doc in docs:
        contents[doc.file].append(doc.obj)
    tree.contents = dict(contents)
    for item in objects:
        tree.by_kind[item.kind].append(item)
    find_identity(tree, repo_url, repo_prefix)
    if generate is not None:
        generated = generate(tree)
        tree.objects = objects = [*objects, *generated]
        for item in generated:
            tree.by_kind[item.kind].append(item)
    _map_ownership(tree)
    _map_expanded(tree, docs)
    for item in objects:
        if not item.namespace and item.kind not in CLUSTER_SCOPED:
            item.namespace = _destination_namespace(tree, item) or "default"
        item.locate()
        if item.name:
            tree.by_key[(item.kind, item.namespace, item.name)].append(item)
    return tree


ROOT_FILE = "app-of-apps.yaml"


def _source_votes(tree: Tree) -> Counter[tuple[str, str]]:
    """(repository, the tree's path in it) for every source path that names a tree folder:
    the longest tail of the path that is a folder of the tree tells where the tree sits."""
    folders = tree.folders()
    votes: Counter[tuple[str, str]] = Counter()
    for app in tree.kind(*APP_KINDS):
        for source in app_sources(app):
            path, repo = source.get("path"), normalize_repo(source.get("repoURL"))
            if not isinstance(path, str) or "{{" in path or source.get("chart") or not repo:
                continue
            parts = [p for p in posixpath.normpath(path.strip("/")).split("/") if p != "."]
            for i in range(len(parts)):
                if "/".join(parts[i:]) in folders:
                    votes[(repo, "/".join(parts[:i]))] += 1
                    break
    return votes


def find_identity(tree: Tree, repo_url: str, repo_prefix: str | None) -> None:
    """Set the tree's repository and place in it: what was given (``--repo-url``, the
    checkout's origin, services.toml), else what the tree's own source paths agree on, else
    what the likeliest root app says. ``root_app`` is that likeliest app (validate refines it
    once it knows which app syncs which file)."""
    wanted = normalize_repo(repo_url) if repo_url else ""
    votes = _source_votes(tree)
    if wanted:
        votes = Counter({key: n for key, n in votes.items() if key[0] == wanted})
    if repo_prefix is not None:
        prefix = repo_prefix.strip("/")
        votes = Counter({k: n for k, n in votes.items() if k[1] == prefix}) or votes
    best = votes.most_common(1)
    tree.repo_url = wanted or (best[0][0][0] if best else "")
    tree.repo_prefix = repo_prefix if repo_prefix is not None else (best[0][0][1] if best else None)
    root = tree.root_app = likely_root(tree)
    if root is None:
        return
    if not tree.repo_url:
        tree.repo_url = normalize_repo(next(iter(app_sources(root)), {}).get("repoURL"))
    if tree.repo_prefix is None:
        tree.repo_prefix = _derive_prefix(tree, root)


def likely_root(tree: Tree) -> Obj | None:
    """The root by its place: a top-level app (``app-of-apps.yaml`` first), or one whose
    path ends with ``apps``."""
    apps = list(tree.kind("Application"))
    top = [a for a in apps if "/" not in a.doc.file.rpartition("::")[2]]
    preferred = [a for a in top if posixpath.basename(a.doc.file) == ROOT_FILE]
    ends_apps = [a for a in apps if _root_path(a).rstrip("/").endswith("apps")]
    candidates = preferred or [a for a in top if a in ends_apps] or top or ends_apps
    return candidates[0] if candidates else None


def _root_path(app: Obj) -> str:
    source = next(iter(app_sources(app)), {})
    path = source.get("path")
    return path if isinstance(path, str) else ""


def _derive_prefix(tree: Tree, root: Obj) -> str | None:
    """The tree's place in the repo: the root path minus its longest suffix that is a folder."""
    path = _root_path(root).strip("/")
    if not path:
        return None
    parts = path.split("/")
    folders = tree.folders()
    for i in range(len(parts)):
        if "/".join(parts[i:]) in folders:
            return "/".join(parts[:i])
    if parts[-1] == "apps":
        return "/".join(parts[:-1])
    return None


def _map_ownership(tree: Tree) -> None:
    synced: dict[str, list[Obj]] = defaultdict(list)
    for app in tree.apps():
        seen: set[str] = set()
        for source in app_sources(app):
            for file in sorted(tree.files_of_source(source) or ()):
                if file not in seen:
                    seen.add(file)
                    synced[file].append(app)
    tree.synced_by = dict(synced)


def _map_expanded(tree: Tree, docs: list[Document]) -> None:
    """Expanded documents (``apps/x.yaml::app/template``) are synced by their app."""
    owners = {(a.doc.file, a.name): a for a in tree.kind(*APP_KINDS)}
    generated = {a.name: a for a in tree.apps()}
    for doc in docs:
        if doc.origin is not None and doc.file not in tree.synced_by:
            owner = generated.get(doc.origin.app) or owners.get(
                (doc.origin.owner_file, doc.origin.owner)
            )
            if owner is not None:
                tree.synced_by[doc.file] = [owner]


def _destination_namespace(tree: Tree, item: Obj) -> str:
    for app in tree.synced_by.get(item.doc.file, ()):
        namespace = as_dict(app_spec(app).get("destination")).get("namespace")
        if isinstance(namespace, str) and namespace:
            return namespace
    return ""


TreeCheck = Callable[[Tree], Iterator[Finding]]
TREE_CHECKS: list[TreeCheck] = []


def tree_check(func: TreeCheck) -> TreeCheck:
    """Register a whole-tree check; the engine runs every registered check."""
    TREE_CHECKS.append(func)
    return func
