"""The writer stays inside the output folder (issue 18): a ledger naming paths outside it is
refused as tampered, and no read, write, rename or delete goes through a symlink."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from homegen import confined, writer
from homegen.errors import LedgerTamperedError, UnsafeTreeError, WriteError
from homegen.ledger import LEDGER_NAME, unsafe_path
from robustness import MINIMAL, render_cli, tree_bytes

VICTIM = b"# the README of another project\n"


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """tmp/lab/{services.toml, rendered/} rendered once, and tmp/outside/victim.txt."""
    (tmp_path / "lab").mkdir()
    shutil.copy(MINIMAL, tmp_path / "lab" / "services.toml")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "victim.txt").write_bytes(VICTIM)
    code, text = render_cli(tmp_path / "lab" / "services.toml", tmp_path / "lab" / "rendered")
    assert code == 0, text
    return tmp_path / "lab"


def everything(top: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry below top, symlinks as links: what "nothing changed" compares."""
    seen: dict[str, tuple[str, bytes | str]] = {}
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(folder, name)
            key = path.relative_to(top).as_posix()
            if path.is_symlink():
                seen[key] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[key] = ("dir", "")
            elif not path.is_file():
                seen[key] = ("special", "")
            else:
                seen[key] = ("file", path.read_bytes())
    return seen


def own(out: Path, path: str, data: bytes) -> None:
    """Add a ledger entry claiming path with data's hash, as a forged pull request would."""
    ledger = json.loads((out / LEDGER_NAME).read_bytes())
    ledger["files"][path] = [hashlib.sha256(data).hexdigest()]
    (out / LEDGER_NAME).write_text(json.dumps(ledger, indent=1))


def render(lab: Path, *args: str) -> tuple[int, str]:
    code, text = render_cli(lab / "services.toml", lab / "rendered", *args)
    assert "Traceback" not in text and "internal error" not in text, text
    return code, text


@pytest.mark.parametrize(
    "entry",
    [
        "../outside/victim.txt",
        "../../outside/victim.txt",
        "apps/../../../outside/victim.txt",
        "./../../outside/victim.txt",
        "apps//../../outside/victim.txt",
        "..\\..\\outside\\victim.txt",
        "ABSOLUTE",
    ],
)
@pytest.mark.parametrize("mode", [(), ("--check",), ("--force",)], ids=["render", "check", "force"])
def test_ledger_entries_outside_the_tree_are_refused(
    lab: Path, entry: str, mode: tuple[str, ...]
) -> None:
    victim = lab.parent / "outside" / "victim.txt"
    entry = str(victim) if entry == "ABSOLUTE" else entry
    own(lab / "rendered", entry, VICTIM)
    before = everything(lab.parent)

    code, text = render(lab, *mode)

    assert code == 1
    assert f"rendered/{LEDGER_NAME} is tampered with" in text
    assert repr(entry) in text
    assert "nothing was written or deleted" in text
    assert everything(lab.parent) == before


UNSAFE = [
    *("", "/etc/passwd", "..", "../x", "a/../../x", "a/./b", "./a", "a//b", "a/", "a\\b"),
    *("a/b/", "a/b/..", "a/b//c", "a/b/."),  # past the fast path's first checks
]


@pytest.mark.parametrize("path", [*UNSAFE, "a\0b", LEDGER_NAME])
def test_unsafe_paths(path: str) -> None:
    assert unsafe_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "a.yaml",
        "apps/web.yaml",
        ".gitkeep",
        "a/..b/c..",
        "x/.y",
        "a/b.",
        "...",
        "a/.homegen-ledger",
    ],
)
def test_safe_paths(path: str) -> None:
    assert not unsafe_path(path)


