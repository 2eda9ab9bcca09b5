"""`homegen --version`: homegen's version and those of the engines it uses, for bug reports.

Read from installed package metadata and folder names only: nothing here imports
kubernetes-validate or a chart engine, so `--version` costs what `--help` costs.
"""

from __future__ import annotations

import importlib.util
import platform
import re
from importlib import metadata
from pathlib import Path

# (what it is, distribution name): the optional engines homegen uses when installed
ENGINES = (("chart engine", "helm-python-sdk"),)


def distribution_version(name: str) -> str | None:
    """The installed version of distribution name; None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def kubernetes_schema_versions() -> list[str]:
    """The Kubernetes versions whose schemas kubernetes-validate ships, oldest first."""
    spec = importlib.util.find_spec("kubernetes_validate")  # finds; does not import
    folders = list(spec.submodule_search_locations or []) if spec else []
    versions = set()
    for folder in folders:
        schemas = Path(folder, "kubernetes-json-schema")
        if schemas.is_dir():
            for entry in schemas.iterdir():
                match = re.match(r"^v(\d+)\.(\d+)\.(\d+)", entry.name)
                if match:
                    versions.add(tuple(int(g) for g in match.groups()))
    return [".".join(map(str, v)) for v in sorted(versions)]


def version_lines() -> list[str]:
    """The lines `homegen --version` prints."""
    lines = [
        f"homegen {distribution_version('homegen') or 'unknown (not installed)'}",
        f"python {platform.python_version()}",
    ]
    validator = distribution_version("kubernetes-validate")
    if validator is None:
        lines.append("Kubernetes schemas: kubernetes-validate not installed")
    else:
        shipped = kubernetes_schema_versions()
        span = f"{shipped[0]} to {shipped[-1]}" if shipped else "none found"
        lines.append(f"Kubernetes schemas: kubernetes-validate {validator} (Kubernetes {span})")
    for what, name in ENGINES:
        found = distribution_version(name)
        lines.append(f"{what}: {name} {found}" if found else f"{what}: {name} not installed")
    return lines
