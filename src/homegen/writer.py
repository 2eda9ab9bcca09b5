"""Compare the desired tree with rendered/ and apply it: atomic files, ledger last.

The only module that writes under rendered/. Files are staged as hidden temp files in
their own folder and renamed into place only once all of them were written, so a full
disk leaves the old tree intact and a kill leaves every file either old or new. Every
path goes through ``homegen.confined``: nothing is read, written, renamed or deleted
through a symlink, and the ledger's entries must be plain relative paths.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from homegen.confined import Blocked, Confined
from homegen.errors import LedgerTamperedError, UnsafeTreeError, WriteError
from homegen.ledger import LEDGER_NAME, Ledger, digest, parse_ledger

TEMP_SUFFIX = ".homegen-tmp"
_MOVED = "moved or removed by another process while homegen wrote into it"


@dataclass(frozen=True, slots=True)
class Change:
    """One file to create, update or delete; old/new are None where absent."""

    path: str
    action: str  # "create" | "update" | "delete"
    old: bytes | None
    new: bytes | None


@dataclass
class TreeDiff:
    """What a render would do to the tree on disk."""

    changes: list[Change] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # owned, changed by hand, would be lost
    foreign: list[str] = field(default_factory=list)  # not owned, in the way of a new file
    kept: list[str] = field(default_factory=list)  # owned, edited, no longer generated
    ledger: Ledger = field(default_factory=Ledger)
    ledger_stale: bool = False  # the ledger on disk is not the one this render ends with
    final: Ledger = field(default_factory=Ledger)  # the ledger this render ends with
    final_bytes: bytes = b""  # ... as written

    @property
    def conflicts(self) -> list[str]:
        """Files a render refuses to touch without --force."""
        return sorted(self.edited + self.foreign)

    @property
    def clean(self) -> bool:
        """Whether the tree on disk is exactly the desired one."""
        return not (self.changes or self.conflicts or self.kept or self.ledger_stale)


def _is_empty(tree: Confined) -> bool:
    if tree.fd is None:
        return True
    with os.scandir(tree.fd) as entries:
        return next(entries, None) is None


def compare(root: Path, desired: dict[str, bytes], *, force: bool = False) -> TreeDiff:
    """The changes that would make root match desired, and the files in the way.

    Raises LedgerTamperedError when the ledger names paths outside root, and UnsafeTreeError
    when a path to read or write is a symlink (or a folder on the way is): both before
    anything is written.
    """
    try:
        with Confined.open(root) as tree:
            return _compare(tree, desired, force)
    except Blocked as exc:
        raise _unsafe(root, [exc]) from None


def _compare(tree: Confined, desired: dict[str, bytes], force: bool) -> TreeDiff:
    root = tree.root
    blocked: dict[str, Blocked] = {}

    def read(path: str, *, owned_only: bool = False) -> bytes | None:
        try:
            return tree.read(path)
        except Blocked as exc:
            # an owned path that is a folder or lies below a file holds nothing to delete
            if not (owned_only and exc.kind in ("folder", "file", "special")):
                blocked.setdefault(exc.path, exc)
            return None

    ledger_bytes = read(LEDGER_NAME)
    ledger = parse_ledger(ledger_bytes)
    if ledger.outside:
        raise LedgerTamperedError(
            f"{root}/{LEDGER_NAME} is tampered with: it names files outside {root} "
            "(absolute, with '..' or an empty part); nothing was written or deleted. "
            "Remove these entries (or the whole ledger: the next render rebuilds it):",
            [repr(p) for p in ledger.outside],
        )
    diff = TreeDiff(ledger=ledger)
    fresh = _is_empty(tree)  # a first render: no file to read back
    for path, new in desired.items():
        old = None if fresh else read(path)
        if old == new:
            continue
        if old is not None and not ledger.owns(path, old):
            (diff.edited if path in ledger.files else diff.foreign).append(path)
            if not force:
                continue
        diff.changes.append(Change(path, "create" if old is None else "update", old, new))
    for path in sorted(set(ledger.files) - set(desired)):
        old = read(path, owned_only=True)
        if old is None:
            continue
        if ledger.owns(path, old) or force:
            diff.changes.append(Change(path, "delete", old, None))
        else:
            diff.kept.append(path)
    if blocked:
        raise _unsafe(root, list(blocked.values()))
    diff.changes.sort(key=lambda c: c.path)
    diff.final = final_ledger(desired, diff)
    diff.final_bytes = diff.final.to_bytes()
    diff.ledger_stale = ledger_bytes != diff.final_bytes
    return diff


def _unsafe(root: Path, blocked: list[Blocked], *, committing: bool = False) -> UnsafeTreeError:
    outcome = (
        "stopped half-way: every file is old or new, run homegen render again"
        if committing
        else "nothing was written"
    )
    return UnsafeTreeError(
        f"{root}: homegen writes, renames and deletes nothing through a symlink or over "
        f"something that is not a plain file or folder; {outcome}. Remove or "
        "replace these (the output folder itself must be a real folder):",
        [f"{root}/{b.path}: {b.detail}" if b.path else f"{root}: {b.detail}" for b in blocked],
    )


def final_ledger(desired: dict[str, bytes], diff: TreeDiff) -> Ledger:
    """The ledger a complete render leaves: what it wrote, plus edited files it kept."""
    final = Ledger({path: {digest(data)} for path, data in desired.items()})
    for path in diff.kept:
        final.files[path] = diff.ledger.files[path]
    return final


def forget_contents(diff: TreeDiff) -> None:
    """Drop what staging needed and committing does not, once staged: the bytes the changes
    hold (the paths, the actions and which change deletes a file stay; a unified diff no
    longer can be made) and the final ledger (its bytes stay, for the commit)."""
    diff.changes[:] = [
        Change(c.path, c.action, None if c.old is None else b"", None if c.new is None else b"")
        for c in diff.changes
    ]
    diff.final = Ledger()


def apply(root: Path, diff: TreeDiff) -> None:
    """Make root match the desired tree as diff says; the ledger is written first and last."""
    stage(root, diff).commit()


@dataclass
class Staged:
    """A render's new files, written as hidden temp files next to their targets, not yet in
    place: ``commit`` moves them in (ledger first and last), ``discard`` removes every trace."""

    tree: Confined
    diff: TreeDiff
    temps: list[tuple[str, str, str]] = field(default_factory=list)  # (folder, temp, name)
    created: list[str] = field(default_factory=list)  # folders this render made, outer first
    journal: bytes = b""  # the ledger while files are renamed: old and new hashes alike
    made_root: list[Path] = field(default_factory=list)  # root and its missing parents

    @property
    def root(self) -> Path:
        """The output folder."""
        return self.tree.root

    def commit(self) -> None:
        """Rename every staged file into place, delete the stale ones; ledger around it."""
        tree, diff = self.tree, self.diff
        try:
            try:
                _write_atomic(tree, LEDGER_NAME, self.journal)
            except WriteError:
                self.discard()
                raise
            tree.forget_all()  # walk again: the folders staged into may have moved since
            for folder, temp, name in self.temps:
                fd = tree.folder(folder)
                try:
                    os.replace(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
                except FileNotFoundError:  # its folder was moved or removed meanwhile
                    raise Blocked(folder, "missing", _MOVED) from None
                except OSError as exc:
                    if exc.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.ENOTDIR):
                        raise
                    path = f"{folder}/{name}" if folder else name
                    raise Blocked(path, "folder", "a folder, made while homegen wrote") from None
            self.temps = []
            for change in diff.changes:
                if change.new is None:
                    folder, _, name = change.path.rpartition("/")
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=tree.folder(folder))
                    _prune_empty_dirs(tree, folder)
            _write_atomic(tree, LEDGER_NAME, diff.final_bytes)
        except Blocked as exc:  # a symlink swapped in since compare: refused, not followed
            raise _unsafe(self.root, [exc], committing=True) from None
        finally:
            tree.close()

    def discard(self) -> None:
        """Remove the staged files and the folders made for them: the tree is as it was."""
        tree = self.tree
        if tree.fd is not None:
            for folder, temp, _ in self.temps:
                with contextlib.suppress(FileNotFoundError, Blocked):
                    os.unlink(temp, dir_fd=tree.folder(folder))
            self.temps = []
            for folder in reversed(self.created):  # parents come before their children
                _remove_if_empty(tree, folder)
        tree.close()
        for path in reversed(self.made_root):
            with contextlib.suppress(OSError):
                path.rmdir()  # only when empty


def stage(root: Path, diff: TreeDiff) -> Staged:
    """Write every new or changed file of diff as a temp file beside its target.

    Nothing visible changes: a full disk (WriteError) leaves the old tree intact and no temp
    file behind, and a kill leaves only temp files, which the next render removes.
    """
    journal = Ledger({p: set(h) for p, h in diff.ledger.files.items()})
    for path, hashes in diff.final.files.items():
        journal.files.setdefault(path, set()).update(hashes)
    made_root = _missing_folders(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tree = Confined.open(root)
    except Blocked as exc:
        raise _unsafe(root, [exc]) from None
    except OSError as exc:
        raise WriteError(f"{root}: cannot create the folder ({exc.strerror})") from None
    staged = Staged(tree, diff, journal=journal.to_bytes(), made_root=made_root)
    try:
        _remove_stale_temps(tree)
        umask = _umask()
        for change in diff.changes:
            if change.new is not None:
                folder, _, name = change.path.rpartition("/")
                try:
                    fd = tree.folder(folder, staged.created)
                    assert fd is not None  # the root exists: folders are made
                    temp = _stage(change.path, change.new, fd, umask)
                except FileNotFoundError:  # its folder was moved or removed meanwhile
                    raise Blocked(folder, "missing", _MOVED) from None
                staged.temps.append((folder, temp, name))
    except Blocked as exc:  # a symlink swapped in since compare
        staged.discard()
        raise _unsafe(root, [exc]) from None
    except OSError as exc:
        staged.discard()
        raise WriteError(
            f"{root}: writing failed ({exc.strerror}); the old tree is intact"
        ) from None
    return staged


def _missing_folders(folder: Path) -> list[Path]:
    """folder and those of its parents that do not exist yet, outermost first."""
    missing: list[Path] = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def _stage(target: str, data: bytes, dir_fd: int, umask: int | None = None) -> str:
    """Write data as a new hidden temp file beside target (a path relative to the root,
    in folder dir_fd); the temp file's name in that folder."""
    # One open per file, relative to its folder, never through a symlink (O_EXCL creates a
    # new file: a symlink by that name fails it); a name unique to this process (a random
    # one only when it is taken). Created with its final mode when the umask leaves that
    # mode alone (the usual 022), so no chmod per file.
    name = target.rpartition("/")[2]
    mode = 0o755 if name.endswith(".sh") else 0o644
    temp = f".{name}.{os.getpid()}{TEMP_SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    exact = mode & ~(_umask() if umask is None else umask) == mode
    try:
        fd = os.open(temp, flags, mode if exact else 0o600, dir_fd=dir_fd)
    except FileExistsError:
        temp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        fd = os.open(temp, flags, 0o600, dir_fd=dir_fd)
        exact = False
    try:
        try:
            view = memoryview(data)
            while view:  # os.write, not a file object: no buffer to set up per file
                view = view[os.write(fd, view) :]
            if not exact:
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except BaseException:
        os.unlink(temp, dir_fd=dir_fd)
        raise
    return temp


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def _write_atomic(tree: Confined, path: str, data: bytes) -> None:
    folder, _, name = path.rpartition("/")
    try:
        fd = tree.folder(folder, [])
        assert fd is not None
        temp = _stage(path, data, fd)
        try:
            os.replace(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:  # e.g. a folder by that name: no hidden temp left behind
            os.unlink(temp, dir_fd=fd)
            raise
    except OSError as exc:
        raise WriteError(f"{tree.root}/{path}: cannot write ({exc.strerror})") from None


def remove_stale_temps(root: Path) -> None:
    """Remove the temp files a killed render left in a tree that is otherwise up to date (the
    caller holds the tree's lock); a render with changes removes them while staging."""
    try:
        with Confined.open(root) as tree:
            _remove_stale_temps(tree)
    except Blocked as exc:
        raise _unsafe(root, [exc]) from None
    except OSError as exc:
        raise WriteError(
            f"{root}: cannot remove a killed render's temp files ({exc.strerror})"
        ) from None


def _remove_stale_temps(tree: Confined) -> None:
    """Temp files left by a render that was killed; they are always ours (renders take the
    tree's lock, so no other render is staging now)."""
    # fwalk: every folder by descriptor, no symlink followed, unlink relative to it
    for _, _, names, fd in os.fwalk(".", dir_fd=tree.fd):
        for name in names:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=fd)


def _remove_if_empty(tree: Confined, folder: str) -> bool:
    parent_dir, _, name = folder.rpartition("/")
    try:
        parent = tree.folder(parent_dir)
        if parent is None:
            return False
        tree.forget(folder)
        os.rmdir(name, dir_fd=parent)  # never follows a symlink; fails unless empty
    except (OSError, Blocked):
        return False
    return True


def _prune_empty_dirs(tree: Confined, folder: str) -> None:
    while folder and _remove_if_empty(tree, folder):
        folder = folder.rpartition("/")[0]


def unified_diff(changes: list[Change], root: str) -> str:
    """A unified diff of the changes, paths shown under root."""
    out: list[str] = []
    for change in changes:
        old = (change.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = (change.new or b"").decode("utf-8", "replace").splitlines(keepends=True)
        before = "/dev/null" if change.old is None else f"a/{root}/{change.path}"
        after = "/dev/null" if change.new is None else f"b/{root}/{change.path}"
        out.extend(difflib.unified_diff(old, new, before, after))
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    )
