"""Every external tool the tests run follows one rule: skip locally, fail in CI."""

from __future__ import annotations

import shutil

import pytest

import tools


@pytest.mark.parametrize("name", ["taplo", "shellcheck"])
def test_a_missing_tool_fails_in_ci_and_skips_elsewhere(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_a, **_k: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=f"{name} is not installed, and CI must"):
        tools.external_tool(name, "how")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=rf"{name} is not installed \(how\)"):
        tools.external_tool(name, "how")


def test_a_present_tool_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert tools.external_tool("sh", "how").endswith("/sh")
