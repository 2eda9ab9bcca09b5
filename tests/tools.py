"""External tools and optional extras the tests need (taplo, shellcheck; the `charts` and `cel`
extras): one rule for all of them.

Locally a missing tool or extra skips its tests with the reason and how to install it; in CI
(the CI environment variable set, as .ci/run does) it fails them, so a CI run can never pass
by skipping a check it was meant to make.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sysconfig

import pytest


def in_ci() -> bool:
    """Whether the tests run in CI, where a missing tool is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def external_tool(name: str, install: str) -> str:
    """The path of tool ``name`` (this interpreter's scripts folder first, then PATH).

    Missing: the test fails in CI and is skipped elsewhere, both saying ``install``.
    """
    found = shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
    if found:
        return found
    if in_ci():
        pytest.fail(f"{name} is not installed, and CI must run it ({install})")
    pytest.skip(f"{name} is not installed ({install})")


# The extras of pyproject.toml that tests depend on: the module each installs, and its package.
EXTRAS = {
    "charts": ("helm_python", "helm-python-sdk"),
    "cel": ("cel_expr_python", "cel-expr-python"),
}


def has_extra(name: str) -> bool:
    """Whether the extra ``name`` is installed (its module can be found, not imported)."""
    return importlib.util.find_spec(EXTRAS[name][0]) is not None


def requires_extra(name: str) -> None:
    """Skip the calling test unless the extra ``name`` is installed; fail instead under CI.

    The skip reason names the extra, so a run without it says what was not checked and how to
    get it (``@pytest.mark.extra(name)`` does the same for a whole test or module).
    """
    if name not in EXTRAS:
        raise ValueError(f"unknown extra {name!r}: one of {sorted(EXTRAS)}")
    if has_extra(name):
        return
    package = EXTRAS[name][1]
    install = f"pip install -e '.[{name}]'"
    if in_ci():
        pytest.fail(
            f"the {name!r} extra ({package}) is not installed, and CI must run this ({install})"
        )
    pytest.skip(f"needs the {name!r} extra ({package}): {install}")
