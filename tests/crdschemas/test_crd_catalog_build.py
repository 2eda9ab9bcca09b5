"""The shipped catalog is exactly what the converter makes from the recorded upstream files."""

from __future__ import annotations

import json
from pathlib import Path

from homegen.crdschemas.build import catalog_files, shipped_files
from homegen.crdschemas.catalog import sources


def test_shipped_catalog_is_the_converters_output(shared: Path) -> None:
    """Regenerate with `make catalog` when this fails after a change to the converter."""
    for source in sources():
        for name in source.files:
            assert (shared / source.local / name).is_file(), f"{source.local}/{name}"
    wanted = catalog_files(shared)
    shipped = shipped_files()
    assert sorted(shipped) == sorted(wanted)
    for path, text in wanted.items():
        assert shipped[path] == text, f"{path} differs: run `make catalog`"


def test_every_schema_names_its_upstream_file_and_tag() -> None:
    shipped = shipped_files()
    for source in sources():
        manifest = json.loads(shipped[f"{source.project}/{source.tag}/SOURCES.json"])
        assert (manifest["tag"], manifest["repository"]) == (source.tag, source.repository)
        schemas = {p for p in shipped if p.startswith(f"{source.project}/{source.tag}/")}
        listed = {f"{source.project}/{source.tag}/{p}" for p in manifest["schemas"]}
        assert listed == schemas - {f"{source.project}/{source.tag}/SOURCES.json"}
        for upstream in manifest["schemas"].values():
            assert upstream.startswith(source.path + "/")
            assert upstream.rsplit("/", 1)[1] in source.files
