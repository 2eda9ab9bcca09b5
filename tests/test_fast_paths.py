"""The fast paths added for `make bench` write exactly what the plain ones did."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homegen import writer
from homegen.confined import Confined
from homegen.ledger import Ledger
from homegen.render import yamltext

paths = st.text(min_size=1, max_size=30)
hashes = st.sets(st.text(alphabet="0123456789abcdef", min_size=1, max_size=64), max_size=3)


@given(st.dictionaries(paths, hashes, max_size=8))
def test_ledger_bytes_equal_json_dumps(files: dict[str, set[str]]) -> None:
    ledger = Ledger(files)
    assert ledger.to_bytes() == ledger.json_bytes()


def test_ledger_bytes_of_the_shipped_tree(repo_root: Path) -> None:
    data = (repo_root / "rendered" / ".homegen-ledger").read_bytes()
    files = {p: set(h) for p, h in json.loads(data)["files"].items()}
    assert Ledger(files).to_bytes() == data


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _stage_in(folder: Path, path: str, data: bytes) -> Path:
    """writer._stage into folder (made if missing); the temp file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return folder / writer._stage(path, data, fd)
    finally:
        os.close(fd)


def test_stage_sets_modes_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)  # the mode is exact whatever the umask
    try:
        temp = _stage_in(tmp_path / "a" / "b", "a/b/x.yaml", b"x: 1\n")
        script = _stage_in(tmp_path, "run.sh", b"#!/bin/sh\n")
    finally:
        os.umask(old)
    assert temp.parent == tmp_path / "a" / "b"
    assert temp.name.startswith(".x.yaml.") and temp.name.endswith(writer.TEMP_SUFFIX)
    assert temp.read_bytes() == b"x: 1\n"
    assert _mode(temp) == 0o644
    assert _mode(script) == 0o755


def test_stage_skips_chmod_when_the_umask_keeps_the_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_chmod(*args: object) -> None:
        raise AssertionError("chmod called")

    old = os.umask(0o022)
    try:
        monkeypatch.setattr(writer.os, "fchmod", no_chmod)
        temp = _stage_in(tmp_path, "x.yaml", b"x: 1\n")
        script = _stage_in(tmp_path, "run.sh", b"#!/bin/sh\n")
    finally:
        os.umask(old)
    assert (_mode(temp), _mode(script)) == (0o644, 0o755)


def test_a_discarded_stage_leaves_the_tree_as_it_was(tmp_path: Path) -> None:
    root = tmp_path / "rendered"
    writer.apply(root, writer.compare(root, {"a/x.yaml": b"x\n"}))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    desired = {"a/x.yaml": b"y\n", "b/c/y.yaml": b"y\n", "z.yaml": b"z\n"}
    staged = writer.stage(root, writer.compare(root, desired))
    assert (root / "b" / "c").is_dir()
    staged.discard()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_discarded_first_stage_removes_the_folder_it_made(tmp_path: Path) -> None:
    root = tmp_path / "new" / "rendered"
    writer.stage(root, writer.compare(root, {"a/x.yaml": b"x\n"})).discard()
    assert list(tmp_path.iterdir()) == []


def test_stage_takes_another_name_when_its_own_is_taken(tmp_path: Path) -> None:
    first = _stage_in(tmp_path, "x.yaml", b"first\n")  # not renamed yet: the name is taken
    second = _stage_in(tmp_path, "x.yaml", b"second\n")
    assert first != second
    assert first.read_bytes() == b"first\n"
    assert second.read_bytes() == b"second\n"


def test_stale_temps_are_removed_at_any_depth(tmp_path: Path) -> None:
    deep = tmp_path / "manifests" / "app"
    deep.mkdir(parents=True)
    stale = [tmp_path / f".a.yaml.1{writer.TEMP_SUFFIX}", deep / f".b.yaml.x{writer.TEMP_SUFFIX}"]
    keep = [deep / "b.yaml", tmp_path / f"visible{writer.TEMP_SUFFIX}"]
    for path in stale + keep:
        path.write_text("x")
    with Confined.open(tmp_path) as tree:
        writer._remove_stale_temps(tree)
    assert [p.exists() for p in stale] == [False, False]
    assert [p.exists() for p in keep] == [True, True]


def _reference_block(value: Any, indent: int) -> str:
    """yamltext.block as first written (nested lists of lines joined level by level)."""
    if isinstance(value, Mapping | list | tuple) and value:
        return "\n" + "\n".join(_reference_lines(value, indent))
    if isinstance(value, Mapping):
        return " {}"
    if isinstance(value, list | tuple):
        return " []"
    return " " + yamltext.scalar(value)


def _reference_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        return [
            f"{pad}{yamltext.key(str(k))}:{_reference_block(v, indent + 2)}"
            for k, v in value.items()
        ]
    out: list[str] = []
    for item in value:
        if isinstance(item, Mapping | list | tuple) and item:
            nested = _reference_lines(item, indent + 2)
            out.append(f"{pad}- {nested[0].lstrip()}")
            out.extend(nested[1:])
        else:
            out.append(f"{pad}-{_reference_block(item, indent + 2)}")
    return out


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=25,
)


@given(trees, st.integers(min_value=0, max_value=8))
def test_block_writes_what_the_reference_wrote(value: Any, indent: int) -> None:
    assert yamltext.block(value, indent) == _reference_block(value, indent)
