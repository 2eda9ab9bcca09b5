"""Where homegen's tree goes when the imported tree is a repository's root: never the root
itself (the rendered tree would land among the owner's files, and `tree_path = "."` makes
homegen's root sync the repository's top-level `apps/`), but a folder of its own: `rendered/`,
where `homegen render` writes by default, else the first free of `homegen/`, `homegen-2/` …"""

from __future__ import annotations

from typing import Any

from homegen.importer.location import Location
from homegen.importer.report import Report
from homegen.importer.source import SourceTree

CANDIDATES = ("rendered", "homegen")


def free_folder(tree: SourceTree) -> str:
    """The first candidate folder no file or folder at the top of the tree takes."""
    taken = {path.split("/", 1)[0] for path in (*tree.dirs, *tree.texts) if path}
    more = (f"homegen-{i}" for i in range(2, 1000))
    return next(name for name in (*CANDIDATES, *more) if name not in taken)


def own_tree_path(
    data: dict[str, Any], tree: SourceTree, loc: Location, given: str | None, report: Report
) -> None:
    """[cluster] tree_path: a folder of its own where the tree is the repository's root (and
    --tree-path does not say otherwise); the report says where to point the root."""
    if given or loc.tree_path not in ("", "."):
        return
    folder = free_folder(tree)
    data["cluster"]["tree_path"] = folder
    render = "homegen render" + ("" if folder == "rendered" else f" -o {folder}")
    report.add(
        "inferred",
        "cluster.tree_path",
        f"{folder!r}: the imported tree is the repository's root, so homegen's tree goes in a "
        f"folder of its own, where `{render}` writes it from the repository's root",
    )
    root = data.get("argocd", {}).get("root_app", "app-of-apps")
    report.add(
        "warning",
        "argocd.root_app",
        f"point the root Application at {folder}/apps: apply {folder}/app-of-apps.yaml "
        f"(homegen's root, {root!r}) in place of the tree's root, whose folder it no longer syncs",
    )
