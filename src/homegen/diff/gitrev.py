"""The two revisions: resolved with git and exported to a folder, never read from the
working folder (except the working tree side itself)."""

from __future__ import annotations

import hashlib
import subprocess
import tarfile
from pathlib import Path

from homegen.errors import UsageError

WORKING_TREE = "working tree"


def git(root: Path, *args: str) -> str:
    """git's stdout; UsageError with git's message when it fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise UsageError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout.strip()


def repo_root(folder: Path) -> Path:
    """The top of the git checkout holding ``folder``."""
    return Path(git(folder, "rev-parse", "--show-toplevel"))


def commit_of(root: Path, revision: str) -> str:
    """The commit id a revision names."""
    if revision.startswith("-"):
        raise UsageError(f"{revision!r} is not a revision")
    try:
        return git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
        )
    except UsageError:
        raise UsageError(f"{revision!r} is not a commit of the repository at {root}") from None


def default_base(root: Path) -> tuple[str, str]:
    """(label, commit): the merge-base of HEAD with the default branch (origin/HEAD, else
    main)."""
    for branch in ("origin/HEAD", "main"):
        try:
            commit_of(root, branch)
        except UsageError:
            continue
        return f"{branch} (merge-base)", git(root, "merge-base", "HEAD", branch)
    raise UsageError("no BASE given and neither origin/HEAD nor main exists: name a revision")


def has_file(root: Path, commit: str, path: str) -> bool:
    """Whether the commit holds a file at ``path``."""
    done = subprocess.run(
        ["git", "-C", str(root), "cat-file", "-e", f"{commit}:{path}"], capture_output=True
    )
    return done.returncode == 0


def blob_ids(root: Path, commit: str, folder: str) -> dict[str, str]:
    """Every file below ``folder`` at the commit (path inside it → git's blob id), without
    writing any of them."""
    prefix = folder.strip("/") + "/"
    listed = git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
    found: dict[str, str] = {}
    for entry in listed.split("\0"):
        meta, _tab, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and path.startswith(prefix):
            found[path[len(prefix) :]] = parts[2]
    return found


def blob_id(data: bytes, like: str) -> str:
    """The id git gives ``data`` (SHA-1, or SHA-256 in a repository that uses it)."""
    algorithm = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data).hexdigest()


def export(root: Path, commit: str, dest: Path, paths: tuple[str, ...] = ()) -> None:
    """Write the commit's files (only ``paths`` when given) into ``dest``: links that would
    leave it are refused."""
    with subprocess.Popen(
        ["git", "-C", str(root), "archive", "--format=tar", commit, "--", *paths],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                archive.extractall(dest, filter=_refuse_escapes)
        except tarfile.TarError as exc:
            raise UsageError(f"cannot export {commit[:12]}: {exc}") from exc
        error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise UsageError(f"git archive {commit[:12]}: {error.strip() or 'failed'}")


def _refuse_escapes(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, but a link that leaves the folder is skipped, not fatal:
    the reader then sees a missing file, as ArgoCD refuses an out-of-bounds link."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None
