"""External tools the tests run (taplo, shellcheck): one rule for all of them.

Locally a missing tool skips its tests with the reason and how to install it; in CI (the CI
environment variable set, as .ci/run does) it fails them, so a CI run can never pass by
skipping a check it was meant to make.
"""

from __future__ import annotations

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
