"""``homegen crd-schemas``: CustomResourceDefinition files → JSON Schemas in a folder that
``--schema-location`` reads (kubeconform layout ``{group}/{kind}_{version}.json``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from homegen.console import note, warn
from homegen.crdschemas.build import read_documents, schema_text
from homegen.crdschemas.convert import Converted, NotACRD, convert_all
from homegen.errors import EXIT_OK, UsageError, WriteError

_SUFFIXES = (".yaml", ".yml", ".json")


def _inputs(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


def _convert(path: Path, descriptions: bool) -> list[Converted]:
    try:
        documents = read_documents(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise UsageError(f"{where}: not YAML: {getattr(exc, 'problem', None) or exc}") from exc
    try:
        converted, _ = convert_all(documents, descriptions=descriptions)
    except NotACRD as exc:
        raise UsageError(f"{path}: {exc}") from exc
    return converted


def run_crd_schemas(paths: list[Path], out: Path, *, descriptions: bool) -> int:
    """Convert every CRD in ``paths`` (files or folders) into ``out``; the exit code."""
    by_path: dict[str, tuple[Converted, Path]] = {}
    for source in _inputs(paths):
        for item in _convert(source, descriptions):
            if item.path in by_path:
                warn(f"{source}: {item.path} also made from {by_path[item.path][1]}; kept this one")
            by_path[item.path] = (item, source)
    if not by_path:
        raise UsageError("no CustomResourceDefinition found in " + ", ".join(map(str, paths)))
    for relative, (item, _source) in sorted(by_path.items()):
        target = out / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(schema_text(item.schema), encoding="utf-8")
        except OSError as exc:
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from exc
        note(f"wrote {target}")
    note(f"{len(by_path)} schemas; use them with --schema-location {out}")
    return EXIT_OK
