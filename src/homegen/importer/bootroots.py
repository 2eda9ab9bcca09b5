"""Roots a chart of the tree makes at bootstrap (an ``argocd-apps`` dependency's values, a
chart's templates): when no written app is a root, validate's finder (homegen.expand.bootroots)
renders those charts offline, and the Applications and ApplicationSets they make join the
tree import reads, so the apps they create are imported as if they had been written."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from homegen.importer.report import Report
from homegen.importer.source import SourceTree
from homegen.validate.reader.documents import Document, parse_with_yaml
from homegen.validate.reader.tree import as_dict


def add_bootstrap_roots(
    tree: SourceTree,
    root: Path,
    reader: Any,
    chart_dirs: tuple[Path, ...],
    repo_url: str,
    report: Report,
) -> None:
    """Add the app documents the tree's bootstrap charts make to ``tree``; report each one,
    and each chart whose roots are not known offline (a dependency not available)."""
    from homegen.expand.bootroots import bootstrap_roots
    from homegen.expand.model import ExpandSettings

    read = {d.file for d in tree.docs}  # a chart's Chart.yaml may be a document of the tree
    charts = [
        doc
        for path, text in sorted(tree.texts.items())
        if posixpath.basename(path) == "Chart.yaml" and path not in read
        for doc in parse_with_yaml(path, text)[:1]
        if not doc.problems
    ]
    if not charts and not any(posixpath.basename(f) == "Chart.yaml" for f in read):
        return
    settings = ExpandSettings(
        tree_root=root, reader=reader, chart_dirs=chart_dirs, repo_url=repo_url
    )
    found = bootstrap_roots(tree.docs + charts, settings)
    for note in found.notes:
        if note in found.unknown:
            report.add("not-expressed", "bootstrap", note + _HINT)
        else:
            report.add("inferred", "bootstrap", note)
    for doc in found.documents:
        add_document(tree, doc)
        meta = as_dict(doc.obj.get("metadata"))
        report.add(
            "inferred",
            f"{doc.obj.get('kind')}/{meta.get('name')}",
            "made by a chart of the tree at bootstrap (not written in a file): imported as "
            "if it were",
            doc.file,
            doc.line,
        )


_HINT = " (give the chart with --charts, or `homegen charts pull` into the chart cache)"


def add_document(tree: SourceTree, doc: Document) -> None:
    """One more document of the tree (a rendered root), in its folder's index."""
    tree.docs.append(doc)
    tree.by_folder.setdefault(posixpath.dirname(doc.file), []).append(doc)
