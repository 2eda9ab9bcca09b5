"""Regenerate the built-in catalog from the upstream CRD files sources.toml names.

``python -m homegen.crdschemas.build SHARED`` (``make catalog``): SHARED is the folder the
``local`` paths of sources.toml are relative to (``../shared`` in this project's checkout).
The catalog is nothing but the converter's output plus a SOURCES.json per folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from homegen.crdschemas.catalog import CATALOG_DIR, Source, sources
from homegen.crdschemas.convert import convert_all

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def schema_text(schema: dict[str, Any]) -> str:
    """How a schema file is written: stable, one key per line, a final newline."""
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def read_documents(path: Path) -> list[Any]:
    """Every YAML document of a file (raises yaml.YAMLError, OSError)."""
    with path.open(encoding="utf-8") as handle:
        return list(yaml.load_all(handle, Loader=_Loader))


def source_files(source: Source, shared: Path) -> dict[str, str]:
    """The catalog files of one source folder (relative path → text), made from ``shared``."""
    files: dict[str, str] = {}
    provenance: dict[str, str] = {}
    for name in source.files:
        converted, _ = convert_all(read_documents(shared / source.local / name))
        for item in converted:
            files[item.path] = schema_text(item.schema)
            provenance[item.path] = f"{source.path}/{name}"
    manifest = {
        "project": source.project,
        "repository": source.repository,
        "tag": source.tag,
        "commit": source.commit,
        "licence": source.licence,
        "generated_by": "homegen crd-schemas (descriptions dropped)",
        "schemas": dict(sorted(provenance.items())),
    }
    files["SOURCES.json"] = json.dumps(manifest, indent=2) + "\n"
    return files


def catalog_files(shared: Path) -> dict[str, str]:
    """The whole catalog (path relative to the catalog folder → text), but sources.toml."""
    return {
        f"{source.project}/{source.tag}/{path}": text
        for source in sources()
        for path, text in source_files(source, shared).items()
    }


def shipped_files() -> dict[str, str]:
    """The catalog as shipped (the same shape as ``catalog_files``)."""
    return {
        p.relative_to(CATALOG_DIR).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(CATALOG_DIR.glob("*/*/**/*.json"))
    }


def main(argv: list[str]) -> int:
    """Write the catalog afresh from the shared folder ``argv[0]``; stale files are removed."""
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m homegen.crdschemas.build SHARED_FOLDER", file=sys.stderr)
        return 2
    wanted = catalog_files(Path(argv[0]))
    for stale in set(shipped_files()) - set(wanted):
        (CATALOG_DIR / stale).unlink()
    for path, text in wanted.items():
        target = CATALOG_DIR / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    print(f"catalog: {len(wanted)} files under {CATALOG_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
