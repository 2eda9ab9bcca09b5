"""Fixtures of the validate tests (trees themselves are in validate_trees.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from validate_trees import write_tree

from homegen.validate.findings import Report
from homegen.validate.reader.documents import load_tree
from homegen.validate.run import ValidateOptions, validate_documents


@pytest.fixture
def options(tmp_path: Path) -> ValidateOptions:
    """Offline settings: CRD schemas from the built-in catalog, a private cache."""
    return ValidateOptions(cache_dir=tmp_path / "schema-cache")


Validate = Callable[[dict[str, str]], Report]


@pytest.fixture
def validate(tmp_path: Path, options: ValidateOptions) -> Validate:
    """Write a tree into tmp_path/tree and validate it with the offline settings."""

    def run(files: dict[str, str]) -> Report:
        root = write_tree(tmp_path / "tree", files)
        return validate_documents(load_tree(root), options=options)

    return run
