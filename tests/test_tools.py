"""Every external tool the tests run follows one rule: skip locally, fail in CI."""

from __future__ import annotations

import importlib.util
import re
import shutil
import tomllib
from pathlib import Path

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


@pytest.mark.parametrize(
    ("extra", "package"), [("charts", "helm-python-sdk"), ("cel", "cel-expr-python")]
)
def test_a_missing_extra_fails_in_ci_and_skips_naming_it_elsewhere(
    extra: str, package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tools.EXTRAS[extra][0]
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a)
    )
    assert not tools.has_extra(extra)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=f"the '{extra}' extra \\({package}\\) is not"):
        tools.requires_extra(extra)
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception) as skipped:
        tools.requires_extra(extra)
    assert (
        str(skipped.value) == f"needs the '{extra}' extra ({package}): pip install -e '.[{extra}]'"
    )


def test_an_installed_extra_passes_even_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(tools.EXTRAS, "fake", ("json", "json"))  # a module that is always there
    monkeypatch.setenv("CI", "true")
    tools.requires_extra("fake")  # neither skips nor fails


def test_an_unknown_extra_is_a_mistake_not_a_skip() -> None:
    with pytest.raises(ValueError, match="unknown extra 'cle'"):
        tools.requires_extra("cle")


def test_the_extras_are_those_of_pyproject(repo_root: Path) -> None:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project["optional-dependencies"]
    for extra, (_module, package) in tools.EXTRAS.items():
        assert any(req.startswith(package) for req in optional[extra]), (extra, package)


@pytest.mark.extra("cel")
def test_the_extra_marker_runs_the_test_only_with_the_extra() -> None:
    assert tools.has_extra("cel")  # reached only when installed (or failed before, under CI)


# A skip of its own for an extra (pytest.importorskip, or pytest.skip with its own words)
# would skip in CI too, where every test must run: only requires_extra and the marker fail there.
_MODULES = "|".join(re.escape(module) for module, _package in tools.EXTRAS.values())
_OWN_SKIP = re.compile(
    rf"importorskip\(\s*[\"'](?:{_MODULES})[\"']"
    r"|pytest\.(?:mark\.)?skip(?:if)?\((?:[^()]|\([^()]*\))*\bextra\b"
)


def test_no_test_skips_for_an_extra_by_itself(repo_root: Path) -> None:
    own = [  # the whole text: a skipif's arguments may span lines
        f"{path.relative_to(repo_root)}:{text.count(chr(10), 0, found.start()) + 1}"
        for path in sorted((repo_root / "tests").rglob("*.py"))
        if path.name not in ("tools.py", "test_tools.py")
        for text in [path.read_text(encoding="utf-8")]
        for found in _OWN_SKIP.finditer(text)
    ]
    assert own == []


@pytest.mark.parametrize(
    ("line", "own"),
    [
        ('pytest.importorskip("helm_python")', True),
        ("pytest.importorskip('cel_expr_python')", True),
        ('pytest.importorskip("yaml")', False),
        ('pytest.skip("the charts extra is not installed")', True),
        ('pytest.skip("kubectl is not installed")', False),
        ('@pytest.mark.skipif(not HAS, reason="the charts extra is not installed")', True),
        ('pytestmark = pytest.mark.skipif(\n    f("x") is None, reason="no charts extra"\n)', True),
        ('@pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")', False),
        ('requires_extra("charts")', False),
    ],
)
def test_the_guard_tells_an_own_skip_for_an_extra(line: str, own: bool) -> None:
    assert bool(_OWN_SKIP.search(line)) is own
