"""The writer's staging, file modes, stale temp files and diffs (killing mutmut's survivors,
docs/mutation.md): each test pins one behaviour a mutant changed without any test noticing."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from homegen import writer
from homegen.errors import WriteError
from homegen.ledger import LEDGER_NAME
from homegen.writer import TEMP_SUFFIX, Change, apply, compare, stage, unified_diff


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run under this umask (restored after)."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_modes_are_0644_and_0755_for_scripts_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n", "bin/run.sh": b"#!/bin/sh\n"}))
    assert (_mode(tmp_path / "a.yaml"), _mode(tmp_path / "bin" / "run.sh")) == (0o644, 0o755)
    assert _mode(tmp_path / "bin") == 0o777 & ~umask  # folders as mkdir makes them
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"A\n", "bin/run.sh": b"#!/bin/bash\n"}))
    assert (_mode(tmp_path / "a.yaml"), _mode(tmp_path / "bin" / "run.sh")) == (0o644, 0o755)


def test_staged_files_are_hidden_temps_beside_their_targets(tmp_path: Path) -> None:
    root = tmp_path / "deep" / "er" / "rendered"  # none of it exists yet
    staged = stage(root, compare(root, {"a.yaml": b"a\n", "sub/b.yaml": b"b\n"}))
    temps = sorted(f"{folder}/{temp}".lstrip("/") for folder, temp, _ in staged.temps)
    assert [(t.split("/")[:-1], t.rsplit("/", 1)[-1][:8]) for t in temps] == [
        ([], ".a.yaml."),
        (["sub"], ".b.yaml."),
    ]
    assert all(t.endswith(TEMP_SUFFIX) for t in temps)
    assert not (root / "a.yaml").exists()  # nothing visible yet
    staged.discard()
    assert not (tmp_path / "deep").exists()  # every folder it made is gone again


def test_a_taken_temp_name_falls_back_to_a_unique_one(tmp_path: Path, umask: int) -> None:
    taken = tmp_path / f".a.yaml.{os.getpid()}{TEMP_SUFFIX}"
    taken.write_bytes(b"someone else's\n")
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        temp = tmp_path / writer._stage("a.yaml", b"a\n", folder)
    finally:
        os.close(folder)
    assert temp != taken and temp.parent == tmp_path
    # hidden, this process's, 8 random hex digits: short enough for long file names too
    assert re.fullmatch(
        rf"\.a\.yaml\.{os.getpid()}\.[0-9a-f]{{8}}{re.escape(TEMP_SUFFIX)}", temp.name
    )
    assert temp.read_bytes() == b"a\n" and _mode(temp) == 0o644
    assert taken.read_bytes() == b"someone else's\n"


def test_stale_temps_of_a_killed_render_are_removed_and_nothing_else(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n", "sub/b.yaml": b"b\n"}))
    stale = [tmp_path / f".a.yaml.99{TEMP_SUFFIX}", tmp_path / "sub" / f".b.yaml.1{TEMP_SUFFIX}"]
    mine = [tmp_path / f"notes{TEMP_SUFFIX}", tmp_path / f".notes{TEMP_SUFFIX}.bak"]
    for path in stale + mine:
        path.write_bytes(b"x")
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"A\n", "sub/b.yaml": b"b\n"}))
    assert [p.exists() for p in stale + mine] == [False, False, True, True]


def test_a_file_deleted_by_hand_does_not_stop_the_other_deletions(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n", "b.yaml": b"b\n", "c.yaml": b"c\n"}))
    (tmp_path / "a.yaml").unlink()
    diff = compare(tmp_path, {"c.yaml": b"c\n"})
    assert [(c.path, c.action, c.old) for c in diff.changes] == [("b.yaml", "delete", b"b\n")]
    apply(tmp_path, diff)
    assert sorted(p.name for p in tmp_path.iterdir()) == [LEDGER_NAME, "c.yaml"]


def test_unified_diff_of_create_update_delete_exactly() -> None:
    changes = [
        Change("new.yaml", "create", None, b"x: 1\n"),
        Change("same.yaml", "update", b"a\nb\n", b"a\nc"),
        Change("gone.yaml", "delete", b"bye\n", None),
        Change("bin.yaml", "update", b"\xff\n", b"ok\n"),
        Change("bin2.yaml", "update", b"ok\n", b"\xfe\n"),
    ]
    assert unified_diff(changes, "rendered") == (
        "--- /dev/null\n+++ b/rendered/new.yaml\n@@ -0,0 +1 @@\n+x: 1\n"
        "--- a/rendered/same.yaml\n+++ b/rendered/same.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        "\\ No newline at end of file\n"
        "--- a/rendered/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"
        "--- a/rendered/bin.yaml\n+++ b/rendered/bin.yaml\n@@ -1 +1 @@\n-\ufffd\n+ok\n"
        "--- a/rendered/bin2.yaml\n+++ b/rendered/bin2.yaml\n@@ -1 +1 @@\n-ok\n+\ufffd\n"
    )


def test_a_ledger_that_cannot_be_written_is_a_write_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / LEDGER_NAME).mkdir()
    with pytest.raises(WriteError) as error:
        writer._write_atomic(writer.Confined.open(tmp_path), LEDGER_NAME, b"{}")
    assert str(error.value).startswith(f"{tmp_path / LEDGER_NAME}: cannot write (")


def test_discard_keeps_folders_that_existed_or_were_filled_meanwhile(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()  # exists, empty: not the render's to remove
    staged = stage(root, compare(root, {"new/a.yaml": b"a\n", "b.yaml": b"b\n"}))
    (root / "new" / "mine.txt").write_text("written meanwhile")
    folder, temp, _ = staged.temps[0]
    os.unlink(root / folder / temp)  # a temp already gone is no error
    staged.discard()
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "new",
        "new/mine.txt",
    ]


def test_a_failed_write_removes_its_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.os, "write", full)
    with pytest.raises(WriteError, match="No space left on device"):
        stage(tmp_path, compare(tmp_path, {"a.yaml": b"a\n"}))
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def folders(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


def test_deletions_prune_empty_folders_up_to_the_first_that_holds_something(
    tmp_path: Path,
) -> None:
    root = tmp_path / "out"
    apply(root, compare(root, {"a/b/c/f.yaml": b"f\n", "a/g.yaml": b"g\n", "x/y/h.yaml": b"h\n"}))
    (root / "x" / "mine.txt").write_text("the user's")
    apply(root, compare(root, {"a/g.yaml": b"g\n"}))
    assert folders(root) == ["a", "x"]  # a/b/c and a/b emptied; x holds the user's file
    apply(root, compare(root, {}))
    assert folders(root) == ["x"]
    assert sorted(p.name for p in root.iterdir()) == [LEDGER_NAME, "x"]  # the root stays


def test_discard_removes_the_nested_folders_it_made(tmp_path: Path) -> None:
    root = tmp_path / "out"
    apply(root, compare(root, {"keep.yaml": b"k\n"}))
    staged = stage(root, compare(root, {"keep.yaml": b"k\n", "a/b/c/f.yaml": b"f\n"}))
    assert staged.created == ["a", "a/b", "a/b/c"]
    staged.discard()
    assert folders(root) == []
    assert sorted(p.name for p in root.iterdir()) == [LEDGER_NAME, "keep.yaml"]


def test_an_output_folder_that_cannot_be_made_is_a_write_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    root = tmp_path / "file" / "out"
    with pytest.raises(WriteError) as error:
        stage(root, writer.TreeDiff())  # compare would refuse it first: a file on the way
    assert str(error.value) == f"{root}: cannot create the folder (Not a directory)"


def test_a_failed_write_says_the_old_tree_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n"}))
    before = (tmp_path / LEDGER_NAME).read_bytes()

    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    diff = compare(tmp_path, {"a.yaml": b"A\n", "new/b.yaml": b"b\n"})
    monkeypatch.setattr(writer.os, "write", full)
    with pytest.raises(WriteError) as error:
        stage(tmp_path, diff)
    monkeypatch.undo()
    assert (
        str(error.value)
        == f"{tmp_path}: writing failed (No space left on device); the old tree is intact"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [LEDGER_NAME, "a.yaml"]
    assert (tmp_path / LEDGER_NAME).read_bytes() == before


def test_a_file_deleted_by_hand_after_compare_does_not_stop_the_render(tmp_path: Path) -> None:
    apply(tmp_path, compare(tmp_path, {"a.yaml": b"a\n", "b.yaml": b"b\n", "c.yaml": b"c\n"}))
    diff = compare(tmp_path, {"c.yaml": b"c\n"})  # deletes a and b
    (tmp_path / "a.yaml").unlink()  # meanwhile, by hand
    apply(tmp_path, diff)
    assert sorted(p.name for p in tmp_path.iterdir()) == [LEDGER_NAME, "c.yaml"]
    assert compare(tmp_path, {"c.yaml": b"c\n"}).clean


def test_discard_leaves_an_output_folder_someone_wrote_into(tmp_path: Path) -> None:
    root = tmp_path / "new" / "out"  # made by this render
    staged = stage(root, compare(root, {"a/b.yaml": b"b\n"}))
    (root / "theirs.txt").write_text("written meanwhile")
    staged.discard()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "new",
        "new/out",
        "new/out/theirs.txt",
    ]


def test_discard_goes_through_no_symlink_swapped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homegen import confined

    monkeypatch.setattr(confined, "_MAX_OPEN", 1)  # no folder stays open: discard walks again
    root = tmp_path / "out"
    apply(root, compare(root, {"a/x.yaml": b"x\n", "b/y.yaml": b"y\n"}))
    staged = stage(root, compare(root, {"a/x.yaml": b"X\n", "b/y.yaml": b"Y\n"}))
    (root / "a").rename(tmp_path / "moved")
    (root / "a").symlink_to(tmp_path / "moved")
    moved = sorted(p.name for p in (tmp_path / "moved").iterdir())
    assert len(moved) == 2  # x.yaml and its staged temp
    staged.discard()
    assert sorted(p.name for p in (tmp_path / "moved").iterdir()) == moved  # not reached
    assert sorted(p.name for p in (root / "b").iterdir()) == ["y.yaml"]  # b's temp removed


def test_discard_removes_no_folder_through_a_symlink_swapped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homegen import confined

    monkeypatch.setattr(confined, "_MAX_OPEN", 1)  # no folder stays open: discard walks again
    root = tmp_path / "out"
    staged = stage(root, compare(root, {"a/b/c/f.yaml": b"f\n", "z/g.yaml": b"g\n"}))
    (root / "a").rename(tmp_path / "moved")
    (root / "a").symlink_to(tmp_path / "moved")
    for temp in (tmp_path / "moved" / "b" / "c").iterdir():
        temp.unlink()  # an empty folder out there now, that discard must not reach
    staged.discard()
    assert (tmp_path / "moved" / "b" / "c").is_dir()
    assert sorted(p.name for p in root.iterdir()) == ["a"]  # z made and removed again
    assert (root / "a").is_symlink()
