"""`homegen import`: read a tree from disk, write services.toml, show the report."""

from __future__ import annotations

import os
from pathlib import Path

from homegen import console
from homegen.console import note, warn
from homegen.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from homegen.treeread import Refused, TreeReader

OUTPUTS = ("text", "json")


def read_tree_files(root: Path, reader: TreeReader | None = None) -> dict[str, str]:
    """Every file under root (hidden ones skipped) as text, read through the tree reader; a
    file that is not UTF-8 is an unreadable tree when it is YAML, and an empty non-YAML file
    otherwise. A symlink out of the repository root, a device or FIFO, or a file over the
    size limit makes the tree unreadable (nothing is imported)."""
    from homegen.importer.source import UnreadableTreeError

    reader = reader or TreeReader.for_tree(root)
    files: dict[str, str] = {}
    problems: list[str] = []
    for rel in reader.walk(root):
        try:
            files[rel] = reader.read_text(root / rel)
        except Refused:
            continue  # listed below with every other refusal
        except (OSError, UnicodeDecodeError) as exc:
            if rel.endswith((".yaml", ".yml")):
                problems.append(f"{rel}:1: unreadable: {exc}")
            else:
                files[rel] = ""
    problems += [f"{r.path}:1: {r.message}" for r in reader.refusals.values()]
    if problems:
        raise UnreadableTreeError(sorted(problems))
    return files


def tracked_files(root: Path, reader: TreeReader) -> frozenset[str] | None:
    """The tree's files git holds (paths relative to the tree), None outside git: what
    ApplicationSet git generators may read."""
    tracked = reader.tracked()
    if tracked is None:
        return None
    offset = Path(os.path.relpath(reader.base, reader.root)).as_posix()
    start = "" if offset == "." else offset + "/"
    return frozenset(t[len(start) :] for t in tracked if t.startswith(start))


def checkout_of(tree: Path, reader: TreeReader) -> tuple[str, str] | None:
    """The origin remote's URL and the tree's folder in its git checkout, or None."""
    from homegen.validate.command import origin_url

    if reader.tracked() is None:
        return None
    offset = Path(os.path.relpath(reader.base, reader.root)).as_posix()
    return origin_url(tree), "" if offset == "." else offset


def run_import(
    tree: Path,
    out: Path,
    *,
    repo_url: str | None,
    tree_path: str | None,
    force: bool,
    output: str,
    chart_dirs: tuple[Path, ...] = (),
) -> int:
    """Import tree into out; exit 0, or 1 when a render of it would not succeed."""
    if output not in OUTPUTS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(OUTPUTS)}")
    if not tree.is_dir():
        raise UsageError(f"{tree}: not a folder (give the ArgoCD tree to import)")
    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; homegen import overwrites it only with --force")
    from homegen.charts.local import chart_dirs_from_env
    from homegen.commands.edit import _write_atomic
    from homegen.importer.core import ImportOptions, import_tree

    reader = TreeReader.for_tree(tree)
    files = read_tree_files(tree, reader)
    tracked = tracked_files(tree, reader)
    options = ImportOptions(
        repo_url=repo_url, tree_path=tree_path, tracked=tracked, checkout=checkout_of(tree, reader),
        root=tree, reader=reader, chart_dirs=chart_dirs_from_env(chart_dirs),
    )  # fmt: skip
    result = import_tree(files, options)
    for text in reader.notes:
        note(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out, result.text.encode("utf-8"))
    if output == "json":
        comparison = result.comparison
        summary = None
        if comparison is not None:
            summary = {
                "objects": comparison.total,
                "reproduced": len(comparison.reproduced),
                "share": round(comparison.share, 4),
                "not_reproduced": [{"object": o, "why": w} for o, w in comparison.missing],
                "unsynced": len(comparison.unsynced),
                "not_applied": [{"object": o, "why": w} for o, w in comparison.unsynced],
                "bootstrap_roots": [{"object": o, "why": w} for o, w in comparison.bootstrap],
            }
        console.out_json(result.report.as_json(summary, str(out)) + "\n")
    else:
        for line in result.report.lines:
            (warn if line.kind == "warning" else note)(line.text())
        for text in result.report.decision_text(str(out)):
            note(text)
    counts = ", ".join(f"{n} {kind}" for kind, n in result.report.counts().items())
    note(f"wrote {out} ({counts})")
    fails = result.comparison is None or any(
        "first render will fail" in x.message for x in result.report.of_kind("warning")
    )
    return EXIT_FINDINGS if fails else EXIT_OK
