"""The Mermaid graph embedded in README.md; `python tests/readme_graph.py` refreshes it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"(<!-- homegen graph -->\n```mermaid\n)(.*?)(```\n<!-- /homegen graph -->)", re.S
)


def embedded(readme: str) -> str | None:
    """The Mermaid text between the markers, or None when the markers are missing."""
    match = BLOCK.search(readme)
    return match[2] if match else None


def replaced(readme: str, mermaid: str) -> str:
    """readme with the block between the markers set to mermaid."""
    return BLOCK.sub(lambda m: m[1] + mermaid + m[3], readme, count=1)


def main() -> None:
    """Rewrite README.md's graph from the shipped services.toml."""
    from homegen.commands.graph import graph_text

    path = REPO / "README.md"
    readme = path.read_text(encoding="utf-8")
    path.write_text(
        replaced(readme, graph_text(REPO / "services.toml", "mermaid")), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