def test_an_owned_entry_below_a_symlinked_folder_is_not_deleted(lab: Path) -> None:
    out = lab / "rendered"
    (out / "link").symlink_to(lab.parent / "outside")
    own(out, "link/victim.txt", VICTIM)  # no longer generated: a render would delete it
    before = everything(lab.parent)

    code, text = render(lab)

    assert code == 1
    assert f"{out}/link: a symlink (to {lab.parent / 'outside'})" in text
    assert "nothing was written" in text
    assert everything(lab.parent) == before


@pytest.mark.parametrize("outside", ["empty", "copy"])
@pytest.mark.parametrize("folder", ["manifests/web", "manifests", "apps"])
def test_a_symlinked_folder_is_never_written_through(lab: Path, outside: str, folder: str) -> None:
    out = lab / "rendered"
    elsewhere = lab.parent / "outside" / "linked"
    if outside == "copy":  # the same files: the tree looks current through the link
        shutil.copytree(out / folder, elsewhere)
    else:  # the case: render wrote deployment.yaml ... there
        elsewhere.mkdir()
    shutil.rmtree(out / folder)
    (out / folder).symlink_to(elsewhere)
    before = everything(lab.parent)

    for args in [(), ("--check",), ("--force",)]:
        code, text = render(lab, *args)
        assert code == 1, args
        assert f"{out}/{folder}: a symlink (to {elsewhere})" in text
        assert everything(lab.parent) == before


@pytest.mark.parametrize("same_bytes", [True, False], ids=["same-bytes", "other-bytes"])
def test_a_symlinked_owned_file_is_neither_overwritten_nor_deleted(
    lab: Path, same_bytes: bool
) -> None:
    out = lab / "rendered"
    target = out / "manifests" / "web" / "deployment.yaml"
    victim = lab.parent / "outside" / "victim.txt"
    if same_bytes:  # owned, identical: without the check the tree would look current
        victim.write_bytes(target.read_bytes())
    else:  # the ledger owns the victim's bytes: a render would "update" it
        own(out, "manifests/web/deployment.yaml", VICTIM)
    target.unlink()
    target.symlink_to(victim)
    before = everything(lab.parent)

    for args in [(), ("--check",), ("--force",)]:
        code, text = render(lab, *args)
        assert code == 1, args
        assert f"{target}: a symlink (to {victim})" in text
        assert everything(lab.parent) == before


def test_a_symlink_the_ledger_owns_and_no_longer_generates_is_kept(lab: Path) -> None:
    out = lab / "rendered"
    victim = lab.parent / "outside" / "victim.txt"
    (out / "apps" / "old.yaml").symlink_to(victim)
    own(out, "apps/old.yaml", VICTIM)  # "owned, unchanged, no longer generated": delete
    before = everything(lab.parent)

    code, text = render(lab, "--force")

    assert code == 1
    assert f"{out}/apps/old.yaml: a symlink (to {victim})" in text
    assert everything(lab.parent) == before


@pytest.mark.parametrize("target", ["real", "dangling"])
def test_the_ledger_itself_as_a_symlink_is_refused(lab: Path, target: str) -> None:
    out = lab / "rendered"
    victim = lab.parent / "outside" / "ledger.json"
    if target == "real":
        victim.write_bytes((out / LEDGER_NAME).read_bytes())
    (out / LEDGER_NAME).unlink()
    (out / LEDGER_NAME).symlink_to(victim)
    (out / "apps" / "web.yaml").write_bytes(b"stale\n")  # something to write
    before = everything(lab.parent)

    code, text = render(lab, "--force")

    assert code == 1
    assert f"{out}/{LEDGER_NAME}: a symlink (to {victim})" in text
    assert everything(lab.parent) == before


