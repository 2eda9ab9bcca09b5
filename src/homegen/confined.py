"""Files below one folder, reached only through real folders, never through a symlink.

The writer's disk access. Every path is walked one component at a time from a descriptor
of the root folder with O_NOFOLLOW, and every read, write, rename and delete is relative to
the descriptor of the folder that holds the file. A symlink anywhere below the root, even
one swapped in between two system calls, makes the call fail (``Blocked``) instead of being
followed: no byte is read from, written to or deleted outside the root. The root itself is
opened with O_NOFOLLOW too (README: the output folder must not be a symlink); the folders
above it are the user's business.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from types import TracebackType

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO in the way must not hang the read; it is refused after fstat.
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MAX_OPEN = 256  # folder descriptors kept open at once (the default limit is 1,024)


class Blocked(Exception):
    """path (relative to the root; "" is the root) is not what the writer may go through."""

    def __init__(self, path: str, kind: str, detail: str) -> None:
        self.path = path
        self.kind = kind  # "symlink" | "folder" | "file" | "special" | "missing"
        self.detail = detail
        super().__init__(f"{path}: {detail}")


def describe(fd: int | None, name: str, path: str) -> Blocked:
    """What is at name (in folder fd, or a plain path when fd is None), as a Blocked."""
    try:
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError:
        return Blocked(path, "missing", "vanished or unreadable while homegen looked at it")
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(name, dir_fd=fd)
        except OSError:
            target = "?"
        return Blocked(path, "symlink", f"a symlink (to {target})")
    if stat.S_ISDIR(st.st_mode):
        return Blocked(path, "folder", "a folder")
    if stat.S_ISREG(st.st_mode):
        return Blocked(path, "file", "a file")
    return Blocked(path, "special", "not a regular file (a FIFO, socket or device)")


def _not_a_folder(parent: int, name: str, reldir: str) -> Blocked:
    """What is at a folder's place that could not be opened as a folder; a folder found there
    a moment later was swapped (a symlink or file while homegen opened it)."""
    blocked = describe(parent, name, reldir)
    if blocked.kind == "folder":
        return Blocked(
            reldir, "missing", "replaced while homegen looked at it (a folder again now)"
        )
    return blocked


class Confined:
    """An open root folder; paths are relative POSIX paths below it (checked by the caller:
    no ``..``, not absolute; see ``homegen.ledger.unsafe_path``)."""

    def __init__(self, root: Path, fd: int | None) -> None:
        self.root = root
        self.fd = fd  # None: the root does not exist (reads find nothing)
        self._dirs: dict[str, int] = {}

    @classmethod
    def open(cls, root: Path) -> Confined:
        """Open root; Blocked (path "") when it is a symlink or not a folder."""
        try:
            return cls(root, os.open(root, _DIR))
        except FileNotFoundError:
            return cls(root, None)
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                raise describe(None, os.fspath(root), "") from None
            raise

    def close(self) -> None:
        """Close every descriptor; the object is unusable afterwards."""
        self._flush()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> Confined:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def forget_all(self) -> None:
        """Close every cached folder descriptor: the next access walks from the root again,
        so a folder moved away (and replaced by a symlink) since is not followed."""
        self._flush()

    def _flush(self) -> None:
        for fd in self._dirs.values():
            os.close(fd)
        self._dirs.clear()

    def folder(self, reldir: str, created: list[str] | None = None) -> int | None:
        """The descriptor of folder reldir ("" = root); None when it does not exist.

        With created (a list), missing folders are made and appended to it, outer first.
        """
        if self.fd is None:
            return None
        if not reldir:
            return self.fd
        fd = self._dirs.get(reldir)
        if fd is not None:
            return fd
        if len(self._dirs) >= _MAX_OPEN:
            self._flush()
        return self._open_folder(reldir, created)

    def _open_folder(self, reldir: str, created: list[str] | None) -> int | None:
        fd = self._dirs.get(reldir)
        if fd is not None:
            return fd
        parent_dir, _, name = reldir.rpartition("/")
        parent = self.fd if not parent_dir else self._open_folder(parent_dir, created)
        if parent is None:
            return None
        try:
            fd = os.open(name, _DIR, dir_fd=parent)
        except FileNotFoundError:
            if created is None:
                return None
            try:
                os.mkdir(name, 0o777, dir_fd=parent)
                created.append(reldir)
            except FileExistsError:
                pass
            fd = self._open_after_mkdir(name, parent, reldir)
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                raise _not_a_folder(parent, name, reldir) from None
            raise
        self._dirs[reldir] = fd
        return fd

    @staticmethod
    def _open_after_mkdir(name: str, parent: int, reldir: str) -> int:
        try:
            return os.open(name, _DIR, dir_fd=parent)
        except FileNotFoundError:  # made, then moved away by another process
            raise Blocked(reldir, "missing", "vanished while homegen made it") from None
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                raise _not_a_folder(parent, name, reldir) from None
            raise

    def forget(self, reldir: str) -> None:
        """Close the cached descriptor of reldir (it was removed)."""
        fd = self._dirs.pop(reldir, None)
        if fd is not None:
            os.close(fd)

    def read(self, path: str) -> bytes | None:
        """The bytes of regular file path; None when it (or its folder) does not exist.

        Blocked when path, or a folder on the way, is a symlink or not what it should be.
        """
        reldir, _, name = path.rpartition("/")
        parent = self.folder(reldir)
        if parent is None:
            return None
        try:
            fd = os.open(name, _READ, dir_fd=parent)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENXIO, errno.EISDIR):
                raise describe(parent, name, path) from None
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise describe(parent, name, path)
            return _read_all(fd, st.st_size)
        finally:
            os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    data = os.read(fd, size + 1)  # one call when the file is as large as fstat said
    if len(data) == size:
        return data
    chunks = [data]
    while chunk := os.read(fd, 1 << 20):  # it grew or the read was short: read to the end
        chunks.append(chunk)
    return b"".join(chunks)
