"""Small ApplicationSets and checkout trees for the expansion tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

REPO = "https://github.com/me/lab"


def appset(body: str) -> dict[str, Any]:
    """An ApplicationSet in namespace argocd with the spec written in ``body`` (YAML)."""
    doc = yaml.safe_load(textwrap.dedent(body))
    assert isinstance(doc, dict)
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": "s", "namespace": "argocd"}, "spec": doc}  # fmt: skip


def tree(root: Path, files: dict[str, str]) -> Path:
    """``files`` (path → text) written under ``root``."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root
