"""``homegen validate``: the thin shell that reads the tree, runs the engine, prints the report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from homegen import console
from homegen.appsets import Cluster, DiskRepo, Repo, find_repo_root
from homegen.errors import UsageError
from homegen.escape import no_command, visible
from homegen.treeread import Refused, TreeReader
from homegen.validate.engine.registry import DEFAULT_LOCATION
from homegen.validate.findings import Coverage, Report
from homegen.validate.output import FORMATS
from homegen.validate.reader.documents import Document, load_tree, read_file
from homegen.validate.reader.revisions import other_revisions
from homegen.validate.run import ValidateOptions, validate_documents
from homegen.validate.selection import Selection

DEFAULT_KUBERNETES_VERSION = "1.28"


@dataclass(frozen=True)
class Choices:
    """Rule and kind choices from the command line (None: not given, services.toml decides)."""

    select: list[str] | None = None
    ignore: list[str] | None = None
    skip: list[str] | None = None
    reject: list[str] | None = None
    clusters: list[str] | None = None


def _settings(path: Path) -> tuple[dict[str, Any], Any]:
    """``[cluster]`` (with ``[argocd] version`` as ``argocd_version``) and the checked
    ``[validate]`` table (None when absent) of the services.toml next to the tree (or in the
    working folder), if any."""
    root = path if path.is_dir() else path.parent
    # the working folder's services.toml speaks for trees inside it only, never for a tree
    # elsewhere on the machine
    inside = root.resolve().is_relative_to(Path.cwd().resolve())
    candidates = [root.parent / "services.toml"] + [Path("services.toml")] * inside
    for candidate in candidates:
        if candidate.is_file():
            try:
                # through a reader: a services.toml symlinked out of its checkout is not read
                text = TreeReader.for_tree(candidate.parent).read_text(candidate)
                data = tomllib.loads(text)
            except (Refused, OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return {}, None
            cluster = dict(data["cluster"]) if isinstance(data.get("cluster"), dict) else {}
            argocd = data.get("argocd")
            if isinstance(argocd, dict) and isinstance(argocd.get("version"), str):
                cluster["argocd_version"] = argocd["version"]
            table = None
            if "validate" in data:
                from homegen.config.loader import validate_settings

                table = validate_settings(data, text, str(candidate))
            return cluster, table
    return {}, None


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated and comma-separated values as one list."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def selection_of(choices: Choices, table: Any) -> Selection:
    """The rules and kinds to report: each command-line option replaces the table's key."""

    def pick(given: list[str] | None, key: str) -> list[str]:
        chosen = _split(given)
        if chosen is not None:
            return chosen
        return list(getattr(table, key)) if table is not None else []

    select, ignore = pick(choices.select, "select"), pick(choices.ignore, "ignore")
    for value in select + ignore:
        if not re.fullmatch(r"HG[0-9]{0,3}", value):
            raise UsageError(f"{value!r} is not a rule id or prefix (e.g. HG3, HG222)")
    return Selection(
        tuple(select),
        tuple(ignore),
        frozenset(pick(choices.skip, "skip")),
        frozenset(pick(choices.reject, "reject")),
    )


def expand_documents(
    docs: list[Document],
    kubernetes_version: str,
    repo_prefix: str | None,
    chart_dirs: list[Path],
    tree_root: Path | None,
    reader: TreeReader | None = None,
    repo_url: str = "",
    other_revisions: frozenset[str] = frozenset(),
) -> tuple[list[Document], Any]:
    """The expand stage for a validation: the documents to check and the expansion (its
    notes, on sources not expanded, go to stderr)."""
    from homegen.charts.local import chart_dirs_from_env as search_dirs
    from homegen.expand import ExpandSettings
    from homegen.expand.bootroots import expand_with_roots
    from homegen.expand.cache import default_cache_dir

    settings = ExpandSettings(
        kubernetes_version=kubernetes_version,
        repo_prefix=repo_prefix,
        chart_dirs=search_dirs(chart_dirs),
        tree_root=tree_root,
        cache_dir=default_cache_dir(),
        reader=reader,
        repo_url=repo_url,
        other_revisions=other_revisions,
    )
    expansion = expand_with_roots(docs, settings)
    for note in expansion.notes:
        console.warn(f"homegen: note: {note}")
    return expansion.documents, expansion


def _cluster_storage_classes(cluster: dict[str, object]) -> tuple[str, ...]:
    """``[cluster] storage_classes`` of the services.toml next to the tree, if any."""
    found = cluster.get("storage_classes")
    return tuple(str(c) for c in found) if isinstance(found, list) else ()


def default_tree() -> Path:
    """The tree ``homegen validate`` checks with no path: rendered/ beside a services.toml,
    else the working folder (a hand-written ArgoCD repository)."""
    return Path("rendered") if Path("services.toml").is_file() else Path(".")