def test_an_output_folder_that_is_a_symlink_is_refused(lab: Path) -> None:
    real = lab.parent / "outside" / "tree"
    (lab / "rendered").rename(real)
    (lab / "rendered").symlink_to(real)
    before = everything(lab.parent)

    for args in [(), ("--check",)]:
        code, text = render(lab, *args)
        assert code == 1
        assert f"{lab / 'rendered'}: a symlink (to {real})" in text
        assert "the output folder itself must be a real folder" in text
        assert everything(lab.parent) == before
    # the folders above the output folder may be symlinks: the user chose the path
    (lab.parent / "alias").symlink_to(lab.parent / "outside")
    code, text = render_cli(lab / "services.toml", lab.parent / "alias" / "tree", "--check")
    assert code == 0, text


def test_things_that_are_not_files_in_the_way_are_named(lab: Path) -> None:
    out = lab / "rendered"
    (out / "apps" / "web.yaml").unlink()
    (out / "apps" / "web.yaml").mkdir()  # a folder where a file belongs
    (out / "app-of-apps.yaml").unlink()
    os.mkfifo(out / "app-of-apps.yaml")  # must not hang the read
    before = everything(lab.parent)

    code, text = render(lab, "--force")

    assert code == 1
    assert f"{out}/apps/web.yaml: a folder" in text
    assert f"{out}/app-of-apps.yaml: not a regular file" in text
    assert everything(lab.parent) == before


def test_a_file_where_a_folder_belongs_is_named(lab: Path) -> None:
    out = lab / "rendered"
    shutil.rmtree(out / "manifests" / "web")
    (out / "manifests" / "web").write_bytes(b"not a folder\n")

    code, text = render(lab, "--force")

    assert code == 1
    assert f"{out}/manifests/web: a file" in text


def test_an_owned_entry_naming_a_folder_is_left_alone(lab: Path) -> None:
    out = lab / "rendered"
    own(out, "manifests", b"")
    own(out, "apps/web.yaml/inner", b"")  # below a file: nothing there to delete

    code, text = render(lab)

    assert code == 0, text
    assert (out / "manifests" / "web" / "deployment.yaml").is_file()
    assert "manifests" not in json.loads((out / LEDGER_NAME).read_bytes())["files"]
    assert render(lab, "--check")[0] == 0


def test_a_symlink_swapped_in_after_compare_is_refused(lab: Path) -> None:
    out = lab / "rendered"
    elsewhere = lab.parent / "outside" / "web"
    elsewhere.mkdir()
    desired = {
        p: (d + b"# new\n" if p.startswith("manifests/web/") else d)
        for p, d in tree_bytes(out).items()
        if p != LEDGER_NAME
    }
    diff = writer.compare(out, desired)  # checked: no symlink yet
    shutil.rmtree(out / "manifests" / "web")
    (out / "manifests" / "web").symlink_to(elsewhere)  # ... then one appears

    with pytest.raises(UnsafeTreeError) as caught:
        writer.apply(out, diff)

    assert f"{out}/manifests/web: a symlink" in "\n".join(caught.value.lines())
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_swapped_in_between_staging_and_commit_is_refused(lab: Path) -> None:
    out = lab / "rendered"
    elsewhere = lab.parent / "outside" / "web"
    desired = {
        p: (d + b"# new\n" if p.startswith("manifests/web/") else d)
        for p, d in tree_bytes(out).items()
        if p != LEDGER_NAME
    }
    staged = writer.stage(out, writer.compare(out, desired))
    (out / "manifests" / "web").rename(elsewhere)  # the folder moves out, a link replaces it
    (out / "manifests" / "web").symlink_to(elsewhere)
    before = everything(elsewhere)

    with pytest.raises(UnsafeTreeError):
        staged.commit()

    assert everything(elsewhere) == before  # no file renamed into place out there


def test_a_folder_made_where_a_file_goes_between_staging_and_commit_is_named(
    lab: Path,
) -> None:
    out = lab / "rendered"
    desired = {p: d + b"# new\n" for p, d in tree_bytes(out).items() if p != LEDGER_NAME}
    staged = writer.stage(out, writer.compare(out, desired))
    (out / "apps" / "web.yaml").unlink()
    (out / "apps" / "web.yaml").mkdir()
    (out / "apps" / "web.yaml" / "inner").write_text("x")

    with pytest.raises(UnsafeTreeError) as caught:
        staged.commit()

    lines = caught.value.lines()
    assert "stopped half-way: every file is old or new" in lines[0]
    assert lines[1:] == [f"  {out}/apps/web.yaml: a folder, made while homegen wrote"]


