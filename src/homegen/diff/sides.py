"""One side of the diff: a folder (a revision exported, or the working tree) read the way
``render`` and ``validate`` read it, then expanded: the objects ArgoCD would apply, per app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.diff.model import NO_APP, Key, Side
from homegen.errors import HomegenError
from homegen.validate.reader.documents import Document, classify, documents_from_texts, load_tree

DEFAULT_KUBERNETES = "1.28"
ARGO = "argoproj.io/"


@dataclass(frozen=True)
class SideOptions:
    """How to read a side: the config and tree paths (repository-relative) and the charts."""

    config: str = "services.toml"
    tree: str | None = None  # None: the rendered tree of services.toml, else "rendered" or "."
    chart_dirs: tuple[Path, ...] = ()
    kubernetes_version: str | None = None
    cache_dir: Path | None = None  # the expand cache (None: its default)
    rendered: str = "rendered"  # where `homegen render` writes: compared for a stale note
    findings: bool = False  # run validate's checks on the side too (findings_new)


@dataclass
class SideInput:
    """What was expanded, kept to expand parts of it again."""

    docs: list[Document] = field(default_factory=list)
    settings: Any = None


# a committed rendered tree, as git lists it: path inside it → blob id (None: read the disk)
Committed = dict[str, str] | None


def read_side(
    folder: Path, side: Side, options: SideOptions, committed: Committed = None
) -> SideInput:
    """Fill ``side`` from the checkout at ``folder``; a side that cannot be read gets its
    ``error`` set, never an exception."""
    side_input = load_input(folder, side, options, committed)
    if side_input.settings is not None:
        objects_of(
            side, side_input.docs, side_input.settings, first=True, findings=options.findings
        )
    return side_input


def load_input(
    folder: Path, side: Side, options: SideOptions, committed: Committed = None
) -> SideInput:
    """The documents of the checkout at ``folder`` (services.toml rendered, or the tree)
    and how to expand them; ``side.error`` set when they cannot be read."""
    config = folder / options.config
    docs: list[Document]
    prefix: str | None
    root: Path | None
    try:
        if options.tree is None and config.is_file():
            docs, prefix, version, root = _rendered(folder, config, side, options, committed)
        else:
            docs, prefix, version, root = _tree(folder, options, side)
    except HomegenError as exc:
        side.error = "\n".join(exc.lines())
        return SideInput()
    return SideInput(docs, _settings(options, version, prefix, root, options.cache_dir))


def _rendered(
    folder: Path, config: Path, side: Side, options: SideOptions, committed: Committed
) -> tuple[list[Document], str, str, None]:
    """services.toml rendered in memory; a rendered/ that differs from it is a note."""
    from homegen.pipeline import render_bytes

    rendered = render_bytes(config.read_bytes(), config.relative_to(folder).as_posix())
    out = options.rendered.strip("/") or "."
    if committed is not None:
        stale = bool(committed) and _stale_in_git(committed, rendered.files)
    else:
        stale = (folder / out).is_dir() and _stale(folder / out, rendered.files)
    if stale:
        side.notes.append(f"{out}/ is out of date at {side.label}")
    version = rendered.config.cluster.kubernetes_version
    return documents_from_texts(rendered.files), rendered.plan.tree_path, version, None


def _stale_in_git(committed: dict[str, str], files: dict[str, bytes]) -> bool:
    from homegen.diff.gitrev import blob_id

    shown = {p: b for p, b in committed.items() if not any(s.startswith(".") for s in p.split("/"))}
    if set(shown) != set(files):
        return True
    return any(blob_id(data, shown[path]) != shown[path] for path, data in files.items())


def _stale(folder: Path, files: dict[str, bytes]) -> bool:
    found = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }
    if found != set(files):
        return True
    return any((folder / path).read_bytes() != data for path, data in files.items())


def _tree(
    folder: Path, options: SideOptions, side: Side
) -> tuple[list[Document], str | None, str, Path]:
    """The ArgoCD tree as committed."""
    from homegen.errors import UsageError

    chosen = options.tree or ("rendered" if (folder / "rendered").is_dir() else ".")
    root = (folder / chosen).resolve()
    if not root.is_relative_to(folder.resolve()) or not root.is_dir():
        raise UsageError(f"{chosen}: no such folder at {side.label}")
    version = options.kubernetes_version or DEFAULT_KUBERNETES
    # the tree's place in its repository is derived from the root app, as validate does
    return load_tree(root), None, version, root


def _settings(
    options: SideOptions, version: str, prefix: str | None, root: Path | None, cache: Path | None
) -> Any:
    from homegen.charts.local import chart_dirs_from_env
    from homegen.expand import ExpandSettings
    from homegen.expand.cache import default_cache_dir

    return ExpandSettings(
        kubernetes_version=options.kubernetes_version or version,
        repo_prefix=prefix,
        chart_dirs=chart_dirs_from_env(options.chart_dirs),
        tree_root=root,
        cache_dir=cache or default_cache_dir(),
    )


def objects_of(
    side: Side, docs: list[Document], settings: Any, *, first: bool, findings: bool = False
) -> None:
    """Expand ``docs`` and put every object under the app that syncs it (``first``: also
    the apps, failures and notes of the side)."""
    from homegen.appsets import IN_CLUSTER, DiskRepo
    from homegen.expand import expand_tree
    from homegen.validate.reader.tree import build_tree
    from homegen.validate.rules.appsets import appset_generator

    expansion = expand_tree(docs, settings)
    expanded = classify(expansion.documents)
    if findings:
        from homegen.diff.findings import side_findings

        side.findings = side_findings(expanded, settings, expansion)
    root = settings.tree_root

    def repo_for(prefix: str) -> Any:
        return DiskRepo(root, prefix=prefix.strip("/")) if root is not None else None

    problems: list[Any] = []
    tree = build_tree(
        expanded,
        _objects(expanded),
        repo_prefix=settings.repo_prefix,
        generate=appset_generator(repo_for, (IN_CLUSTER,), problems),
        expansion=expansion,
    )
    for app in tree.apps():
        side.objects.setdefault(app.name, {})
        if first:
            side.apps[app.name] = app.obj
    for item in tree.objects:
        owners = tree.synced_by.get(item.doc.file) or []
        owner = owners[0].name if owners else _folder_of(item.doc.file)
        key = key_of(item.api_version, item.kind, item.namespace, item.name)
        side.objects.setdefault(owner, {})[key] = item.obj
        if item.doc.origin is not None and not item.doc.origin.source.startswith("kustomize:"):
            side.chart_sources.setdefault(owner, set()).add(key)
    if first and not side.apps:
        side.notes.append(
            f"no Application at {side.label}: objects are listed by folder, and charts and "
            "kustomizations no Application names are not expanded"
        )
    if first:
        side.notes += list(expansion.notes) + [f"{p.rule}: {p.message}" for p in problems]
        for failure in expansion.failures:
            side.failures[failure.app] = f"{failure.source}: {failure.message}"


def _folder_of(file: str) -> str:
    """Where an object no Application syncs is listed: its top folder (``guestbook/``), so
    a tree without Applications still reads app by app; NO_APP for files at the top."""
    top, sep, _rest = file.partition("/")
    return f"{top}/" if sep and "::" not in top else NO_APP


def _objects(docs: list[Document]) -> list[Any]:
    from homegen.validate.reader.tree import Obj, as_dict

    found = []
    for doc in docs:
        if doc.skip or doc.problems:
            continue
        kind, api = doc.obj.get("kind"), doc.obj.get("apiVersion")
        if isinstance(kind, str) and isinstance(api, str):
            meta = as_dict(doc.obj.get("metadata"))
            name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
            found.append(Obj(doc, api, kind, name, namespace))
    return found


def key_of(api_version: str, kind: str, namespace: str, name: str) -> Key:
    """The pairing key: the API group without its version."""
    group = api_version.split("/")[0] if "/" in api_version else ""
    return Key(group, kind, namespace, name)


def _other_chart_app(doc: Document, apps: set[str]) -> bool:
    """An Application with a chart source not among ``apps`` (the others, the root app
    among them, stay: they say where the tree is)."""
    obj = doc.obj
    if not str(obj.get("apiVersion", "")).startswith(ARGO) or obj.get("kind") != "Application":
        return False
    if str((obj.get("metadata") or {}).get("name")) in apps:
        return False
    return "'chart'" in repr(obj.get("spec"))


def rerender(side_input: SideInput, apps: set[str], label: str) -> Side:
    """The objects of ``apps`` expanded a second time, from a second cache: what differs
    from the first expansion is random (``randAlphaNum``, ``genCA``), not the change."""
    from dataclasses import replace

    keep = [d for d in side_input.docs if not _other_chart_app(d, apps)]
    settings = side_input.settings
    cache = settings.cache_dir
    second = replace(settings, cache_dir=cache.with_name(cache.name + "-second") if cache else None)
    side = Side(label, "")
    objects_of(side, keep, second, first=False)
    return side
