"""Where the Jinja templates are (light: the check's record reads it without Jinja)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def templates_dir() -> Path:
    """The templates folder: inside the installed package, else the checkout's top level."""
    packaged = PACKAGE / "templates"
    if packaged.is_dir():
        return packaged
    return PACKAGE.parents[1] / "templates"