def origin_url(tree: Path) -> str:
    """The URL of the ``origin`` remote of the git checkout around ``tree`` ("" if none)."""
    root = find_repo_root(tree)
    if root is None or shutil.which("git") is None:
        return ""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def run_validate(
    path: Path | None,
    *,
    schema_locations: list[str],
    ignore_missing_schemas: bool,
    kubernetes_version: str | None,
    output: str,
    summary: bool,
    choices: Choices | None = None,
    list_apps: bool = False,
    chart_dirs: list[Path] | None = None,
    storage_classes: list[str] | None = None,
    repo_url: str | None = None,
    root: str | None = None,
) -> int:
    """Validate the tree at ``path`` (its charts and kustomizations expanded), print the
    report on stdout, return the exit code.

    ``list_apps`` prints the Applications ArgoCD will create (generated ones included)
    instead of the findings, and exits 0: a listing is no verdict.
    """
    path = path if path is not None else default_tree()
    if output not in FORMATS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    choices = choices or Choices()
    cluster, table = _settings(path)
    declared = [_declared(k, v) for k, v in (table.clusters.items() if table else ())]
    version = kubernetes_version or str(cluster.get("kubernetes_version") or "")
    tree_path = cluster.get("tree_path")
    argocd = cluster.get("argocd_version")
    options = ValidateOptions(
        kubernetes_version=version or DEFAULT_KUBERNETES_VERSION,
        schema_locations=[DEFAULT_LOCATION if x == "default" else x for x in schema_locations],
        ignore_missing_schemas=ignore_missing_schemas,
        repo_root_in_git=str(tree_path).strip("/") if isinstance(tree_path, str) else None,
        clusters=_by_name(declared + list(parse_clusters(_split(choices.clusters) or []))),
        selection=selection_of(choices, table),
        catalog_pins={"argo-cd": argocd} if isinstance(argocd, str) else {},
        storage_classes=tuple(storage_classes or ()) + _cluster_storage_classes(cluster),
        # the repository ArgoCD syncs: --repo-url, the services.toml beside the tree (homegen's
        # own rendered/ is deployed from [cluster] repo_url, not from where homegen lives),
        # else the checkout's origin
        repo_url=repo_url
        or str(cluster.get("repo_url") or "")
        or origin_url(path if path.is_dir() else path.parent),
        root=root or "",
    )
    scope = _scope(path) if options.repo_root_in_git is None else None
    if options.repo_root_in_git is None and (scope is not None or _is_checkout(path)):
        # the documents' paths are the repository's own: the tree sits at its root
        options.repo_root_in_git = ""
    if scope is not None:
        # a folder inside a checkout: read the whole repository so references to and from
        # the rest of it resolve; report what lies in the folder
        checkout = scope[0]
        reader = options.reader = TreeReader.for_tree(checkout)
        options.repo_for = checkout_for(checkout, reader)
        docs = load_tree(checkout, reader)
        prefix = os.path.relpath(checkout)
    elif path.is_dir():
        reader = options.reader = TreeReader.for_tree(path)
        options.repo_for = checkout_for(path, reader)
        docs = load_tree(path, reader)
        prefix = path.as_posix()
    else:
        reader = options.reader = TreeReader.for_tree(path.parent)
        options.repo_for = checkout_for(path.parent, reader)
        docs = read_file(path.parent, path.name, reader)
        prefix = path.parent.as_posix()
    if not docs:
        console.warn(f"homegen: no YAML documents under {path}")
    git_root = find_repo_root(path if path.is_dir() else path.parent)
    options.other_revisions = other_revisions(git_root, docs)
    docs, options.expansion = expand_documents(
        docs,
        options.kubernetes_version,
        options.repo_root_in_git,
        chart_dirs or [],
        # the folder the documents' paths are relative to: the checkout for a scoped folder
        scope[0] if scope is not None else path if path.is_dir() else None,
        reader,
        options.repo_url,
        options.other_revisions,
    )
    try:
        report = validate_documents(docs, options=options)
    except LookupError as exc:  # no core schemas for the requested Kubernetes version
        raise UsageError(str(exc)) from exc
    for line in reader.notes:
        print(f"homegen: note: {line}", file=sys.stderr)
    if scope is not None:
        report = within(report, scope[1], docs)
    if list_apps:
        sys.stdout.write(format_apps(report, output))  # escaped by format_apps
        return 0
    # each format escapes in its own formatter (github lines start with "::" on purpose)
    sys.stdout.write(FORMATS[output](report, prefix, summary_only=summary))
    return report.exit_code


def _is_checkout(path: Path) -> bool:
    """Whether ``path`` is the root folder of a git checkout."""
    return path.is_dir() and find_repo_root(path) == path.resolve()


