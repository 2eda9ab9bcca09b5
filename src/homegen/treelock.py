"""One render at a time per output folder: an advisory flock on the folder itself.

The lock is taken on a descriptor of the output folder, not on a lock file: nothing
appears in the tree (no file to own, ignore, report as drift or commit), a read-only tree
can be locked for reading, and the kernel drops the lock when its holder dies, so a render
killed with SIGKILL never blocks the next one. A render holds it exclusively from reading
the tree until the ledger is written; `render --check` holds it shared while it reads the
tree, so it waits for a render in progress instead of reporting its half-written tree as
drift. Waiting is bounded (``--lock-timeout``, ``HOMEGEN_LOCK_TIMEOUT``); then the
command exits 1 naming the process that holds the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from homegen.errors import TreeLockedError, UsageError

DEFAULT_TIMEOUT = 60.0  # seconds; a 10,000-service render takes ~13 s
TIMEOUT_ENV = "HOMEGEN_LOCK_TIMEOUT"
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def lock_timeout(value: float | None) -> float:
    """The timeout to use: value, else $HOMEGEN_LOCK_TIMEOUT, else the default."""
    if value is None:
        raw = os.environ.get(TIMEOUT_ENV, "").strip()
        if not raw:
            return DEFAULT_TIMEOUT
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"{TIMEOUT_ENV}={raw!r}: expected a number of seconds") from None
    if not value >= 0:  # also NaN
        raise UsageError(f"--lock-timeout {value}: expected a number of seconds >= 0")
    return value


@contextlib.contextmanager
def tree_lock(
    root: Path,
    *,
    shared: bool,
    timeout: float,
    create: bool = False,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold root's lock (shared or exclusive) for the block.

    With create, root (and missing parents) is made first and removed again afterwards if
    it is still empty. A missing root with create False needs no lock. waiting is told once,
    with the holder's description, when the lock is busy. Raises TreeLockedError after
    timeout seconds.
    """
    made: list[Path] = []
    if create:
        made = _make_folders(root)
    fd = _acquire(root, shared, timeout, create, waiting)
    try:
        yield
    finally:
        try:
            for path in reversed(made):  # a first render that wrote nothing leaves no folder
                with contextlib.suppress(OSError):
                    path.rmdir()
        finally:
            if fd is not None:
                os.close(fd)  # releases the lock


def _make_folders(root: Path) -> list[Path]:
    missing: list[Path] = []
    folder = root
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    missing.reverse()
    for path in missing:
        with contextlib.suppress(FileExistsError):
            path.mkdir()
    return missing


def _acquire(
    root: Path,
    shared: bool,
    timeout: float,
    create: bool,
    waiting: Callable[[str], None] | None,
) -> int | None:
    deadline = time.monotonic() + timeout
    pause = 0.01
    told = False
    while True:
        fd = _open(root, create)
        if fd is None:
            return None
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holders(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise TreeLockedError(
                    f"{root} is locked by {holder}; gave up after {timeout:g} s "
                    f"(wait longer with --lock-timeout or {TIMEOUT_ENV})"
                ) from None
            if waiting is not None and not told:
                waiting(holder)
                told = True
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.2)
            continue
        if _same_folder(fd, root):
            return fd
        os.close(fd)  # the folder was removed (or replaced) while we waited: lock the new one


def _open(root: Path, create: bool) -> int | None:
    for _ in range(100):  # a folder made and removed by others in between: try again
        try:
            return os.open(root, _DIR)
        except FileNotFoundError:
            if not create:
                return None
            with contextlib.suppress(FileExistsError):
                os.mkdir(root)
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                return None  # a symlink or a file: the writer refuses it, naming it
            raise
    return os.open(root, _DIR)


def _same_folder(fd: int, root: Path) -> bool:
    try:
        now = os.stat(root, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def holders(fd: int) -> str:
    """Who holds the flock on fd's file: "homegen (pid 123)" from /proc/locks, if readable."""
    st = os.fstat(fd)
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids: list[str] = []
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            lines = locks.readlines()
    except OSError:  # no /proc (macOS): the holder stays unnamed
        lines = []
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2149870 0 EOF"; "->" marks waiters
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == key:
            pids.append(f"{fields[4]}{' (reading)' if fields[3] == 'READ' else ''}")
    if not pids:
        return "another process"
    return f"another process (pid {', '.join(pids)})"
