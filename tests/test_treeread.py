"""The tree reader: what it reads, what it refuses, and how it resolves paths."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from homegen.treeread import Refused, TreeReader


def tree(tmp_path: Path, git: bool = False) -> Path:
    root = tmp_path / "repo"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.yaml").write_text("k: v\n")
    (tmp_path / "outside.txt").write_text("outside\n")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_a_file_at_the_limit_is_read_one_byte_over_is_refused(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "at.txt").write_bytes(b"x" * 100)
    (root / "over.txt").write_bytes(b"x" * 101)
    reader = TreeReader.for_tree(root)
    reader.limit = 100
    assert reader.read_bytes(root / "at.txt") == b"x" * 100
    with pytest.raises(Refused) as refused:
        reader.read_bytes(root / "over.txt")
    assert refused.value.refusal.kind == "size" and refused.value.refusal.path == "over.txt"


def test_symlinks_inside_are_followed_outside_and_into_git_are_refused(tmp_path: Path) -> None:
    root = tree(tmp_path, git=True)
    os.symlink("b/f.yaml", root / "a" / "rel.yaml")
    os.symlink(root / "a" / "b" / "f.yaml", root / "a" / "abs.yaml")  # absolute, inside
    os.symlink("../../outside.txt", root / "a" / "out.txt")
    os.symlink("../.git/config", root / "a" / "git.txt")
    os.symlink("out.txt", root / "a" / "chain.txt")  # in bounds itself, to an out-of-bounds one
    reader = TreeReader.for_tree(root)
    assert reader.read_text(root / "a" / "rel.yaml") == "k: v\n"
    assert reader.read_text(root / "a" / "abs.yaml") == "k: v\n"
    for name in ("out.txt", "git.txt", "chain.txt"):
        with pytest.raises(Refused):
            reader.read_bytes(root / "a" / name)
    assert reader.walk(root) == ["a/abs.yaml", "a/b/f.yaml", "a/rel.yaml"]
    messages = {p: r.message for p, r in reader.refusals.items()}
    assert messages["a/out.txt"].startswith("out-of-bounds symlink (to ../../outside.txt")
    assert "into .git" in messages["a/git.txt"]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    root = tree(tmp_path)
    os.mkfifo(root / "pipe.yaml")
    reader = TreeReader.for_tree(root)
    with pytest.raises(Refused) as refused:
        reader.read_bytes(root / "pipe.yaml")
    assert refused.value.refusal.kind == "special"
    assert reader.walk(root) == ["a/b/f.yaml"]


def test_a_symlink_loop_ends(tmp_path: Path) -> None:
    root = tree(tmp_path)
    os.symlink("..", root / "a" / "b" / "up")
    reader = TreeReader.for_tree(root)
    assert reader.walk(root, into_links=True) == ["a/b/f.yaml"]


def test_paths_resolve_as_argocd_resolves_value_files(tmp_path: Path) -> None:
    root = tree(tmp_path, git=True)
    reader = TreeReader.for_tree(root)
    # relative to the app's folder; absolute from the repository root
    assert reader.resolve(root / "a/b", "f.yaml") == root.resolve() / "a/b/f.yaml"
    assert reader.resolve(root / "a", "/a/b/f.yaml") == root.resolve() / "a/b/f.yaml"
    assert reader.resolve(root / "a/b", "/etc/passwd") == root.resolve() / "etc/passwd"
    outside = re.escape("'../../../outside.txt' resolved to outside repository root")
    with pytest.raises(Refused, match=outside):
        reader.resolve(root / "a/b", "../../../outside.txt")
    with pytest.raises(Refused, match=re.escape("resolved into .git")):
        reader.resolve(root / "a", "../.git/config")


def test_git_files_are_the_index_not_untracked_files(tmp_path: Path) -> None:
    root = tree(tmp_path, git=True)
    subprocess.run(["git", "-C", str(root), "add", "a/b/f.yaml"], check=True)
    (root / "creds.json").write_text("{}")
    reader = TreeReader.for_tree(root)
    assert reader.tracked() == ["a/b/f.yaml"] and reader.notes == []
    plain = TreeReader.for_tree(tree(tmp_path / "plain"))
    assert plain.tracked() is None and plain.tracked() is None
    assert len(plain.notes) == 1 and "is not a git checkout" in plain.notes[0]


def test_a_copy_holds_what_the_reader_allows_and_names_the_rest(tmp_path: Path) -> None:
    root = tree(tmp_path, git=True)
    (root / "a" / ".hidden").write_text("h\n")
    (root / "a" / ".git").mkdir()
    (root / "a" / ".git" / "config").write_text("token\n")
    os.symlink("../../../outside.txt", root / "a" / "b" / "out.txt")
    reader = TreeReader.for_tree(root)
    dest = tmp_path / "copy"
    refused = reader.copy_folder(root / "a", dest)
    assert [r.path for r in refused] == ["a/b/out.txt"]
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert copied == [".hidden", "b/f.yaml"]


def test_a_chart_name_from_a_tree_never_leaves_the_chart_folders(tmp_path: Path) -> None:
    from homegen.charts.local import find_local
    from homegen.charts.ranges import local_versions

    (tmp_path / "charts").mkdir()
    (tmp_path / "x-1.0.0").mkdir()
    (tmp_path / "x-1.0.0" / "Chart.yaml").write_text("apiVersion: v2\nname: x\nversion: 1.0.0\n")
    hit, line = find_local(tmp_path / "charts", "../x", "1.0.0")
    assert hit is None and "is not a chart file name" in line
    assert local_versions(tmp_path / "charts", "../x") == []
    assert find_local(tmp_path, "x", "1.0.0")[0] is not None  # the same name, plainly


def test_kustomize_fetches_only_what_is_not_local_and_looks_remote() -> None:
    from homegen.expand.kustomize import _remote_form

    for remote in ("github.com/org/repo/base?ref=v1", "git@github.com:org/repo", "git::x"):
        assert _remote_form(remote), remote
    for local in ("missing.yaml", "../base", "./base", "base/x.yaml", "..foo/x"):
        assert not _remote_form(local), local
