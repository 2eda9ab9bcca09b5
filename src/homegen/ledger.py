"""The ledger: which files under rendered/ homegen owns, with the hashes it wrote.

A path may carry more than one hash while a render is in flight (the old and the new
content), so a render killed half-way leaves every file provably owned.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

LEDGER_NAME = ".homegen-ledger"
_VERSION = 1
# what json.dumps does to a str (ensure_ascii), without its Python layers: ~15,000 calls for
# a 1,000-service ledger, on every render and check
_quote = json.encoder.encode_basestring_ascii


def digest(data: bytes) -> str:
    """The hash a ledger records for file contents."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Ledger:
    """Owned paths (relative, POSIX) → the hashes homegen may have written there."""

    files: dict[str, set[str]] = field(default_factory=dict)
    present: bool = True  # False when the ledger file did not exist
    outside: list[str] = field(default_factory=list)  # entries naming paths outside the tree

    def owns(self, path: str, data: bytes) -> bool:
        """Whether data at path is content homegen wrote."""
        return digest(data) in self.files.get(path, set())

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted paths and hashes (the bytes of ``json_bytes``, faster).

        json.dumps with indent runs the pure-Python encoder: a 6,000-file ledger took
        ~0.1 s per call; only the strings go through json's C encoder here.
        """
        if not self.files or not all(self.files.values()):
            return self.json_bytes()  # the empty forms ("{}", "[]"); rare
        quote = _quote
        entries = ",\n".join(
            f"  {quote(path)}: [\n   {quote(next(iter(hashes)))}\n  ]"
            if len(hashes) == 1  # all but the files of a render in flight: no sort, no join
            else f"  {quote(path)}: [\n"
            + ",\n".join(f"   {quote(h)}" for h in sorted(hashes))
            + "\n  ]"
            for path, hashes in sorted(self.files.items())
        )
        text = (
            f'{{\n "files": {{\n{entries}\n }},\n "generator": "homegen",\n'
            f' "version": {_VERSION}\n}}\n'
        )
        return text.encode()

    def json_bytes(self) -> bytes:
        """Canonical JSON through json.dumps: the reference form of ``to_bytes``."""
        body = {
            "version": _VERSION,
            "generator": "homegen",
            "files": {p: sorted(h) for p, h in sorted(self.files.items())},
        }
        return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()


def unsafe_path(path: str) -> bool:
    """Whether path could name something outside the tree or the ledger itself.

    A path the writer may touch is relative and POSIX, with no empty, ``.`` or ``..``
    component, no backslash (a separator elsewhere) and no NUL; symlinks on the way are
    refused by the writer as it walks (``homegen.confined``).
    """
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return True
    if not path.startswith(".") and "/." not in path and "//" not in path and path[-1] != "/":
        return False  # no part is empty or starts with a dot: not ".", "..", nor the ledger
    parts = path.split("/")
    return any(p in ("", ".", "..") for p in parts) or path == LEDGER_NAME


def read_ledger(root: Path) -> Ledger:
    """The ledger under root; an empty one (present=False) when there is none.

    A ledger that is a symlink is refused like any other (``confined.Blocked``).
    """
    from homegen.confined import Confined

    with Confined.open(root) as tree:
        return parse_ledger(tree.read(LEDGER_NAME))


def parse_ledger(raw_bytes: bytes | None) -> Ledger:
    """The ledger in raw_bytes (None: no ledger file); unreadable JSON owns nothing.

    Entries that are not safe relative paths go to ``outside``, never to ``files``.
    """
    if raw_bytes is None:
        return Ledger(present=False)
    try:
        raw = json.loads(raw_bytes)
    except ValueError:
        return Ledger(present=False)
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return Ledger(present=False)
    ledger = Ledger()
    for path, hashes in files.items():
        if unsafe_path(path):
            ledger.outside.append(path)
        else:
            listed = hashes if isinstance(hashes, list) else [hashes]
            ledger.files[path] = {str(h) for h in listed}
    return ledger
