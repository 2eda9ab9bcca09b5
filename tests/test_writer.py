"""The writer: compare, apply, the ledger and its journal."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from homegen import writer
from homegen.errors import WriteError
from homegen.ledger import LEDGER_NAME, read_ledger
from homegen.writer import apply, compare, unified_diff


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != LEDGER_NAME
    }


def test_first_render_creates_everything(tmp_path: Path) -> None:
    desired = {"a.yaml": b"a\n", "sub/b.yaml": b"b\n", "run.sh": b"#!/bin/sh\n"}
    diff = compare(tmp_path, desired)
    assert [(c.path, c.action) for c in diff.changes] == [
        ("a.yaml", "create"),
        ("run.sh", "create"),
        ("sub/b.yaml", "create"),
    ]
    apply(tmp_path, diff)
    assert files(tmp_path) == desired
    assert (tmp_path / "run.sh").stat().st_mode & 0o777 == 0o755
    assert compare(tmp_path, desired).clean


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    desired = {"a.yaml": b"a\n", "b.yaml": b"b\n"}
    apply(tmp_path, compare(tmp_path, desired))
    before = (tmp_path / "a.yaml").stat().st_mtime_ns
    changed = {**desired, "b.yaml": b"B\n"}
    diff = compare(tmp_path, changed)
    assert [c.path for c in diff.changes] == ["b.yaml"]
    apply(tmp_path, diff)
    assert (tmp_path / "a.yaml").stat().st_mtime_ns == before


def test_prunes_owned_files_and_empty_folders(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"x/a.yaml": b"a\n", "b.yaml": b"b\n"}))
    (tmp_path / "mine.txt").write_text("mine")
    desired = {"b.yaml": b"b\n"}
    diff = compare(tmp_path, desired)
    assert [(c.path, c.action) for c in diff.changes] == [("x/a.yaml", "delete")]
    apply(tmp_path, diff)
    assert not (tmp_path / "x").exists()
    assert (tmp_path / "mine.txt").read_text() == "mine"


def test_foreign_file_in_the_way_is_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("mine\n")
    diff = compare(tmp_path, {"a.yaml": b"a\n"})
    assert diff.foreign == ["a.yaml"]
    assert diff.changes == []
    forced = compare(tmp_path, {"a.yaml": b"a\n"}, force=True)
    assert [c.action for c in forced.changes] == ["update"]


def test_edited_file_no_longer_generated_is_kept(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n"}))
    (tmp_path / "a.yaml").write_text("edited\n")
    diff = compare(tmp_path, {})
    assert diff.kept == ["a.yaml"]
    apply(tmp_path, diff)
    assert (tmp_path / "a.yaml").read_text() == "edited\n"
    assert compare(tmp_path, {}).kept == ["a.yaml"]  # still reported next time


def test_killed_render_leaves_files_provably_owned(tmp_path: Path) -> None:
    old = {"a.yaml": b"old\n"}
    apply(tmp_path, compare(tmp_path, old))
    new = {"a.yaml": b"new\n"}
    diff = compare(tmp_path, new)
    # Simulate a kill after the journal ledger and the renames, before the final ledger.
    real_write = writer._write_atomic
    calls = []

    def write_once(tree: Any, path: str, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies here
        real_write(tree, path, data)

    writer._write_atomic = write_once  # type: ignore[assignment]
    try:
        with pytest.raises(KeyboardInterrupt):
            apply(tmp_path, diff)
    finally:
        writer._write_atomic = real_write  # type: ignore[assignment]
    assert (tmp_path / "a.yaml").read_bytes() == b"new\n"
    assert read_ledger(tmp_path).owns("a.yaml", b"new\n")
    after_kill = compare(tmp_path, new)
    assert after_kill.changes == []
    assert after_kill.conflicts == []
    assert after_kill.ledger_stale  # it still lists the old hash too
    apply(tmp_path, compare(tmp_path, new))
    assert compare(tmp_path, new).clean


def test_disk_full_leaves_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = {f"f{i}.yaml": b"old\n" for i in range(5)}
    apply(tmp_path, compare(tmp_path, old))
    new = {f"f{i}.yaml": b"new\n" for i in range(5)}
    real_stage = writer._stage
    staged: list[str] = []

    def stage(target: str | Path, data: bytes, *rest: Any) -> str:
        if Path(target).name != LEDGER_NAME and len(staged) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        temp = real_stage(target, data, *rest)
        if Path(target).name != LEDGER_NAME:
            staged.append(temp)
        return temp

    monkeypatch.setattr(writer, "_stage", stage)
    with pytest.raises(WriteError, match="No space left on device"):
        apply(tmp_path, compare(tmp_path, new))
    assert files(tmp_path) == old
    assert not list(tmp_path.glob(f".*{writer.TEMP_SUFFIX}"))


def test_unified_diff_names_both_sides(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"x: 1\n"}))
    diff = compare(tmp_path, {"a.yaml": b"x: 2\n", "b.yaml": b"y\n"})
    text = unified_diff(diff.changes, "rendered")
    assert "--- a/rendered/a.yaml\n+++ b/rendered/a.yaml\n" in text
    assert "-x: 1\n+x: 2\n" in text
    assert "--- /dev/null\n+++ b/rendered/b.yaml\n" in text
