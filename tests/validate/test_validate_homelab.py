"""The shipped reference homelab (rendered/) validates clean with the built-in catalog alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from validate_trees import REPO

from homegen.validate.documents import load_tree
from homegen.validate.engine import ValidateOptions, validate_documents

RENDERED = REPO / "rendered"


@pytest.mark.skipif(not RENDERED.is_dir(), reason="no rendered tree in this checkout")
def test_reference_homelab_validates_clean(tmp_path: Path) -> None:
    options = ValidateOptions(cache_dir=tmp_path / "cache")  # no location: no network either
    report = validate_documents(load_tree(RENDERED), options=options)
    assert [f for f in report.findings if f.failing] == []
    assert not [f for f in report.findings if f.rule == "HG105"]
    assert not list((tmp_path / "cache").glob("*"))
    assert report.exit_code == 0
    assert report.resources > 20
