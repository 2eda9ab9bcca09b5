"""Compare the desired tree with rendered/ and apply it: atomic files, ledger last.

The only module that writes under rendered/. Files are staged as hidden temp files in
their own folder and renamed into place only once all of them were written, so a full
disk leaves the old tree intact and a kill leaves every file either old or new.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from homegen.errors import WriteError
from homegen.ledger import LEDGER_NAME, Ledger, digest, read_ledger

TEMP_SUFFIX = ".homegen-tmp"


@dataclass(frozen=True)
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


def _is_empty(root: Path) -> bool:
    try:
        with os.scandir(root) as entries:
            return next(entries, None) is None
    except (FileNotFoundError, NotADirectoryError):
        return True


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def compare(root: Path, desired: dict[str, bytes], *, force: bool = False) -> TreeDiff:
    """The changes that would make root match desired, and the files in the way."""
    ledger = read_ledger(root)
    diff = TreeDiff(ledger=ledger)
    fresh = _is_empty(root)  # a first render: no file to read back
    for path, new in desired.items():
        old = None if fresh else _read(root / path)
        if old == new:
            continue
        if old is not None and not ledger.owns(path, old):
            (diff.edited if path in ledger.files else diff.foreign).append(path)
            if not force:
                continue
        diff.changes.append(Change(path, "create" if old is None else "update", old, new))
    for path in sorted(set(ledger.files) - set(desired)):
        old = _read(root / path)
        if old is None:
            continue
        if ledger.owns(path, old) or force:
            diff.changes.append(Change(path, "delete", old, None))
        else:
            diff.kept.append(path)
    diff.changes.sort(key=lambda c: c.path)
    diff.final = final_ledger(desired, diff)
    diff.final_bytes = diff.final.to_bytes()
    diff.ledger_stale = _read(root / LEDGER_NAME) != diff.final_bytes
    return diff


def final_ledger(desired: dict[str, bytes], diff: TreeDiff) -> Ledger:
    """The ledger a complete render leaves: what it wrote, plus edited files it kept."""
    final = Ledger({path: {digest(data)} for path, data in desired.items()})
    for path in diff.kept:
        final.files[path] = diff.ledger.files[path]
    return final


def apply(root: Path, diff: TreeDiff) -> None:
    """Make root match the desired tree as diff says; the ledger is written first and last."""
    stage(root, diff).commit()


@dataclass
class Staged:
    """A render's new files, written as hidden temp files next to their targets, not yet in
    place: ``commit`` moves them in (ledger first and last), ``discard`` removes every trace."""

    root: Path
    diff: TreeDiff
    temps: list[tuple[str, str]] = field(default_factory=list)  # (temp, target)
    created: list[Path] = field(default_factory=list)  # folders this render made, outer first
    journal: bytes = b""  # the ledger while files are renamed: old and new hashes alike

    def commit(self) -> None:
        """Rename every staged file into place, delete the stale ones; ledger around it."""
        root, diff = self.root, self.diff
        try:
            _write_atomic(root / LEDGER_NAME, self.journal)
        except WriteError:
            self.discard()
            raise
        for temp, target in self.temps:
            os.replace(temp, target)
        self.temps = []
        for change in diff.changes:
            if change.new is None:
                (root / change.path).unlink(missing_ok=True)
                _prune_empty_dirs(root, (root / change.path).parent)
        _write_atomic(root / LEDGER_NAME, diff.final_bytes)

    def discard(self) -> None:
        """Remove the staged files and the folders made for them: the tree is as it was."""
        for temp, _ in self.temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        self.temps = []
        for folder in reversed(self.created):  # parents come before their children
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def stage(root: Path, diff: TreeDiff) -> Staged:
    """Write every new or changed file of diff as a temp file beside its target.

    Nothing visible changes: a full disk (WriteError) leaves the old tree intact and no temp
    file behind, and a kill leaves only temp files, which the next render removes.
    """
    journal = Ledger({p: set(h) for p, h in diff.ledger.files.items()})
    for path, hashes in diff.final.files.items():
        journal.files.setdefault(path, set()).update(hashes)
    staged = Staged(root, diff, created=_missing_folders(root), journal=journal.to_bytes())
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(root)
    umask = _umask()
    base = os.fspath(root)
    try:
        for change in diff.changes:
            if change.new is not None:
                target = os.path.join(base, change.path)
                temp = _stage(target, change.new, staged.created, umask)
                staged.temps.append((temp, target))
    except OSError as exc:
        staged.discard()
        raise WriteError(
            f"{root}: writing failed ({exc.strerror}); the old tree is intact"
        ) from None
    return staged


def _missing_folders(folder: Path) -> list[Path]:
    """folder and those of its parents that do not exist yet, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def _stage(
    target: str | Path, data: bytes, created: list[Path] | None = None, umask: int | None = None
) -> str:
    # One open per file, no directory probe: mkdir only when the folder is missing, a
    # name unique to this process (mkstemp's random names only when it is taken).
    # Created with its final mode when the umask leaves that mode alone (the usual 022), so
    # no chmod per file.
    folder, name = os.path.split(target)
    mode = 0o755 if name.endswith(".sh") else 0o644
    temp = os.path.join(folder, f".{name}.{os.getpid()}{TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    exact = mode & ~(_umask() if umask is None else umask) == mode
    try:
        fd = os.open(temp, flags, mode if exact else 0o600)
    except FileNotFoundError:
        missing = _missing_folders(Path(folder))
        if created is not None:
            created.extend(missing)
        for path in missing:  # outermost first: one mkdir each, no makedirs probing
            with contextlib.suppress(FileExistsError):
                os.mkdir(path)
        fd = os.open(temp, flags, mode if exact else 0o600)
    except FileExistsError:
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
        exact = False  # mkstemp makes it 0600
    try:
        try:
            view = memoryview(data)
            while view:  # os.write, not a file object: no buffer to set up per file
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        if not exact:
            os.chmod(temp, mode)
    except BaseException:
        os.unlink(temp)
        raise
    return temp  # a str: 6,000 Path objects cost more than the writes


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def _write_atomic(target: Path, data: bytes) -> None:
    try:
        os.replace(_stage(target, data), target)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write ({exc.strerror})") from None


def _remove_stale_temps(root: Path) -> None:
    """Temp files left by a render that was killed; they are always ours."""
    for folder, _, names in os.walk(root):  # os.walk: several times faster than rglob
        for name in names:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                Path(folder, name).unlink(missing_ok=True)


def _prune_empty_dirs(root: Path, folder: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


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
