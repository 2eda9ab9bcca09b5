"""Render's validation, run beside the render: in a forked process where there is fork.

`homegen render` validates the whole tree before it moves any file into place, and on a
large fleet reading the tree back and checking it costs as much as everything else
together. So a render starts a child process first thing. While the parent imports the
pipeline, reads services.toml and renders, the child imports the validator, then parses
each file as soon as the parent has rendered it. The parent stages the files meanwhile and
renames them into place only once the child's verdict is clean. Once the child has the
whole tree it forks once more: schema checks in the grandchild, whole-tree checks in the
child. Where there is no fork (Windows), or for a fleet too large to hold in two processes
at once (FORK_MAX_CONFIG_BYTES), the same checks run in the parent once the files are staged
(still before any is moved into place), releasing each file's bytes as it parses it.

This module is imported before the validator is: it imports nothing heavy itself. The child
leaves only through ``os._exit``: it never returns into the caller's stack (the CLI, a test
runner), never writes to the terminal, and sends back nothing but its verdict.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import re
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from queue import SimpleQueue
from typing import IO, TYPE_CHECKING, Any

from homegen.validate.render_checks import (
    Settings,
    Verdict,
    check_documents,
    reap_exiting,
    warm_up,
)

if TYPE_CHECKING:
    from types import TracebackType

    from homegen.config.models import Config
    from homegen.plan.model import Plan
    from homegen.validate.reader.documents import Document

FORK = hasattr(os, "fork")  # tests turn it off to run the in-process path
# Beyond this size of services.toml (about 4,500 services of bench/synth.py) the checks run in
# process, after staging: the parent holding the rendered tree while the child holds it
# parsed would take more memory than the time saved is worth (10,000 services: ~600 MB
# across both processes, against ~475 MB in one that releases the text as it parses).
FORK_MAX_CONFIG_BYTES = 3_000_000
_END = None  # the message after the last file
_BATCH_BYTES = 256 * 1024  # files go to the child in messages of about this size
# services.toml's Kubernetes version, as it is almost always written: a guess to warm up with
_VERSION_LINE = re.compile(rb'^kubernetes_version\s*=\s*"(1\.[0-9]+)"', re.M)


class TreeValidation:
    """Validates a render's tree; fed by ``homegen.pipeline`` as a ``TreeSink``.

    This base class keeps the files and checks them in this process when ``verdict`` is
    asked for; ``ForkedValidation`` does the work in a child process as the files come.
    """

    concurrent = False  # whether the checks run while the caller goes on

    def __init__(
        self, schema_locations: Sequence[str], prefix: str, chart_dirs: Sequence[str] = ()
    ) -> None:
        self.schema_locations = tuple(schema_locations)
        self.prefix = prefix
        self.chart_dirs = tuple(chart_dirs)
        self.settings: Settings | None = None
        self.files: dict[str, bytes] = {}

    def planned(self, config: Config, plan: Plan) -> None:
        """The settings are known once the config is planned."""
        self.settings = Settings(
            config.cluster.kubernetes_version,
            plan.tree_path,
            self.schema_locations,
            self.prefix,
            (("argo-cd", config.argocd.version),),
            chart_dirs=self.chart_dirs,
            storage_classes=tuple(config.cluster.storage_classes),
        )

    def rendered(self, path: str, data: bytes) -> None:
        """One more file of the tree."""
        self.files[path] = data

    def verdict(self) -> Verdict:
        """The findings of the whole tree; call after the last file."""
        if self.settings is None:
            raise RuntimeError("verdict asked for before the render was planned")
        from homegen.validate.reader.documents import documents_consuming

        # the files are parsed and released one by one (the render staged them already)
        files, self.files = self.files, {}
        return check_documents(documents_consuming(files), self.settings)

    def close(self) -> None:
        """Stop: the verdict is no longer wanted (or was given)."""

    def __enter__(self) -> TreeValidation:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ForkedValidation(TreeValidation):
    """The same checks in a forked child, fed through a pipe as each file is rendered.

    A thread of the parent writes to the pipe, so the parent never waits for the child to
    keep up: it goes on rendering and staging while the child parses.
    """

    concurrent = True

    def __init__(
        self,
        schema_locations: Sequence[str],
        prefix: str,
        config_path: Path | None = None,
        chart_dirs: Sequence[str] = (),
    ) -> None:
        super().__init__(schema_locations, prefix, chart_dirs)
        to_child, from_parent = os.pipe()
        from_child, to_parent = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns, whatever happens
            try:
                os.close(from_parent)
                os.close(from_child)
                _child(os.fdopen(to_child, "rb"), to_parent, lambda: self._guess(config_path))
            finally:
                os._exit(70)
        os.close(to_child)
        os.close(to_parent)
        self.pid: int | None = pid
        self._answered = False
        self._from_child = from_child
        self._pipe: IO[bytes] = os.fdopen(from_parent, "wb")
        self._queue: SimpleQueue[Any] = SimpleQueue()
        self._batch: list[tuple[str, bytes]] = []
        self._batched = 0
        self._feeder = threading.Thread(target=self._feed, name="homegen-validate", daemon=True)
        self._feeder.start()

    def _guess(self, config_path: Path | None) -> Settings | None:
        """The settings services.toml most likely leads to, read in a glance (in the child)."""
        if config_path is None:
            return None
        try:
            with config_path.open("rb") as handle:
                head = handle.read(64 * 1024)  # [cluster] comes first
        except OSError:
            return None
        match = _VERSION_LINE.search(head)
        if match is None:
            return None
        return Settings(match[1].decode(), "", self.schema_locations, self.prefix)

    def planned(self, config: Config, plan: Plan) -> None:
        super().planned(config, plan)
        self._queue.put(self.settings)

    def rendered(self, path: str, data: bytes) -> None:
        # in batches: one message per file would hand the GIL to the feeder 6,000 times
        self._batch.append((path, data))
        self._batched += len(data)
        if self._batched >= _BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._queue.put(self._batch)
            self._batch, self._batched = [], 0

    def verdict(self) -> Verdict:
        self._flush()
        self._queue.put(_END)
        self._feeder.join()
        with os.fdopen(self._from_child, "rb") as answer:
            self._from_child = -1
            data = answer.read()
        if not data:
            raise RuntimeError(f"the validation process ended without a verdict ({self._reap()})")
        # The child closed the pipe before exiting: freeing its heap (tens of milliseconds
        # for a large tree) goes on beside the render's writes; close() reaps it afterwards.
        self._answered = True
        kind, payload, text = pickle.loads(data)
        if kind == "verdict":
            verdict: Verdict = payload
            return verdict
        error = payload if isinstance(payload, BaseException) else RuntimeError(text)
        error.add_note(f"in the validation process:\n{text}")
        raise error

    def close(self) -> None:
        if self.pid is not None and not self._answered:  # no verdict asked for: stop it now
            os.kill(self.pid, signal.SIGKILL)
        if self.pid is not None:
            self._queue.put(_END)
            self._feeder.join()
            self._reap()
        if self._from_child >= 0:
            os.close(self._from_child)
            self._from_child = -1

    def _feed(self) -> None:
        """The feeder thread: queued messages → the pipe, until the end or a dead child."""
        pipe = self._pipe
        try:
            while True:
                message = self._queue.get()
                pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                if message is _END:
                    break
        except OSError:  # the child is gone; verdict() reports it
            pass
        finally:
            with contextlib.suppress(OSError):
                pipe.close()

    def _reap(self) -> str:
        pid, self.pid = self.pid, None
        if pid is None:
            return "reaped"
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit status {os.waitstatus_to_exitcode(status)}"


def start_validation(
    schema_locations: Sequence[str],
    prefix: str,
    config_path: Path | None = None,
    chart_dirs: Sequence[str] = (),
) -> TreeValidation:
    """A validation for one render: forked where the system can fork, unless the fleet is
    so large that two processes would hold it at once (see FORK_MAX_CONFIG_BYTES)."""
    if FORK and _size(config_path) <= FORK_MAX_CONFIG_BYTES:
        return ForkedValidation(schema_locations, prefix, config_path, chart_dirs)
    return TreeValidation(schema_locations, prefix, chart_dirs)


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0  # the parent reports it


def _child(stream: IO[bytes], answer_fd: int, guess: Callable[[], Settings | None]) -> None:
    """The child's whole life: serve one tree, send the verdict, exit."""
    # No garbage collection: the parsed tree is acyclic and the process short-lived, and each
    # pass of the collector would walk the whole tree read so far (two fifths of the parse).
    gc.disable()
    try:
        verdict = _serve(stream, guess())
        answer = b"" if verdict is None else pickle.dumps(("verdict", verdict, ""))
    except BaseException as exc:  # everything, so the child never unwinds into the caller
        text = "".join(traceback.format_exception(exc))
        try:
            answer = pickle.dumps(("error", exc, text))
            pickle.loads(answer)
        except Exception:
            answer = pickle.dumps(("error", None, text))
    try:
        view = memoryview(answer)
        while view:
            view = view[os.write(answer_fd, view) :]
        os.close(answer_fd)  # the parent reads the end now, not once this heap is freed
        reap_exiting()  # the grandchild, if any, meanwhile freed its own
    finally:
        os._exit(0)


