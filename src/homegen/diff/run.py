"""The diff as one call: two revisions in, a ``DiffResult`` out."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from homegen.diff import gitrev
from homegen.diff.compare import Masks, changed_chart_apps, compare, masks_of
from homegen.diff.model import DiffResult, Side
from homegen.diff.sides import SideInput, SideOptions, read_side, rerender


@dataclass(frozen=True)
class Request:
    """What to compare: revisions (None: the defaults) and how to read each side."""

    base: str | None = None
    head: str | None = None  # None: the working tree
    options: SideOptions = field(default_factory=SideOptions)
    rerender: bool = True  # render changed chart apps twice to find random values


def run_diff(folder: Path, request: Request) -> DiffResult:
    """Read, expand and compare both sides of the repository around ``folder``."""
    root = gitrev.repo_root(folder)
    if request.base:
        base_label, base_commit = request.base, gitrev.commit_of(root, request.base)
    else:
        base_label, base_commit = gitrev.default_base(root)
    head_commit = gitrev.commit_of(root, request.head) if request.head else ""
    with tempfile.TemporaryDirectory(prefix="homegen-diff-") as scratch:
        base, base_input = _side(root, base_label, base_commit, Path(scratch) / "base", request)
        head_label = request.head or gitrev.WORKING_TREE
        head, head_input = _side(root, head_label, head_commit, Path(scratch) / "head", request)
        masks: tuple[Masks, Masks] = ({}, {})
        if request.rerender and not base.error and not head.error:
            apps = changed_chart_apps(base, head)
            if apps:
                masks = (
                    masks_of(base, rerender(base_input, apps, base.label)),
                    masks_of(head, rerender(head_input, apps, head.label)),
                )
    if base.error or head.error:
        result = DiffResult(_shown(base), _shown(head))
        for side in (base, head):
            if side.error:
                result.errors.append(f"{side.label}: cannot be read:\n{side.error}")
    else:
        result = compare(base, head, masks)
        result.base, result.head = _shown(base), _shown(head)
    for side in (base, head):
        result.notes += [n for n in side.notes if n not in result.notes]
    return result


def _shown(side: Side) -> str:
    return f"{side.label} ({side.commit[:12]})" if side.commit else side.label


def _side(
    root: Path, label: str, commit: str, scratch: Path, request: Request
) -> tuple[Side, SideInput]:
    side = Side(label, commit)
    if commit:
        scratch.mkdir(parents=True)
        gitrev.export(root, commit, scratch)
        folder = scratch
    else:
        folder = root
    return side, read_side(folder, side, request.options)
