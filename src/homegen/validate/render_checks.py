"""The checks a render runs on its tree: settings in, a verdict of finding lines out.

The same checks run in render's validation process (``homegen.validate.background``) or in
the render's own process. Imported before the validator is: it imports nothing heavy itself.
"""

from __future__ import annotations

import contextlib
import functools
import mmap
import os
import pickle
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from homegen.validate.findings import Finding
    from homegen.validate.reader.documents import Document
    from homegen.validate.run import ValidateOptions

# The kinds homegen's templates render (a test keeps this list complete): the child loads
# their schemas while it waits for the parent.
RENDERED_KINDS = (
    ("apps/v1", "Deployment"),
    ("argoproj.io/v1alpha1", "Application"),
    ("argoproj.io/v1alpha1", "ApplicationSet"),
    ("external-secrets.io/v1", "ExternalSecret"),
    ("gateway.networking.k8s.io/v1", "Gateway"),
    ("gateway.networking.k8s.io/v1", "GatewayClass"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"),
    ("metallb.io/v1beta1", "IPAddressPool"),
    ("metallb.io/v1beta1", "L2Advertisement"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("onepassword.com/v1", "OnePasswordItem"),
    ("v1", "ConfigMap"),
    ("v1", "Namespace"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Secret"),
    ("v1", "Service"),
)
# From this many documents the validation process splits its last step in two: a second fork
# (sharing the parsed tree) checks the schemas while it runs the whole-tree checks.
_SPLIT_DOCUMENTS = 500


@dataclass(frozen=True)
class Settings:
    """What the checks need besides the files: from the config, the plan and the CLI."""

    kubernetes_version: str
    tree_path: str
    schema_locations: tuple[str, ...] = ()  # empty: $HOMEGEN_SCHEMA_LOCATION, else none
    prefix: str = ""  # shown before each file in a finding: the output folder
    catalog_pins: tuple[tuple[str, str], ...] = ()  # e.g. (("argo-cd", "v2.11.3"),)
    chart_dirs: tuple[str, ...] = ()  # --charts: folders of charts to expand chart apps with
    storage_classes: tuple[str, ...] = ()  # [cluster] storage_classes


@dataclass(frozen=True)
class Verdict:
    """The findings of one tree as lines: warnings to show, and errors that stop the write."""

    warnings: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sources the expand stage did not expand


def check_files(files: Mapping[str, bytes], settings: Settings) -> Verdict:
    """Validate a whole in-memory tree in this process."""
    from homegen.validate.reader.documents import documents_from_texts

    return check_documents(documents_from_texts(files), settings)


def render_findings(files: Mapping[str, bytes], settings: Settings) -> list[Finding]:
    """The findings a render would report on this tree, its chart apps expanded as a render
    expands them (``settings.chart_dirs``, then $HOMEGEN_CHARTS and the chart cache)."""
    from homegen.validate.reader.documents import documents_from_texts
    from homegen.validate.run import validate_documents

    options = _options(settings)
    docs, options.expansion = _expand(documents_from_texts(files), settings, options)
    return validate_documents(docs, options=options).findings


def _options(settings: Settings) -> ValidateOptions:
    from homegen.validate.engine.registry import DEFAULT_LOCATION
    from homegen.validate.run import ValidateOptions

    locations = (
        list(settings.schema_locations) or os.environ.get("HOMEGEN_SCHEMA_LOCATION", "").split()
    )
    return ValidateOptions(
        kubernetes_version=settings.kubernetes_version,
        # then the built-in catalog; the online one only when named (`default`)
        schema_locations=[DEFAULT_LOCATION if loc == "default" else loc for loc in locations],
        # a render must work offline (pre-commit): a CRD kind whose schema cannot be found
        # is skipped; `homegen validate` is where a missing schema fails
        ignore_missing_schemas=True,
        repo_root_in_git=settings.tree_path,
        catalog_pins=dict(settings.catalog_pins),
        storage_classes=settings.storage_classes,
    )


def check_documents(docs: list[Document], settings: Settings, *, forked: bool = False) -> Verdict:
    from homegen.validate.output import text_line
    from homegen.validate.run import validate_documents

    options = _options(settings)
    docs, options.expansion = _expand(docs, settings, options)
    if forked and len(docs) >= _SPLIT_DOCUMENTS:
        both = functools.partial(in_two_processes, wait=False)  # reaped after the verdict
        report = validate_documents(docs, options=options, both=both)
    else:
        report = validate_documents(docs, options=options)
    prefix = settings.prefix
    return Verdict(
        warnings=[
            text_line(f, prefix)
            for f in report.findings
            if f.severity == "warning" and f.suppressed_reason is None
        ],
        failing=[text_line(f, prefix) for f in report.findings if f.failing],
        notes=list(options.expansion.notes) if options.expansion is not None else [],
    )


def _expand(
    docs: list[Document], settings: Settings, options: ValidateOptions
) -> tuple[list[Document], Any]:
    """The expand stage over the rendered tree (held in memory: no kustomize builds)."""
    from homegen.charts.local import chart_dirs_from_env as chart_dirs
    from homegen.expand import ExpandSettings, expand_tree
    from homegen.expand.cache import default_cache_dir

    expansion = expand_tree(
        docs,
        ExpandSettings(
            kubernetes_version=settings.kubernetes_version,
            repo_prefix=settings.tree_path,
            chart_dirs=chart_dirs([Path(d) for d in settings.chart_dirs]),
            cache_dir=default_cache_dir(),
        ),
    )
    return expansion.documents, expansion


def in_two_processes(
    first: Callable[[Iterable[int] | None], Any],
    second: Callable[[], Any],
    n: int,
    *,
    wait: bool = True,
) -> tuple[Any, Any]:
    """first() over n items in a forked grandchild, second() here, at the same time; then
    this process takes the back half of the items the grandchild has not reached.

    Only the validation process calls this, once the tree is parsed: the grandchild shares
    the parsed tree (copy on write) and sends back only its result. ``first(indices)`` checks
    those items (None: all) and returns ``(found, skipped)``, both in index order and keyed
    by index first; the shares are merged into what ``first(None)`` returns. If the
    grandchild fails, first() runs here after all: the split is a speed-up, never a new way
    to fail. ``wait=False``: a grandchild that has answered and is still exiting is left to
    ``reap_exiting``, so this process goes on while the grandchild's heap is freed.
    """
    share = _Share(n)
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(readable)
            checked = first(share.front())
            data = pickle.dumps((checked, share.reached), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(writable, view) :]
            os.close(writable)  # the end of the answer now, not once this heap is freed
        finally:
            os._exit(0)
    os.close(writable)
    try:
        result = second()
        start = share.back()
        mine = first(range(start, n))
    finally:
        with os.fdopen(readable, "rb") as answer:
            data = answer.read()
        if wait or not data:
            os.waitpid(pid, 0)
        elif os.waitpid(pid, os.WNOHANG)[0] == 0:
            _EXITING.append(pid)  # still exiting: reaped once the verdict is sent
        share.close()
    try:
        theirs, reached = pickle.loads(data)
    except Exception:  # the grandchild died or sent nothing
        return first(None), result
    if reached < start:  # the grandchild stopped short of this share (it never should)
        gap = first(range(reached, start))
        mine = (gap[0] + mine[0], gap[1] + mine[1])
    found = [x for x in theirs[0] if x[0] < reached] + [x for x in mine[0] if x[0] >= reached]
    skipped = [i for i in theirs[1] if i < reached] + [i for i in mine[1] if i >= reached]
    return (found, skipped), result


_EXITING: list[int] = []  # grandchildren that answered and were still exiting


def reap_exiting() -> None:
    """Wait for the grandchildren ``in_two_processes(wait=False)`` left exiting."""
    while _EXITING:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(_EXITING.pop(), 0)


class _Share:
    """n items checked from the front by the grandchild, the rest from the back here once
    this process is free: two numbers in memory both processes map (fork keeps it shared).

    The grandchild publishes how far it got after each chunk and stops at the first item the
    other took; the merge needs nothing of this to be exact (it goes by the item the
    grandchild reached), only to be fast."""

    CHUNK = 32

    def __init__(self, n: int) -> None:
        self.n, self.reached = n, 0
        self._memory = mmap.mmap(-1, 16)  # anonymous and shared: [reached, stop]
        struct.pack_into("qq", self._memory, 0, 0, n)

    def front(self) -> Iterator[int]:
        """The grandchild's items, chunk by chunk, until it meets this process's share."""
        done = 0
        while (end := min(done + self.CHUNK, struct.unpack_from("q", self._memory, 8)[0])) > done:
            yield from range(done, end)
            done = self.reached = end
            struct.pack_into("q", self._memory, 0, done)

    def back(self) -> int:
        """The first item of this process's share: half of what the grandchild has left,
        beyond the chunk it may be in (n: none)."""
        reached = int(struct.unpack_from("q", self._memory, 0)[0])
        start = reached + max((self.n - reached) // 2, 2 * self.CHUNK)
        if start < self.n:
            struct.pack_into("q", self._memory, 8, start)
        return min(start, self.n)

    def close(self) -> None:
        self._memory.close()


def warm_up(guess: Settings) -> None:
    """Load the schemas of the kinds homegen renders, for the guessed settings, and compile
    their CEL rules (the CEL runtime's import and compiles: ~50 ms off the render's path).

    CRD schemas only from local folders: a guess must not download anything. A wrong guess
    costs nothing but this process's idle time: the parent's settings decide.
    """
    from homegen.validate.engine.registry import split_api_version
    from homegen.validate.engine.schema import KindValidator
    from homegen.validate.findings import Located
    from homegen.validate.run import schema_validators

    options = _options(guess)
    local = all(os.path.isdir(location) for location in options.schema_locations)
    validators = schema_validators(options)
    nowhere = Located("", 0, "")
    for api_version, kind in RENDERED_KINDS:
        if local or split_api_version(api_version)[0] in validators.core.groups:
            found = validators.lookup(api_version, kind, nowhere)
            if isinstance(found, KindValidator) and found.rules is not None:
                found.rules.warm()
