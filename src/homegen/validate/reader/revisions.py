"""Which ``targetRevision`` of a source of this repository is not the checkout.

ArgoCD syncs a source at its ``targetRevision``; homegen reads the checkout. A revision that
git knows as another branch or a tag pointing elsewhere is content homegen does not see (the
rendered-manifest branches of Kargo are the usual case), so such a source is not expanded,
and is said so. What counts as the checkout: ``HEAD`` and no revision, the branch checked
out, the remote's default branch (a pull request checkout validates what will be merged into
it), and any ref at the checked-out commit. A revision git does not know is taken as the
checkout: a shallow clone lacks the other branches.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from homegen.validate.reader.documents import Document


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True, text=True, timeout=10, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _revisions(value: Any) -> Iterator[str]:
    """Every ``targetRevision`` of a git source inside an Application or ApplicationSet (a
    chart's is a chart version)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "targetRevision" and isinstance(item, str):
                if "chart" not in value:
                    yield item.strip()
            else:
                yield from _revisions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _revisions(item)


def _checkout_names(root: Path) -> set[str]:
    """The names that mean the checkout: HEAD, the branch checked out, the default branch."""
    names = {"", "HEAD"}
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    if branch and branch != "HEAD":
        names.add(branch)
    default = _git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
    if default:
        names.add(default.removeprefix("origin/"))
    else:  # no origin/HEAD (a CI clone): either usual default branch
        names |= {"main", "master"}
    return names


def other_revisions(root: Path | None, docs: Iterable[Document]) -> frozenset[str]:
    """The revisions the tree's Applications name that git knows point elsewhere than the
    checkout at ``root`` (empty outside a git checkout)."""
    if root is None or not (root / ".git").exists():
        return frozenset()
    wanted = {
        revision
        for doc in docs
        if doc.origin is None and doc.obj.get("kind") in ("Application", "ApplicationSet")
        for revision in _revisions(doc.obj.get("spec"))
        if "{{" not in revision
    }
    names = _checkout_names(root)
    head = _git(root, "rev-parse", "HEAD")
    found = set()
    for revision in sorted(wanted - names):
        for ref in (f"refs/heads/{revision}", f"refs/remotes/origin/{revision}",
                    f"refs/tags/{revision}"):  # fmt: skip
            commit = _git(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
            if commit is not None:
                if commit != head:
                    found.add(revision)
                break
    return frozenset(found)
