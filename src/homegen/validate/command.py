"""``homegen validate``: the thin shell that reads the tree, runs the engine, prints the report."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from homegen.errors import UsageError
from homegen.validate.documents import load_tree, read_file
from homegen.validate.engine import ValidateOptions, validate_documents
from homegen.validate.output import FORMATS
from homegen.validate.registry import DEFAULT_LOCATION

DEFAULT_KUBERNETES_VERSION = "1.28"


def _cluster_settings(path: Path) -> dict[str, Any]:
    """``[cluster]`` of the services.toml next to the tree (or in the working folder), if any."""
    root = path if path.is_dir() else path.parent
    for candidate in (root.parent / "services.toml", Path("services.toml")):
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                return {}
            cluster = data.get("cluster")
            return cluster if isinstance(cluster, dict) else {}
    return {}


def run_validate(
    path: Path,
    *,
    schema_locations: list[str],
    ignore_missing_schemas: bool,
    kubernetes_version: str | None,
    output: str,
    summary: bool,
) -> int:
    """Validate the tree at ``path``, print the report on stdout, return the exit code."""
    if output not in FORMATS:
        raise UsageError(f"unknown --output {output!r}; use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    cluster = _cluster_settings(path)
    version = kubernetes_version or str(cluster.get("kubernetes_version") or "")
    tree_path = cluster.get("tree_path")
    options = ValidateOptions(
        kubernetes_version=version or DEFAULT_KUBERNETES_VERSION,
        schema_locations=[DEFAULT_LOCATION if loc == "default" else loc for loc in schema_locations]
        or [DEFAULT_LOCATION],
        ignore_missing_schemas=ignore_missing_schemas,
        repo_root_in_git=str(tree_path).strip("/") if isinstance(tree_path, str) else None,
    )
    if path.is_dir():
        docs = load_tree(path)
        prefix = path.as_posix()
    else:
        docs = read_file(path.parent, path.name)
        prefix = path.parent.as_posix()
    if not docs:
        print(f"homegen: no YAML documents under {path}", file=sys.stderr)
    try:
        report = validate_documents(docs, options=options)
    except LookupError as exc:  # no core schemas for the requested Kubernetes version
        raise UsageError(str(exc)) from exc
    sys.stdout.write(FORMATS[output](report, prefix, summary_only=summary))
    return report.exit_code
