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


def digest(data: bytes) -> str:
    """The hash a ledger records for file contents."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Ledger:
    """Owned paths (relative, POSIX) → the hashes homegen may have written there."""

    files: dict[str, set[str]] = field(default_factory=dict)
    present: bool = True  # False when the ledger file did not exist

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
        quote = json.dumps
        entries = ",\n".join(
            f"  {quote(path)}: [\n" + ",\n".join(f"   {quote(h)}" for h in sorted(hashes)) + "\n  ]"
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


def read_ledger(root: Path) -> Ledger:
    """The ledger under root; an empty one (present=False) when there is none."""
    path = root / LEDGER_NAME
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        return Ledger(present=False)
    except (OSError, ValueError):
        return Ledger(present=False)
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return Ledger(present=False)
    return Ledger(
        {
            str(p): {str(h) for h in (hs if isinstance(hs, list) else [hs])}
            for p, hs in files.items()
        }
    )