def test_symlinks_homegen_does_not_need_are_left_alone(lab: Path) -> None:
    out = lab / "rendered"
    outside = lab.parent / "outside"
    bait = outside / f".victim.txt.1{writer.TEMP_SUFFIX}"  # named like a stale temp file
    bait.write_bytes(VICTIM)
    (out / "README.md").symlink_to(lab / "services.toml")  # the user's own links
    (out / "manifests" / "notes").symlink_to(outside)
    (out / "manifests" / "web" / "extra").symlink_to(outside)
    (out / "apps" / "web.yaml").write_bytes(b"stale\n")  # something to rewrite: a real render
    own(out, "apps/web.yaml", b"stale\n")
    before = everything(outside)

    code, text = render(lab)

    assert code == 0, text
    assert "update" in text
    assert everything(outside) == before  # the stale-temp sweep does not follow links
    assert (out / "manifests" / "notes").is_symlink()
    assert render(lab, "--check")[0] == 0


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_many_folders_with_few_descriptors_and_none_leaked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homegen import confined

    monkeypatch.setattr(confined, "_MAX_OPEN", 3)  # the cache is flushed again and again
    desired = {f"m/s{i}/d{j}/f.yaml": f"{i} {j}\n".encode() for i in range(12) for j in range(3)}
    out = tmp_path / "out"
    before = _open_fds()
    writer.apply(out, writer.compare(out, desired))
    assert writer.compare(out, desired).clean
    smaller = {p: d for p, d in desired.items() if not p.startswith("m/s1")}  # s1, s10, s11
    writer.apply(out, writer.compare(out, smaller))
    assert writer.compare(out, smaller).clean
    assert sorted(p.name for p in (out / "m").iterdir()) == [
        f"s{i}" for i in sorted(set(range(12)) - {1, 10, 11}, key=str)
    ]
    writer.stage(out, writer.compare(out, desired)).discard()
    assert _open_fds() == before


REFUSAL = (
    "homegen writes, renames and deletes nothing through a symlink or over something that is "
    "not a plain file or folder; {outcome}. Remove or replace these (the output folder itself "
    "must be a real folder):"
)


@pytest.mark.parametrize("step", ["compare", "stage"])
def test_a_symlinked_output_folder_is_refused_in_these_words(tmp_path: Path, step: str) -> None:
    (tmp_path / "real").mkdir()
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "real")

    with pytest.raises(UnsafeTreeError) as caught:
        if step == "compare":
            writer.compare(out, {"a.yaml": b"a\n"})
        else:
            writer.stage(out, writer.TreeDiff())

    assert caught.value.lines() == [
        f"{out}: " + REFUSAL.format(outcome="nothing was written"),
        f"  {out}: a symlink (to {tmp_path / 'real'})",
    ]
    assert list((tmp_path / "real").iterdir()) == []


