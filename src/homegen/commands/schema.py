"""`homegen schema`: print, write or check the JSON Schema of services.toml."""

from __future__ import annotations

import sys
from pathlib import Path

from homegen.console import note
from homegen.errors import EXIT_FINDINGS, EXIT_OK, UsageError, WriteError
from homegen.schema import schema_text


def run_schema(out: Path | None, *, check: bool) -> int:
    """Write the schema to out (stdout without it), or with check compare; the exit code."""
    text = schema_text()
    if out is None:
        if check:
            raise UsageError("--check needs the file to compare: -o services.schema.json")
        sys.stdout.write(text)
        return EXIT_OK
    current = _read(out)
    if check:
        if current == text:
            note(f"{out} is up to date")
            return EXIT_OK
        what = "missing" if current is None else "stale"
        note(f"{out} is {what}: run `homegen schema -o {out}`")
        return EXIT_FINDINGS
    if current != text:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise WriteError(f"{out}: cannot write: {exc.strerror or exc}") from exc
        note(f"wrote {out}")
    else:
        note(f"{out} is up to date")
    return EXIT_OK


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
