"""Where the tree sits: the Git repository, revision and folder its Applications point at."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from homegen.importer.kustomized import included_files, kustomization_in
from homegen.importer.report import Report
from homegen.importer.source import SourceTree, is_app
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict, as_list

_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!//).+)$")


def repo_key(url: object) -> str:
    """A repository URL compared loosely: ssh (``git@host:path``, ``ssh://``) and https
    spellings of one repository are equal; no scheme, user, ``.git`` or trailing slash."""
    text = str(url or "").strip().lower()
    scp = _SCP.match(text) if "://" not in text else None
    if scp:
        text = f"{scp['host']}/{scp['path']}"
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.sub(r"^[^@/]+@", "", text)
    return text.rstrip("/").removesuffix(".git").rstrip("/")


_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def app_name(name: str) -> str:
    """An Application's name as a services.toml name (a DNS label)."""
    if _NAME.fullmatch(name):
        return name
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:63] or "app"


@dataclass(frozen=True)
class Location:
    """The repository ArgoCD syncs the tree from and the tree's folder inside it."""

    repo_url: str
    revision: str
    tree_path: str  # "." for the repository root

    def local_folder(self, source: dict[str, Any], tree: SourceTree) -> str | None:
        """The tree folder a git source points at, or None when it is not in this tree."""
        if repo_key(source.get("repoURL")) != repo_key(self.repo_url):
            return None
        path = str(source.get("path") or "").strip("/")
        if source.get("chart") or not isinstance(source.get("path"), str):
            return None
        rel = tree_relative(path, self.tree_path)
        return rel if rel is not None and rel in tree.dirs else None

    def in_tree(self, path: str) -> str | None:
        """A repository path as a path of the tree, or None when it is outside."""
        return tree_relative(path.strip("/"), self.tree_path)


def tree_relative(path: str, tree_path: str) -> str | None:
    """``path`` (in the repository) relative to ``tree_path``, or None when outside it."""
    path = posixpath.normpath(path) if path else "."
    if tree_path in ("", "."):
        return "" if path == "." else path
    if path == tree_path:
        return ""
    if path.startswith(tree_path + "/"):
        return path[len(tree_path) + 1 :]
    return None


def sources_of(doc: Document) -> list[dict[str, Any]]:
    """``source`` and ``sources[]`` of an Application or an ApplicationSet's template."""
    spec = as_dict(doc.obj.get("spec"))
    if doc.obj.get("kind") == "ApplicationSet":
        spec = as_dict(as_dict(spec.get("template")).get("spec"))
    # ArgoCD reads `sources` when it lists any, and then ignores `source`
    # (ApplicationSpec.HasMultipleSources)
    several = [as_dict(s) for s in as_list(spec.get("sources"))]
    return several or ([as_dict(spec.get("source"))] if spec.get("source") else [])


def root_apps(tree: SourceTree, loc: Location) -> set[tuple[str, int]]:
    """(file, index) of the Applications that sync a folder holding Applications."""
    return {(app.file, app.index) for app in tree.apps() if syncs_apps(app, tree, loc)}


def syncs_apps(app: Document, tree: SourceTree, loc: Location) -> bool:
    """Whether an Application (or a set's template) syncs a folder holding Applications."""
    for source in sources_of(app):
        folder = loc.local_folder(source, tree)
        recurse = bool(as_dict(source.get("directory")).get("recurse"))
        # what ArgoCD applies there: a kustomization may list the Applications' folders
        if folder is not None and any(
            is_app(d.obj) for d in applied_docs(tree, folder, recurse=recurse)
        ):
            return True
    return False


