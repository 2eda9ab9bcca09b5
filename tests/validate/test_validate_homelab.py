"""The shipped reference homelab (rendered/) validates clean with the built-in catalog alone."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import REPO

from homegen.cli import app
from homegen.validate.reader.documents import load_tree
from homegen.validate.run import ValidateOptions, validate_documents

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


def _validate_offline(monkeypatch: pytest.MonkeyPatch) -> str:
    """`homegen validate rendered` as a user runs it, no flag, with the network forbidden."""

    def offline(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate tried the network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.delenv("HOMEGEN_SCHEMA_LOCATION", raising=False)
    result = CliRunner().invoke(app, ["validate", str(RENDERED)])
    assert result.exit_code == 0, result.stdout
    return result.stdout


@pytest.mark.skipif(not RENDERED.is_dir(), reason="no rendered tree in this checkout")
def test_validate_with_no_flags_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No flag, no network, 0 HG105: every schema is in the built-in catalog."""
    stdout = _validate_offline(monkeypatch)
    assert "HG105" not in stdout
    assert " 0 errors, 0 warnings" in stdout


@pytest.mark.extra("cel")
@pytest.mark.skipif(not RENDERED.is_dir(), reason="no rendered tree in this checkout")
def test_the_homelab_cel_rules_are_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CEL rules of its Gateway and HTTPRoutes evaluated, all of them (no HG121)."""
    assert "HG121" not in _validate_offline(monkeypatch)