def test_a_folder_moved_away_between_staging_and_commit_stops_half_way(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer.apply(out, writer.compare(out, {"m/w/a.yaml": b"a\n", "b.yaml": b"b\n"}))
    staged = writer.stage(out, writer.compare(out, {"m/w/a.yaml": b"A\n", "b.yaml": b"B\n"}))
    (out / "m" / "w").rename(tmp_path / "moved")  # no symlink: just gone

    with pytest.raises(UnsafeTreeError) as caught:
        staged.commit()

    assert caught.value.lines() == [
        f"{out}: "
        + REFUSAL.format(
            outcome="stopped half-way: every file is old or new, run homegen render again"
        ),
        f"  {out}/m/w: moved or removed by another process while homegen wrote into it",
    ]
    assert (tmp_path / "moved" / "a.yaml").read_bytes() == b"a\n"  # not renamed into place


def test_a_folder_removed_while_staging_into_it_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    writer.apply(out, writer.compare(out, {"m/w/a.yaml": b"a\n", "b.yaml": b"b\n"}))
    real_stage = writer._stage

    def stage_after_removal(target: str, data: bytes, dir_fd: int, umask: int | None) -> str:
        if target == "m/w/a.yaml":  # its folder is open; another process removes it now
            shutil.rmtree(out / "m" / "w")
        return real_stage(target, data, dir_fd, umask)

    monkeypatch.setattr(writer, "_stage", stage_after_removal)
    diff = writer.compare(out, {"m/w/a.yaml": b"A\n", "b.yaml": b"B\n"})
    ledger = (out / LEDGER_NAME).read_bytes()
    with pytest.raises(UnsafeTreeError) as caught:
        writer.stage(out, diff)

    assert caught.value.lines() == [
        f"{out}: " + REFUSAL.format(outcome="nothing was written"),
        f"  {out}/m/w: moved or removed by another process while homegen wrote into it",
    ]
    assert tree_bytes(out) == {LEDGER_NAME: ledger, "b.yaml": b"b\n"}  # b's temp removed


def test_a_tampered_ledger_is_refused_in_these_words(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer.apply(out, writer.compare(out, {"a.yaml": b"a\n"}))
    own(out, "../x", b"x")
    own(out, "/abs", b"y")

    with pytest.raises(LedgerTamperedError) as caught:
        writer.compare(out, {"a.yaml": b"a\n"})

    assert caught.value.lines() == [
        f"{out}/{LEDGER_NAME} is tampered with: it names files outside {out} (absolute, with "
        "'..' or an empty part); nothing was written or deleted. Remove these entries (or the "
        "whole ledger: the next render rebuilds it):",
        "  '../x'",
        "  '/abs'",
    ]


def test_an_owned_fifo_no_longer_generated_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer.apply(out, writer.compare(out, {"a.yaml": b"a\n", "b.yaml": b"b\n"}))
    (out / "b.yaml").unlink()
    os.mkfifo(out / "b.yaml")  # owned by the ledger, no longer a file: nothing to delete

    diff = writer.compare(out, {"a.yaml": b"a\n"})
    writer.apply(out, diff)

    assert diff.changes == [] and diff.kept == []
    assert stat.S_ISFIFO((out / "b.yaml").lstat().st_mode)
    assert json.loads((out / LEDGER_NAME).read_bytes())["files"].keys() == {"a.yaml"}


@pytest.mark.parametrize("path", ["a.yaml", "sub/b.yaml"])
def test_a_folder_made_where_a_file_goes_is_named_by_its_path(tmp_path: Path, path: str) -> None:
    out = tmp_path / "out"
    desired = {"a.yaml": b"a\n", "sub/b.yaml": b"b\n"}
    writer.apply(out, writer.compare(out, desired))
    staged = writer.stage(out, writer.compare(out, {p: d + b"new\n" for p, d in desired.items()}))
    (out / path).unlink()
    (out / path).mkdir()  # by another process, between staging and commit
    (out / path / "inner").write_text("x")

    with pytest.raises(UnsafeTreeError) as caught:
        staged.commit()

    assert caught.value.lines()[1:] == [f"  {out}/{path}: a folder, made while homegen wrote"]


@pytest.mark.parametrize(
    ("name", "kind", "detail"),
    [
        ("file", "file", "a file"),
        ("folder", "folder", "a folder"),
        ("link", "symlink", "a symlink (to {target})"),
        ("fifo", "special", "not a regular file (a FIFO, socket or device)"),
        ("gone", "missing", "vanished or unreadable while homegen looked at it"),
    ],
)
def test_describe_names_what_is_in_the_way(
    tmp_path: Path, name: str, kind: str, detail: str
) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "file")
    os.mkfifo(tmp_path / "fifo")
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        blocked = confined.describe(folder, name, f"sub/{name}")
    finally:
        os.close(folder)
    assert (blocked.path, blocked.kind, blocked.detail) == (
        f"sub/{name}",
        kind,
        detail.format(target=tmp_path / "file"),
    )
    assert str(blocked) == f"sub/{name}: {blocked.detail}"


def test_a_symlink_whose_target_cannot_be_read_is_still_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")

    def unreadable(*_: object, **__: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(confined.os, "readlink", unreadable)
    blocked = confined.describe(None, str(tmp_path / "link"), "")
    assert (blocked.kind, blocked.detail) == ("symlink", "a symlink (to ?)")


def test_short_reads_are_read_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"".join(b"line %d\n" % i for i in range(1000))
    (tmp_path / "a.yaml").write_bytes(data)
    real_read = os.read
    monkeypatch.setattr(confined.os, "read", lambda fd, n: real_read(fd, min(n, 100)))
    with confined.Confined.open(tmp_path) as tree:
        assert tree.read("a.yaml") == data


def test_a_ledger_that_cannot_be_committed_leaves_the_old_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer.apply(out, writer.compare(out, {"a.yaml": b"a\n"}))
    staged = writer.stage(out, writer.compare(out, {"a.yaml": b"A\n", "new/b.yaml": b"b\n"}))
    (out / LEDGER_NAME).unlink()
    (out / LEDGER_NAME).mkdir()  # the journal cannot be written over it

    with pytest.raises(WriteError) as caught:
        staged.commit()

    assert str(caught.value).startswith(f"{out}/{LEDGER_NAME}: cannot write (")
    assert everything(out) == {"a.yaml": ("file", b"a\n"), LEDGER_NAME: ("dir", "")}


@pytest.mark.parametrize(
    ("meanwhile", "line"),
    [
        ("removed", "{out}/new: vanished while homegen made it"),
        ("symlink", "{out}/new: a symlink (to {elsewhere})"),
        ("file", "{out}/new: a file"),
    ],
)
def test_a_folder_replaced_right_after_homegen_made_it_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: str, line: str
) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    real_mkdir = os.mkdir

    def mkdir_then_swap(name: str, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        real_mkdir(name, mode, dir_fd=dir_fd)
        if name == "new":  # another process, between homegen's mkdir and its open
            os.rmdir(out / "new")
            if meanwhile == "symlink":
                (out / "new").symlink_to(elsewhere)
            elif meanwhile == "file":
                (out / "new").write_text("x")

    diff = writer.compare(out, {"new/a.yaml": b"a\n"})
    monkeypatch.setattr(confined.os, "mkdir", mkdir_then_swap)
    with pytest.raises(UnsafeTreeError) as caught:
        writer.stage(out, diff)
    monkeypatch.undo()

    assert caught.value.lines()[1:] == ["  " + line.format(out=out, elsewhere=elsewhere)]
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("errno_", [errno.ELOOP, errno.ENOTDIR])
def test_a_folder_swapped_back_while_homegen_opened_it_is_named_as_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errno_: int
) -> None:
    (tmp_path / "sub").mkdir()  # a folder again when homegen looks what was in the way
    real_open = os.open

    def swapped(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if name == "sub":  # a symlink (or file) at the moment homegen opened it
            raise OSError(errno_, os.strerror(errno_))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(confined.os, "open", swapped)
    with confined.Confined.open(tmp_path) as tree, pytest.raises(confined.Blocked) as caught:
        tree.folder("sub")
    assert (caught.value.path, caught.value.kind, caught.value.detail) == (
        "sub", "missing", "replaced while homegen looked at it (a folder again now)",
    )  # fmt: skip