def _expand_imports() -> None:
    from homegen.charts.local import chart_dirs_from_env  # noqa: F401
    from homegen.expand import ExpandSettings, expand_tree  # noqa: F401
    from homegen.expand.cache import default_cache_dir  # noqa: F401


def _serve(stream: IO[bytes], guess: Settings | None) -> Verdict | None:
    """Read settings and files from the parent, parsing each as it comes; None if cancelled."""
    # the validator's imports and the files' parsing overlap with the parent's work
    from homegen.validate import output, run  # noqa: F401

    # and the expand stage's (~30 ms: charts, tarfile, xml), which runs first once all is read
    _expand_imports()
    from homegen.validate.reader.documents import YAML_SUFFIXES, parse_text

    if guess is not None:
        with contextlib.suppress(Exception):  # only a guess: the real settings decide
            warm_up(guess)

    try:
        settings: Settings = pickle.load(stream)
        by_file: dict[str, list[Document]] = {}
        while (batch := pickle.load(stream)) is not _END:
            for path, data in batch:
                if path.endswith(YAML_SUFFIXES):
                    by_file[path] = parse_text(path, data.decode("utf-8"))
    except EOFError:  # the parent stopped (a config error, a current tree, a kill)
        return None
    docs = [doc for path in sorted(by_file) for doc in by_file[path]]
    return check_documents(docs, settings, forked=True)
