"""What a wrapper chart's ``Chart.yaml`` declares under ``dependencies:``, read as Helm reads it.

``helm dependency build`` (which ArgoCD runs before it renders such a chart) fetches every
dependency whatever its ``condition:`` or ``tags:`` say (they are decided at render time, from
the values), by its ``name`` (an ``alias:`` only renames it when the chart is loaded):

- ``repository: https://…`` or ``oci://…``: from that repository, the newest version the
  ``version`` range allows;
- ``repository: file://../x``: the chart folder at that path, relative to the wrapper chart,
  whose version must satisfy the range; homegen reads it through the tree reader, so a path
  that leaves the repository root is refused (an absolute one too: it would name a folder of
  the machine, not of the repository);
- no repository: the chart must already be vendored in ``charts/``;
- ``@name`` or ``alias:name``: a repository added with ``helm repo add`` on the machine that
  builds, which homegen cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from homegen.charts.local import plain_name
from homegen.charts.model import ChartRef
from homegen.charts.semver import ConstraintError, parse_constraint, parse_version

if TYPE_CHECKING:
    from homegen.treeread import TreeReader

Source = Literal["repository", "file", "vendored", "named"]


class DependencyError(Exception):
    """A ``file://`` dependency that is not there or does not fit its version range."""


@dataclass(frozen=True)
class Dependency:
    """One entry of a Chart.yaml's ``dependencies:``."""

    index: int
    name: str
    version: str
    repository: str
    alias: str = ""
    condition: str = ""
    tags: tuple[str, ...] = ()

    @property
    def source(self) -> Source:
        """Where ``helm dependency build`` takes it from (see the module docstring)."""
        repo = self.repository.strip()
        if not repo:
            return "vendored"
        if repo.startswith("file://"):
            return "file"
        if "://" in repo:
            return "repository"
        return "named"

    @property
    def ref(self) -> ChartRef:
        """The chart to look up for a ``repository`` dependency."""
        return ChartRef(self.repository, self.name, self.version)

    @property
    def shown(self) -> str:
        """``name``, or ``name as alias``."""
        return f"{self.name} as {self.alias}" if self.alias else self.name


def declared(chart: dict[str, Any]) -> list[Dependency]:
    """Every dependency of a loaded Chart.yaml that has a name."""
    found = []
    entries = chart.get("dependencies")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]:
            text = {k: str(entry.get(k) or "") for k in ("version", "repository", "alias")}
            tags = entry.get("tags")
            found.append(
                Dependency(
                    index, entry["name"], text["version"], text["repository"], text["alias"],
                    str(entry.get("condition") or ""),
                    tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                )
            )  # fmt: skip
    return found


def enabled(dependency: Dependency, values: dict[str, Any]) -> bool:
    """Whether Helm renders the dependency with these (merged) values of the wrapper chart:
    its ``tags:`` first (off only when a tag is false and none true), then the first path of
    its ``condition:`` that holds a boolean decides; a path that holds none is passed over."""
    on = True
    table = values.get("tags")
    if isinstance(table, dict):
        said = {table[t] for t in dependency.tags if isinstance(table.get(t), bool)}
        on = True in said or False not in said
    for path in dependency.condition.split(","):
        node: Any = values
        for part in path.strip().split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if path.strip() and isinstance(node, bool):
            return node
    return on


def is_vendored(dependency: Dependency, entries: set[str]) -> bool:
    """Whether a chart's ``charts/`` (its entry names) holds the dependency: a folder of its
    name, or ``<name>-<version>`` as a ``.tgz`` (what ``helm dependency build`` saves) or a
    folder."""
    if dependency.name in entries:
        return True
    prefix = f"{dependency.name}-"
    return any(
        e.startswith(prefix) and parse_version(e[len(prefix) :].removesuffix(".tgz"))
        for e in entries
    )


def file_folder(reader: TreeReader, chart_dir: Path, dependency: Dependency) -> Path:
    """The folder a ``file://`` dependency names, relative to the wrapper chart at
    ``chart_dir``. Raises Refused when it leaves the repository root (or is absolute)."""
    from homegen.treeread import Refusal, Refused

    path = dependency.repository.strip().removeprefix("file://")
    named = f"dependency {dependency.name}: repository {dependency.repository!r}"
    if path.startswith("/") or not plain_name(dependency.name):
        why = "an absolute path: outside the repository" if path.startswith("/") else "bad name"
        raise Refused(Refusal(reader.rel(chart_dir / "Chart.yaml"), "path", f"{named}: {why}"))
    try:
        return reader.resolve(chart_dir, path, what="folder")
    except Refused as exc:  # say which dependency, with the repository as written
        where = exc.refusal.message.rpartition(" resolved ")[2]
        raise Refused(replace(exc.refusal, message=f"{named} resolved {where}")) from None


def file_version(reader: TreeReader, folder: Path, dependency: Dependency) -> str:
    """The version of the chart a ``file://`` dependency names, checked against its range
    as ``helm dependency build`` checks it. Raises DependencyError, or Refused."""
    import yaml

    from homegen.validate.reader.documents import load_one

    named = f"dependency {dependency.name}: repository {dependency.repository!r}"
    chart_file = folder / "Chart.yaml"
    if not chart_file.is_file():
        raise DependencyError(f"{named}: no Chart.yaml there")
    try:
        meta = load_one(reader.read_text(chart_file))
    except (ValueError, yaml.YAMLError, OSError) as exc:
        raise DependencyError(f"{named}: Chart.yaml: {exc}".replace("\n", " ")) from None
    version = str(meta.get("version") or "") if isinstance(meta, dict) else ""
    if not dependency.version:
        return version
    parsed = parse_version(version)
    try:
        fits = parsed is not None and parse_constraint(dependency.version).allows(parsed)
    except ConstraintError as exc:
        raise DependencyError(f"dependency {dependency.name}: {exc}") from None
    if not fits:
        raise DependencyError(
            f"{named} is version {version or '?'}, which does not satisfy {dependency.version!r}"
        )
    return version
