"""`homegen import`: read a tree from disk, write services.toml, show the report."""

from __future__ import annotations

import sys
from pathlib import Path

from homegen.console import note, warn
from homegen.errors import EXIT_FINDINGS, EXIT_OK, UsageError

OUTPUTS = ("text", "json")


def read_tree_files(root: Path) -> dict[str, str]:
    """Every file under root (hidden ones skipped) as text; a file that is not UTF-8 is
    an unreadable tree when it is YAML, and an empty non-YAML file otherwise."""
    from homegen.importer.source import UnreadableTreeError

    files: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        try:
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            if path.suffix in (".yaml", ".yml"):
                problems.append(f"{rel.as_posix()}:1: unreadable: {exc}")
            else:
                files[rel.as_posix()] = ""
    if problems:
        raise UnreadableTreeError(problems)
    return files


def run_import(
    tree: Path,
    out: Path,
    *,
    repo_url: str | None,
    tree_path: str | None,
    force: bool,
    output: str,
) -> int:
    """Import tree into out; exit 0, or 1 when a render of it would not succeed."""
    if output not in OUTPUTS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(OUTPUTS)}")
    if not tree.is_dir():
        raise UsageError(f"{tree}: not a folder (give the ArgoCD tree to import)")
    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; homegen import overwrites it only with --force")
    from homegen.commands.edit import _write_atomic
    from homegen.importer.core import ImportOptions, import_tree

    result = import_tree(
        read_tree_files(tree), ImportOptions(repo_url=repo_url, tree_path=tree_path)
    )
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
            }
        sys.stdout.write(result.report.as_json(summary, str(out)) + "\n")
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
