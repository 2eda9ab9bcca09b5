"""Input trees, read only inside their repository root: the reading twin of ``confined.py``.

A pull request's tree is untrusted (docs/security.md). Every command that reads a tree
(validate, import, charts, the expand stage, ApplicationSet git generators) reads it through
one ``TreeReader``, which knows the repository root (the git checkout around the tree, else
the tree folder) and never reads a byte from outside it:

- a symlink whose target resolves inside the root is followed, as git and ArgoCD follow it;
  one that resolves outside the root, or into ``.git``, is refused as an out-of-bounds
  symlink (ArgoCD's repo-server refuses such a repository the same way);
- devices, FIFOs and sockets are refused (never opened blocking: no hang), and so are files
  over ``MAX_FILE_BYTES`` (never read whole: no memory blow-up);
- paths an Application names (value files, chart and kustomize folders, generator paths)
  are resolved against the root as ArgoCD resolves them, or refused.

What is refused is recorded once (``refusals``); validate reports each as a finding.
Paths given to the reader are filesystem paths (absolute, or relative to the working folder).
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 16 * 1024 * 1024  # larger files are refused, never read
MAX_ENTRIES = 1_000_000  # files and folders one walk visits (symlinks can repeat folders)
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
GIT = ".git"


@dataclass(frozen=True)
class Refusal:
    """Something of the tree that is not read: ``path`` relative to the tree folder."""

    path: str
    kind: str  # "symlink" | "special" | "size" | "path"
    message: str


class Refused(Exception):
    """A read or a path the reader does not allow; ``refusal`` says what and why."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        super().__init__(f"{refusal.path}: {refusal.message}")


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a git checkout)."""
    current = start.resolve()
    for folder in (current, *current.parents):
        if (folder / GIT).exists():
            return folder
    return None


@dataclass
class _Walk:
    """How one walk goes: dot-names listed, symlinked folders entered, entries left."""

    hidden: bool
    into_links: bool
    budget: int = MAX_ENTRIES


@dataclass
class TreeReader:
    """Reads below ``root`` only; paths are reported relative to ``base`` (the tree)."""

    root: Path  # resolved repository root
    base: Path  # the tree folder, absolute (at or below root); reports are relative to it
    git: bool = False  # the root is a git checkout
    limit: int = MAX_FILE_BYTES
    refusals: dict[str, Refusal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)  # refusals already shown as documents
    # files a walk met with no symlink on the way (absolute): read without a realpath
    _plain: set[str] = field(default_factory=set, repr=False)
    _tracked: list[str] | None = field(default=None, repr=False)

    @classmethod
    def for_tree(cls, tree: Path) -> TreeReader:
        """A reader for the tree at ``tree`` (a folder, or a file whose folder is the tree)."""
        # base as given (made absolute): the paths callers build from it compare with it
        base = Path(os.path.abspath(tree if tree.is_dir() else tree.parent))
        root = find_root(base)
        return cls(root or base.resolve(), base, git=root is not None)

    # -- where a path is -------------------------------------------------------------

    def rel(self, path: Path | str) -> str:
        """``path`` as the report names it: relative to the tree folder."""
        return Path(os.path.relpath(os.path.abspath(path), self.base)).as_posix()

    def _inside(self, real: str) -> bool:
        root = str(self.root).rstrip("/")
        if real == root:
            return True
        if not real.startswith(root + "/"):
            return False
        inner = real[len(root) + 1 :]
        return inner != GIT and not inner.startswith(GIT + "/")

    def refuse(self, refusal: Refusal) -> Refused:
        """Record ``refusal`` (once per path) and return it as an exception to raise."""
        self.refusals.setdefault(refusal.path, refusal)
        return Refused(refusal)

    def _out_of_bounds(self, path: str) -> Refused:
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        where = "into .git" if self._in_git(path) else "outside the repository root"
        message = f"out-of-bounds symlink (to {target}, {where}): not read"
        return self.refuse(Refusal(self.rel(path), "symlink", message))

    def _in_git(self, path: str) -> bool:
        real = os.path.realpath(path)
        inner = os.path.relpath(real, self.root)
        return inner == GIT or inner.startswith(GIT + "/")

    def check(self, path: Path | str) -> os.stat_result:
        """The stat of ``path`` (its target when a symlink in bounds), or Refused: a path
        whose real location leaves the root (a symlink on the way, or ``..``), a device,
        FIFO or socket, or a file over the limit."""
        return self._check(path)[0]

    def _check(self, path: Path | str) -> tuple[os.stat_result, str]:
        """``check``, and the real path it found."""
        text = os.path.abspath(path)
        real = os.path.realpath(text)
        if not self._inside(real):
            link = self._first_link(text)
            if link is not None:
                raise self._out_of_bounds(link)
            message = "outside the repository root: not read"
            raise self.refuse(Refusal(self.rel(text), "path", message))
        st = os.stat(real)  # OSError: missing (a dangling symlink) or unreadable
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            message = "not a regular file (a device, FIFO or socket): not read"
            raise self.refuse(Refusal(self.rel(text), "special", message))
        if stat.S_ISREG(st.st_mode) and st.st_size > self.limit:
            message = (
                f"file of {st.st_size:,} bytes is larger than "
                f"{self.limit // (1024 * 1024)} MiB: not read"
            )
            raise self.refuse(Refusal(self.rel(text), "size", message))
        return st, real

    def _first_link(self, path: str) -> str | None:
        """The first symlink on ``path`` (from the root down) that leads out of bounds."""
        parts = Path(path).parts
        for end in range(1, len(parts) + 1):
            partial = os.path.join(*parts[:end])
            leaves = os.path.islink(partial) and not self._inside(os.path.realpath(partial))
            if leaves and self._inside(os.path.realpath(os.path.dirname(partial))):
                return partial
        return None

    # -- reading ----------------------------------------------------------------------

    def read_bytes(self, path: Path | str) -> bytes:
        """The bytes of one file of the tree; Refused (recorded) when not allowed,
        OSError when it does not exist or cannot be read."""
        real = os.path.abspath(path)
        if real not in self._plain:  # a file the walk met needs no second look
            st, real = self._check(path)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(str(path))
        fd = os.open(real, _READ)  # O_NOFOLLOW, O_NONBLOCK: no symlink, no FIFO wait
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):  # a folder, or swapped since the check
                if stat.S_ISDIR(opened.st_mode):
                    raise IsADirectoryError(str(path))
                message = "not a regular file (a device, FIFO or socket): not read"
                raise self.refuse(Refusal(self.rel(path), "special", message))
            if opened.st_size > self.limit:
                message = (
                    f"file of {opened.st_size:,} bytes is larger than "
                    f"{self.limit // (1024 * 1024)} MiB: not read"
                )
                raise self.refuse(Refusal(self.rel(path), "size", message))
            chunks = []
            left = self.limit + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
        data = b"".join(chunks)
        if len(data) > self.limit:  # grew since the check
            message = f"file larger than {self.limit // (1024 * 1024)} MiB: not read"
            raise self.refuse(Refusal(self.rel(path), "size", message))
        return data

    def read_text(self, path: Path | str) -> str:
        """One file's UTF-8 text (see ``read_bytes``)."""
        return self.read_bytes(path).decode("utf-8")

    def walk(
        self, folder: Path | str = "", *, hidden: bool = False, into_links: bool = False
    ) -> list[str]:
        """Every file below ``folder`` (relative posix paths, sorted), ``.git`` and (unless
        ``hidden``) dot-names skipped. A symlinked file in bounds is listed; a symlinked
        folder in bounds is entered only ``into_links`` (Helm's loader enters it; ArgoCD's
        directory walk does not). What is out of bounds or special is recorded, not listed."""
        start = os.path.abspath(folder)
        try:
            self.check(start)
        except (Refused, OSError):
            return []
        return sorted(self._walk(start, "", frozenset(), _Walk(hidden, into_links)))

    def _walk(self, folder: str, rel: str, above: frozenset[str], how: _Walk) -> Iterator[str]:
        real = os.path.realpath(folder)
        if real in above:
            return  # a symlink loop: the folder holds itself
        above = above | {real}
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        how.budget -= len(entries)
        if how.budget < 0:  # symlinks that repeat folders many times over
            message = f"more than {MAX_ENTRIES:,} entries below: not read further"
            self.refuse(Refusal(self.rel(folder), "size", message))
            return
        for entry in entries:
            if entry.name == GIT or (not how.hidden and entry.name.startswith(".")):
                continue
            path = os.path.join(folder, entry.name)
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                # a plain entry of a folder already inside the root needs no realpath
                st = self.check(path) if entry.is_symlink() else entry.stat(follow_symlinks=False)
            except Refused:
                continue
            except OSError:
                continue  # a dangling symlink: nothing to read, as git sees it
            if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
                message = "not a regular file (a device, FIFO or socket): not read"
                self.refuse(Refusal(self.rel(path), "special", message))
                continue
            if stat.S_ISDIR(st.st_mode):
                if how.into_links or not entry.is_symlink():
                    yield from self._walk(path, name, above, how)
            else:
                if not entry.is_symlink() and folder == real:
                    self._plain.add(path)  # no symlink on its way from the root
                yield name

    # -- paths an Application names -----------------------------------------------------

    def resolve(self, app_dir: Path | str, entry: str, *, what: str = "file") -> Path:
        """``entry`` as ArgoCD resolves a value file or path: relative to ``app_dir``, or
        (absolute) to the repository root; its real location must be inside the root.
        Refused naming the entry otherwise (not recorded: the app fails, not a file)."""
        if os.path.isabs(entry):
            joined = os.path.normpath(os.path.join(self.root, entry.lstrip("/")))
        else:
            joined = os.path.normpath(os.path.join(os.path.abspath(app_dir), entry))
        real = os.path.realpath(joined)
        if not self._inside(real) or (real == str(self.root) and what == "file"):
            where = "into .git" if self._in_git(joined) else "to outside repository root"
            message = f"{what} '{entry}' resolved {where}"
            raise Refused(Refusal(self.rel(joined), "path", message))
        return Path(joined)

    def copy_folder(self, folder: Path | str, dest: Path) -> list[Refusal]:
        """Copy every file below ``folder`` (hidden ones too, ``.git`` never) into ``dest``
        through the reader, for a loader that would follow symlinks itself (Helm). The
        refusals met below ``folder``, now or earlier (nothing of them is copied)."""
        start = os.path.abspath(folder)
        try:
            self.check(start)
        except Refused as exc:
            return [exc.refusal]
        for rel in self._walk(start, "", frozenset(), _Walk(True, True)):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(self.read_bytes(os.path.join(start, rel)))
            except (Refused, OSError):
                continue  # vanished, or refused (and recorded)
        inside = self.rel(start)
        prefix = "" if inside == "." else inside + "/"
        return [r for p, r in sorted(self.refusals.items()) if p.startswith(prefix)]

    # -- what git holds --------------------------------------------------------------------

    def tracked(self) -> list[str] | None:
        """The files git holds in its index (paths relative to the repository root), or
        None outside a git checkout (said once in ``notes``). Local: ``git ls-files``."""
        if self._tracked is not None or not self.git:
            if not self.git and not self.notes:
                self.notes.append(
                    f"{self.base} is not a git checkout: git generators read the folder "
                    "(untracked files included)"
                )
            return self._tracked
        try:
            done = subprocess.run(
                ["git", "-C", str(self.root), "ls-files", "-z", "--full-name"],
                capture_output=True,
                check=False,
                timeout=60,
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._git_failed(str(exc))
            return None
        if done.returncode != 0:
            self._git_failed(done.stderr.decode("utf-8", "replace").strip())
            return None
        names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
        self._tracked = sorted(n for n in names if n)
        return self._tracked

    def _git_failed(self, why: str) -> None:
        self.git = False
        self.notes.append(f"git cannot list the files of {self.root} ({why}): reading the folder")