def _scope(path: Path) -> tuple[Path, str] | None:
    """(checkout root, the folder's path in it) when ``path`` is a folder strictly inside a
    git checkout; None otherwise (the folder is validated on its own)."""
    if not path.is_dir():
        return None
    root = find_repo_root(path)
    if root is None or root == path.resolve():
        return None
    return root, path.resolve().relative_to(root).as_posix()


def within(report: Report, folder: str, docs: list[Document]) -> Report:
    """The part of a whole-repository report about files in ``folder``: what lies outside
    was read only to resolve references, and is counted in a note, not reported."""
    start = folder.rstrip("/") + "/"
    inside = [f for f in report.findings if f.file.startswith(start)]
    scoped = replace(
        report,
        findings=inside,
        objects=[o for o in report.objects if o[0].startswith(start)],
        applications=[a for a in report.applications if a.file.startswith(start)],
        files=len({d.file for d in docs if d.file.startswith(start)}),
        not_object_files=len({d.file for d in docs if d.skip and d.file.startswith(start)}),
        skipped=sum(1 for d in docs if d.skip and d.file.startswith(start)),
        outside=sum(1 for f in report.findings if not f.file.startswith(start)),
        scope=folder,
    )
    scoped.resources = len(scoped.objects)
    if report.coverage is not None:
        names = {a.name for a in scoped.applications}
        scoped.coverage = Coverage(
            len(names),
            tuple(x for x in report.coverage.not_expanded if x[0] in names),
            scoped.resources,
            report.coverage.roots_unknown,
        )
    return scoped


def parse_clusters(values: list[str]) -> tuple[Cluster, ...]:
    """``--cluster NAME=URL[,project=P][,label.KEY=VALUE][,annotation.KEY=VALUE]`` values,
    comma-split: an attribute belongs to the cluster before it. Each cluster stands for an
    ArgoCD cluster secret (in-cluster is added as ArgoCD adds it)."""
    clusters: list[Cluster] = []
    for value in values:
        key, sep, item = value.partition("=")
        key = key.strip()
        if sep and (key == "project" or key.startswith(("label.", "annotation."))):
            if not clusters:
                raise UsageError(f"--cluster {value!r}: name the cluster first (NAME=URL)")
            clusters[-1] = _with_attribute(clusters[-1], key, item.strip(), value)
        elif sep and key and "://" in item:
            clusters.append(Cluster(key, item.strip()))
        else:
            raise UsageError(
                f"--cluster {value!r}: expected NAME=URL (an API server URL), project=P, "
                "label.KEY=VALUE or annotation.KEY=VALUE"
            )
    return _by_name(clusters)


def _with_attribute(cluster: Cluster, key: str, value: str, given: str) -> Cluster:
    labels, annotations = dict(cluster.labels), dict(cluster.annotations)
    if key == "project":
        return replace(cluster, project=value)
    name = key.partition(".")[2]
    if not name:
        raise UsageError(f"--cluster {given!r}: the key is empty")
    (labels if key.startswith("label.") else annotations)[name] = value
    return replace(cluster, labels=labels, annotations=annotations)


def _declared(name: str, value: Any) -> Cluster:
    """A ``[validate] clusters`` entry: a URL, or a table shaped like a cluster secret."""
    if isinstance(value, str):
        return Cluster(name, value)
    labels, annotations = dict(value.labels), dict(value.annotations)
    return Cluster(name, value.server, labels, annotations, value.project)


def _by_name(clusters: list[Cluster]) -> tuple[Cluster, ...]:
    """One cluster per name, a later declaration (the command line) winning."""
    return tuple({c.name: c for c in clusters}.values())


def checkout_for(tree: Path, reader: TreeReader | None = None) -> Any:
    """How the engine finds the checkout a git generator reads, given the tree's path in the
    repository: the git checkout around the tree when the tree sits there at that path, else
    the tree folder itself standing at that path."""

    def repo_for(prefix: str) -> Repo:
        root = find_repo_root(tree)
        if root is not None:
            inside = tree.resolve().relative_to(root).as_posix()
            if (inside if inside != "." else "") == prefix.strip("/"):
                return DiskRepo(root, reader=reader)
        return DiskRepo(tree, prefix=prefix.strip("/"), reader=reader)

    return repo_for


def format_apps(report: Any, output: str) -> str:
    """The Applications of the tree: a table, or JSON with ``--output json``."""
    rows = sorted(report.applications, key=lambda r: (r.name, r.file))
    if output == "json":
        items = [
            {
                "name": r.name,
                "source": r.source,
                "destination": r.destination,
                "file": r.file,
                "line": r.line,
                "generatedBy": r.generated_by,
            }
            for r in rows
        ]
        return json.dumps(items, indent=2) + "\n"
    table: list[tuple[str, ...]] = [("NAME", "SOURCE", "DESTINATION", "FROM")]
    table += [
        tuple(visible(cell) for cell in (r.name, r.source, r.destination, r.generated_by or r.file))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in table
    ]
    return "\n".join(no_command(line.rstrip()) for line in lines) + "\n"