def _votes(tree: SourceTree, apps: list[Document]) -> Counter[tuple[str, str, str]]:
    """(repo, revision, tree path) for every git source or $values file found in the tree."""
    votes: Counter[tuple[str, str, str]] = Counter()
    for doc in apps:
        sources = sources_of(doc)
        refs = {s.get("ref"): s for s in sources if s.get("ref")}
        for source in sources:
            repo, revision = (
                str(source.get("repoURL") or ""),
                str(source.get("targetRevision") or "HEAD"),
            )
            paths = []
            if isinstance(source.get("path"), str) and not source.get("chart"):
                paths.append((repo, revision, source["path"], True))
            for file in as_list(as_dict(source.get("helm")).get("valueFiles")):
                ref, _, rest = str(file).partition("/")
                if ref.startswith("$") and ref[1:] in refs:
                    target = refs[ref[1:]]
                    paths.append(
                        (
                            str(target.get("repoURL") or ""),
                            str(target.get("targetRevision") or "HEAD"),
                            rest,
                            False,
                        )
                    )
            for repo_, rev, path, is_dir in paths:
                prefix = _prefix(tree, path.strip("/"), is_dir=is_dir)
                if prefix is not None and repo_:
                    votes[(repo_, rev, prefix)] += 1
    return votes


def _prefix(tree: SourceTree, path: str, *, is_dir: bool) -> str | None:
    """The repository folder that, joined with a path of the tree, gives ``path``."""
    parts = [p for p in path.split("/") if p and p != "."]
    known = tree.dirs if is_dir else {d.file for d in tree.docs}
    for i in range(len(parts) + 1):
        rest = "/".join(parts[i:])
        if rest and rest in known:
            return "/".join(parts[:i]) or "."
    return None


def infer_location(
    tree: SourceTree,
    report: Report,
    *,
    repo_url: str | None,
    tree_path: str | None,
    checkout: tuple[str, str] | None = None,
) -> Location:
    """The location most Applications agree on; flags override, every choice is reported.
    ``checkout`` (the ``origin`` remote's URL, the tree's folder in the checkout) says it
    where no source points at a folder of the tree (sources and generators that are all
    templates, a tree of ApplicationSets)."""
    votes = _votes(tree, tree.apps())
    if not votes and checkout and checkout[0]:
        return _from_checkout(tree, report, repo_url, tree_path, checkout)
    if repo_url:
        wanted = repo_key(repo_url)
        votes = Counter({k: n for k, n in votes.items() if repo_key(k[0]) == wanted})
    if tree_path:
        wanted_path = tree_path.strip("/") or "."
        votes = Counter({k: n for k, n in votes.items() if k[2] == wanted_path})
    by_repo: Counter[str] = Counter()
    for (repo_, _, _), n in votes.items():
        by_repo[repo_key(repo_)] += n
    if by_repo:  # the repository most sources name, in its most common spelling
        top = by_repo.most_common(1)[0][0]
        votes = Counter({k: n for k, n in votes.items() if repo_key(k[0]) == top})
    best = votes.most_common(1)[0][0] if votes else None
    repo = repo_url or (best[0] if best else "")
    revision = best[1] if best else "main"
    path = (tree_path.strip("/") or ".") if tree_path else (best[2] if best else ".")
    if not repo:
        repo = "https://example.invalid/homelab.git"
        report.add(
            "warning",
            "cluster.repo_url",
            "no Application points at a folder of this tree: set --repo-url (placeholder written)",
        )
    elif not repo_url:
        report.add(
            "inferred",
            "cluster.repo_url",
            f"{repo}: the repository {sum(votes.values())} source(s) of this tree come from",
        )
    if not tree_path:
        report.add(
            "inferred",
            "cluster.tree_path",
            f"{path!r}: where those sources find this tree's folders",
        )
    report.add("inferred", "cluster.revision", f"{revision!r}: the targetRevision of those sources")
    return Location(repo, revision, path)


def _from_checkout(
    tree: SourceTree,
    report: Report,
    repo_url: str | None,
    tree_path: str | None,
    checkout: tuple[str, str],
) -> Location:
    origin, folder = checkout
    repo = repo_url or origin
    path = (tree_path.strip("/") or ".") if tree_path else folder or "."
    revisions = Counter(
        str(as_dict(g.get("git")).get("revision"))
        for doc in tree.apps()
        if doc.obj.get("kind") == "ApplicationSet"
        for g in as_list(as_dict(doc.obj.get("spec")).get("generators"))
        if isinstance(g, dict)
        and repo_key(as_dict(g.get("git")).get("repoURL")) == repo_key(repo)
        and as_dict(g.get("git")).get("revision")
    )
    revision = revisions.most_common(1)[0][0] if revisions else "main"
    if not repo_url:
        report.add(
            "inferred",
            "cluster.repo_url",
            f"{repo}: the checkout's origin remote (no source names a folder of this tree)",
        )
    if not tree_path:
        report.add("inferred", "cluster.tree_path", f"{path!r}: the tree's folder in the checkout")
    why = "the revision the git generators read" if revisions else "no source names one"
    report.add("inferred", "cluster.revision", f"{revision!r}: {why}")
    return Location(repo, revision, path)


