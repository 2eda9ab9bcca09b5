"""`render --check` of a current tree without rendering: what the last render read and wrote.

A render that leaves its output folder current records, in the user's cache, everything its
output is a function of: the hash of every input file the pipeline read (``read_input``, the
one way it reads a file), of every file of homegen's package and of the templates folder, the
size and modification time of every other module file the process had loaded (as Python's own
bytecode cache trusts them), the interpreter, ``sys.path`` and the names at the top of each
of its folders (a module that would shadow a loaded one, a distribution installed or removed),
and the hash of the ledger it wrote. ``render --check`` of the same services.toml into the
same folder first looks for that record (``current``): when every one of those is unchanged,
the ledger is the one recorded and the folder holds exactly the ledger's files (no file
missing, none extra, each with the one hash the ledger records), the render would write the
same bytes, so the check reports the tree current without loading, planning or rendering
anything. Anything else (no record, any difference, a symlink, an unreadable file) falls back
to the full check, which reports what differs. docs/render.md describes it for users;
``HOMEGEN_CHECK_RECORDS=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from homegen.cachedir import cache_root
from homegen.render.templates import templates_dir

RECORD_VERSION = 1
SWITCH_ENV = "HOMEGEN_CHECK_RECORDS"  # "0": neither read nor write records
MAX_RECORDS = 256  # records kept in the cache; the oldest go first
PACKAGE = Path(__file__).resolve().parent
_CACHE = "__pycache__"
_recorders: list[dict[str, str]] = []


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_input(path: Path) -> bytes:
    """The bytes of an input file of the render pipeline, recorded while a render records.

    Every file whose contents reach the rendered tree is read through here, so a record
    names every one of them.
    """
    data = path.read_bytes()
    if _recorders:
        real = os.path.realpath(path)
        for reads in _recorders:
            reads[real] = _sha(data)
    return data


@contextmanager
def recording() -> Iterator[dict[str, str]]:
    """The input files read inside the block, as real path -> sha256."""
    reads: dict[str, str] = {}
    _recorders.append(reads)
    try:
        yield reads
    finally:
        _recorders.remove(reads)


def enabled() -> bool:
    """Whether records are read and written (``HOMEGEN_CHECK_RECORDS=0`` turns them off)."""
    return os.environ.get(SWITCH_ENV, "1") != "0"


def records_dir() -> Path:
    """Where records live: ``checks/`` in homegen's cache folder, beside the charts."""
    return cache_root() / "checks"


def _record_path(config: Path, out: Path) -> tuple[Path, str, str]:
    real_config, real_out = os.path.realpath(config), os.path.realpath(out)
    name = _sha(f"{real_config}\0{real_out}".encode())[:32] + ".json"
    return records_dir() / name, real_config, real_out


def _folder_hash(root: Path) -> str:
    """One hash of every file below root (paths and contents; bytecode caches left out)."""
    total = hashlib.sha256()
    top = len(str(root))
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != _CACHE)  # a fixed order: the walk's too
        rel = folder[top:]
        for name in sorted(files):
            with open(os.path.join(folder, name), "rb") as handle:
                total.update(f"{rel}/{name}\0{_sha(handle.read())}\n".encode())
    return total.hexdigest()


def _environment() -> str:
    """The interpreter, its module search path and what each folder of it holds at the top
    (a module that would shadow a loaded one, a distribution installed or removed)."""
    parts = [sys.version, sys.executable, sys.platform, *sys.path]
    for entry in sys.path:
        try:
            parts += sorted(os.listdir(entry or "."))
        except OSError:  # a zip archive, or missing
            parts.append(repr(_signature(entry or ".")))
    return _sha("\0".join(parts).encode())


def _signature(path: str) -> list[int]:
    """Size and modification time; [-1, -1] where there is nothing to stat."""
    try:
        st = os.stat(path)
    except OSError:
        return [-1, -1]
    return [st.st_size, st.st_mtime_ns]


def _module_files() -> dict[str, list[int]]:
    """Size and mtime of every loaded module's file outside homegen's package (a file that
    cannot be stat'ed, e.g. inside a zip archive, is recorded so that no check matches it)."""
    files: dict[str, list[int]] = {}
    package = str(PACKAGE) + os.sep
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and not path.startswith(package):
            path = os.path.abspath(path)
            files[path] = _signature(path)
    return files


def code_state() -> dict[str, Any]:
    """What a render's output depends on besides its input files (see the module docstring)."""
    return {
        "environment": _environment(),
        "package": _folder_hash(PACKAGE),
        "templates": _folder_hash(templates_dir()),
        "modules": _module_files(),
    }


def save(
    config: Path, out: Path, reads: dict[str, str], state: dict[str, Any], ledger: bytes
) -> None:
    """Record that out is current for config: its ledger bytes are ``ledger``.

    Best effort: a cache that cannot be written means only that the next check renders.
    """
    if not enabled():
        return
    path, real_config, real_out = _record_path(config, out)
    record = {
        "version": RECORD_VERSION,
        "config": real_config,
        "out": real_out,
        "reads": reads,
        "ledger": _sha(ledger),
        **state,
    }
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)
        _prune(path.parent)
    except OSError:
        temp.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Keep the newest MAX_RECORDS records (a test suite makes one per temporary folder)."""
    entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
    if len(entries) <= MAX_RECORDS:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for entry in entries[: len(entries) - MAX_RECORDS]:
        with suppress(OSError):
            os.unlink(entry.path)


def current(config: Path, out: Path) -> bool:
    """Whether the record proves out current for config (False: check the full way)."""
    if not enabled():
        return False
    path, real_config, real_out = _record_path(config, out)
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return False
    if (record.get("config"), record.get("out")) != (real_config, real_out):
        return False
    try:
        return _inputs_unchanged(record) and _tree_matches(out, record.get("ledger"))
    except (OSError, LookupError, ValueError, TypeError, AttributeError):  # a damaged record
        return False


def _inputs_unchanged(record: dict[str, Any]) -> bool:
    if record.get("environment") != _environment():
        return False
    for path, signature in record["modules"].items():
        if signature[0] < 0 or _signature(path) != signature:
            return False
    for path, digest in record["reads"].items():
        with open(path, "rb") as handle:
            if _sha(handle.read()) != digest:
                return False
    return record.get("templates") == _folder_hash(templates_dir()) and record.get(
        "package"
    ) == _folder_hash(PACKAGE)


def _tree_matches(out: Path, ledger_hash: object) -> bool:
    """Whether out holds its ledger (hashing to ledger_hash) and exactly the ledger's files,
    each with the one hash the ledger records for it."""
    from homegen.confined import Blocked, Confined
    from homegen.ledger import LEDGER_NAME, parse_ledger

    try:
        with Confined.open(out) as tree:
            raw = tree.read(LEDGER_NAME)
            if raw is None or _sha(raw) != ledger_hash:
                return False
            ledger = parse_ledger(raw)
            if ledger.outside or not ledger.present:
                return False
            files = set(_walk(str(out), ""))
            if files != set(ledger.files) | {LEDGER_NAME}:
                return False
            for name, hashes in ledger.files.items():
                data = tree.read(name)
                if data is None or len(hashes) != 1 or _sha(data) not in hashes:
                    return False
    except Blocked:
        return False
    return True


def _walk(folder: str, prefix: str) -> Iterator[str]:
    """Every regular file below folder, relative; raises ValueError at anything else."""
    with os.scandir(folder) as entries:
        for entry in entries:  # the entry's type comes with the listing: no stat per file
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                yield prefix + entry.name
            else:  # a symlink, FIFO, socket or device: the full check says what it is
                raise ValueError(entry.path)
