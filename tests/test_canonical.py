"""Templates follow the canonical YAML style: each rendered document is exactly what
yamltext.document writes for its own data (quoting, indent, empty collections, key order)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from homegen.render.tree import HEADER
from homegen.render.yamltext import document
from robustness import CASES, REPO, render_cli, tree_bytes

CONFIGS = {
    "homelab": REPO / "services.toml",
    **{p.name: p / "services.toml" for p in sorted((CASES / "accept").iterdir()) if p.is_dir()},
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_rendered_documents_are_canonical(name: str, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    assert render_cli(CONFIGS[name], out)[0] == 0
    for path, data in tree_bytes(out).items():
        if not path.endswith(".yaml"):
            continue
        text = data.decode("utf-8")
        assert text.startswith(HEADER), path
        for i, doc in enumerate(text.removeprefix(HEADER).split("---\n")):
            assert doc == document(yaml.safe_load(doc)), f"{path} document {i}"