# the name a root that lives elsewhere goes by: its objects become [apps.root-objects]
ROOT_ELSEWHERE = "root"


@dataclass(frozen=True)
class RootPath:
    """A folder a root app syncs, and what ArgoCD applies syncing it."""

    root: str  # the root app's name, or ROOT_ELSEWHERE
    folder: str  # the folder of the tree ("" for the imported folder itself)
    namespace: str  # where its objects without a namespace land
    docs: tuple[Document, ...]
    elsewhere: bool  # the root is not in the tree: the imported folder is taken as its path


def applied_docs(tree: SourceTree, folder: str, *, recurse: bool) -> list[Document]:
    """The documents ArgoCD applies when it syncs ``folder``: what its kustomization includes
    when it has one, else the folder's files."""
    if kustomization_in(tree, folder) is None:
        return tree.in_folder(folder, recurse=recurse)
    files = included_files(tree, folder)
    return [d for d in tree.docs if d.file in files]


def root_paths(tree: SourceTree, loc: Location) -> list[RootPath]:
    """Every folder a root app of the tree syncs; with no root in the tree, the imported
    folder itself when it holds Applications: their root lives elsewhere (another repository,
    a chart's values, a bootstrap script) and syncs this folder."""
    found: list[RootPath] = []
    roots = root_apps(tree, loc)
    for app in tree.apps():
        if (app.file, app.index) not in roots:
            continue
        spec = as_dict(app.obj.get("spec"))
        if app.obj.get("kind") == "ApplicationSet":
            spec = as_dict(as_dict(spec.get("template")).get("spec"))
        name = str(as_dict(app.obj.get("metadata")).get("name"))
        namespace = str(as_dict(spec.get("destination")).get("namespace") or "argocd")
        for source in sources_of(app):
            folder = loc.local_folder(source, tree)
            recurse = bool(as_dict(source.get("directory")).get("recurse"))
            if folder is not None:
                docs = tuple(applied_docs(tree, folder, recurse=recurse))
                found.append(RootPath(name, folder, namespace, docs, elsewhere=False))
    if roots:
        return found
    top = applied_docs(tree, "", recurse=False)
    apps = [d for d in top if is_app(d.obj)]
    if apps:  # objects without a namespace land where its Applications live, as a rule
        spaces = Counter(str(as_dict(d.obj.get("metadata")).get("namespace") or "") for d in apps)
        namespace = next((n for n, _ in spaces.most_common() if n), "argocd")
        found.append(RootPath(ROOT_ELSEWHERE, "", namespace, tuple(top), elsewhere=True))
    return found


def root_name(
    tree: SourceTree,
    loc: Location,
    argocd: dict[str, Any],
    taken: set[str],
    report: Report,
) -> None:
    """[argocd] root_app: the name of the tree's one root app, whatever folder it syncs:
    applying homegen's root of the same name then replaces it (its folder becomes homegen's
    apps/; the report says so)."""
    roots = [d for d in tree.apps() if (d.file, d.index) in root_apps(tree, loc)]
    if len(roots) != 1:
        return
    root = roots[0]
    name = str(as_dict(root.obj.get("metadata")).get("name"))
    folders = {loc.local_folder(s, tree) for s in sources_of(root)}
    if app_name(name) == name and name not in taken:
        if name != "app-of-apps":
            argocd["root_app"] = name
        synced = ", ".join(f"{f or '.'}/" for f in sorted(f for f in folders if f is not None))
        why = (
            "syncs apps/, as homegen's does"
            if folders == {"apps"}
            else f"keeps its name, so applying homegen's root replaces it; it syncs {synced}, "
            "homegen's syncs the apps/ folder of the rendered tree"
        )
        report.add("inferred", "argocd.root_app", f"{name!r}: the tree's root app {why}",
                   root.file, root.line)  # fmt: skip
