"""The diff as one call: two revisions in, a ``DiffResult`` out."""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from homegen.diff import gitrev
from homegen.diff.compare import Masks, changed_chart_apps, compare, masks_of
from homegen.diff.findings import new_findings
from homegen.diff.model import DiffResult, Side
from homegen.diff.sides import Committed, SideOptions, load_input, read_side, rerender


@dataclass(frozen=True)
class Request:
    """What to compare: revisions (None: the defaults) and how to read each side."""

    base: str | None = None
    head: str | None = None  # None: the working tree
    options: SideOptions = field(default_factory=SideOptions)
    rerender: bool = True  # render changed chart apps twice to find random values
    parallel: bool = True  # read BASE in a forked process while HEAD is read here


def run_diff(folder: Path, request: Request) -> DiffResult:
    """Read, expand and compare both sides of the repository around ``folder``."""
    root = gitrev.repo_root(folder)
    if request.base:
        base_label, base_commit = request.base, gitrev.commit_of(root, request.base)
    else:
        base_label, base_commit = gitrev.default_base(root)
    head_commit = gitrev.commit_of(root, request.head) if request.head else ""
    head_label = request.head or gitrev.WORKING_TREE
    with tempfile.TemporaryDirectory(prefix="homegen-diff-") as scratch:
        options = request.options
        base_dir, base_git = _checkout(root, base_commit, Path(scratch) / "base", options)
        head_dir, head_git = _checkout(root, head_commit, Path(scratch) / "head", options)

        def read_base() -> Side:
            side = Side(base_label, base_commit)
            read_side(base_dir, side, options, base_git)
            return side

        wait = _in_child(read_base) if request.parallel else None
        head = Side(head_label, head_commit)
        head_input = read_side(head_dir, head, options, head_git)
        base = wait() if wait is not None else read_base()
        masks: tuple[Masks, Masks] = ({}, {})
        if request.rerender and not base.error and not head.error:
            apps = changed_chart_apps(base, head)
            if apps:
                # the documents of BASE again (its process kept them): only the changed
                # apps are expanded from them
                base_input = load_input(base_dir, Side(base_label, ""), options, base_git)
                masks = (
                    masks_of(base, rerender(base_input, apps, base.label)),
                    masks_of(head, rerender(head_input, apps, head.label)),
                )
    return _result(base, head, masks)


def _result(base: Side, head: Side, masks: tuple[Masks, Masks]) -> DiffResult:
    if base.error or head.error:
        result = DiffResult(_shown(base), _shown(head))
        for side in (base, head):
            if side.error:
                result.errors.append(f"{side.label}: cannot be read:\n{side.error}")
    else:
        result = compare(base, head, masks)
        result.base, result.head = _shown(base), _shown(head)
        result.findings_new = new_findings(base.findings, head.findings)
    for side in (base, head):
        result.notes += [n for n in side.notes if n not in result.notes]
    return result


def _shown(side: Side) -> str:
    return f"{side.label} ({side.commit[:12]})" if side.commit else side.label


def _checkout(
    root: Path, commit: str, scratch: Path, options: SideOptions
) -> tuple[Path, Committed]:
    """The folder a side is read from (the commit exported, or the working tree), and its
    rendered tree as git lists it when only services.toml was exported."""
    if not commit:
        return root, None
    scratch.mkdir(parents=True)
    if options.tree is None and gitrev.has_file(root, commit, options.config):
        # services.toml is rendered in memory: the rendered tree is compared by blob ids,
        # never written out (thousands of files for a large fleet)
        gitrev.export(root, commit, scratch, (options.config,))
        return scratch, gitrev.blob_ids(root, commit, options.rendered)
    gitrev.export(root, commit, scratch)
    return scratch, None


def _in_child(compute: Callable[[], Side]) -> Callable[[], Side] | None:
    """Run ``compute`` in a forked process; the returned call waits for its Side. None where
    there is no fork: the caller computes it itself. A child that fails (a bug) yields to
    the same computation in this process, so the error is reported the usual way."""
    # no fork once the chart engine (a Go runtime) is loaded: its threads do not survive one
    if not hasattr(os, "fork") or any(m.startswith("helm_python") for m in sys.modules):
        return None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit hooks
        os.close(read_end)
        code = 0
        try:
            data = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
        except BaseException:
            code = 3
        os._exit(code)
    os.close(write_end)

    def wait() -> Side:
        with os.fdopen(read_end, "rb") as source:
            data = source.read()
        _pid, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return compute()
        side = pickle.loads(data)
        assert isinstance(side, Side)
        return side

    return wait
