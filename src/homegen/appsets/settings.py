"""What decides an expansion besides the ApplicationSet: the controller's and repo-server's
flags (from the tree's ``argocd-cmd-params-cm``), and homegen's limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_APPS = 10_000  # Applications one ApplicationSet may create before homegen stops
TEMPLATE_SECONDS = 10.0  # Go template evaluation of one ApplicationSet, wall time
MAX_APPS_ENV = "HOMEGEN_APPSET_MAX_APPS"
TEMPLATE_SECONDS_ENV = "HOMEGEN_APPSET_TEMPLATE_SECONDS"
NEW_GLOBBING_KEY = "applicationsetcontroller.enable.new.git.file.globbing"
HIDDEN_DIRECTORIES_KEY = "reposerver.include.hidden.directories"


@dataclass(frozen=True)
class Settings:
    """Flags and limits of one expansion."""

    new_globbing: bool = False
    hidden_directories: bool = False
    max_apps: int = MAX_APPS
    template_seconds: float = TEMPLATE_SECONDS

    @classmethod
    def from_environment(cls, params: Mapping[str, Any] | None = None) -> Settings:
        """The limits (lowered by their environment variables, for tests and small CI
        runners) and the flags of an ``argocd-cmd-params-cm`` data mapping."""
        params = params or {}
        return cls(
            new_globbing=_flag(params.get(NEW_GLOBBING_KEY)),
            hidden_directories=_flag(params.get(HIDDEN_DIRECTORIES_KEY)),
            max_apps=int(_number(MAX_APPS_ENV, MAX_APPS)),
            template_seconds=_number(TEMPLATE_SECONDS_ENV, TEMPLATE_SECONDS),
        )


def _flag(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default
