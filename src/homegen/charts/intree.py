"""What the builds of a tree need that no Application names, and whether it is here.

Two kinds, both listed by ``homegen charts TREE``: the charts kept in the tree (a folder with a
``Chart.yaml``) with each of their ``dependencies:``, which ArgoCD gets with ``helm dependency
build``; and the ``helmCharts:`` of a kustomization, which ``kustomize build --enable-helm``
pulls. Each is looked up as a render looks it up (``--charts`` folders, then the cache), never
on the network: the tree may be a stranger's, and only ``homegen charts pull`` goes online.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homegen.charts.locate import locate_chart
from homegen.charts.model import ChartLocation, ChartRef
from homegen.charts.search import ChartSearch
from homegen.charts.wrapper import (
    Dependency,
    DependencyError,
    declared,
    file_folder,
    file_version,
    is_vendored,
)

if TYPE_CHECKING:
    from homegen.treeread import TreeReader

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# how a lookup's origin is shown
NAMED = "a repository name (`helm repo add`) homegen cannot resolve: write the repository's URL"
SHOWN = {"local": "in --charts", "cache": "cached", "network": "downloaded", "missing": "not found"}


@dataclass(frozen=True)
class Availability:
    """Whether a chart a build needs is here: ``found`` is one of ``in --charts``,
    ``cached``, ``downloaded``, ``in tree``, ``vendored``, ``not found`` or ``refused``."""

    found: str
    version: str = ""  # the exact version found (what a range selected)
    where: str = ""  # the folder, archive or URL; or why not

    @property
    def offline(self) -> bool:
        """Whether a render can use it without the network."""
        return self.found not in ("not found", "refused")

    @property
    def shown(self) -> str:
        """``cached 1.2.9``, ``not found``, ``refused: …``."""
        if self.found == "refused":
            return f"refused: {self.where}"
        return f"{self.found} {self.version}".rstrip()


@dataclass(frozen=True)
class DependencyUse:
    """One dependency of an in-tree chart and where it is."""

    dependency: Dependency
    availability: Availability
    line: int = 0  # of its entry in Chart.yaml (0: not known)


@dataclass(frozen=True)
class InTreeChart:
    """A chart kept in the tree: its folder (relative to the tree) and Chart.yaml fields."""

    path: str
    name: str
    version: str
    dependencies: tuple[DependencyUse, ...]


@dataclass(frozen=True)
class HelmChartUse:
    """One ``helmCharts:`` entry of a kustomization, and where its chart is."""

    kustomization: str
    chart: str
    repo: str
    version: str
    availability: Availability


def in_tree_charts(
    built: list[tuple[str, dict[str, Any]]], reader: TreeReader | None, search: ChartSearch
) -> list[InTreeChart]:
    """Every chart of the tree (``built`` holds its Chart.yaml documents), sorted by folder."""
    found = []
    for file, obj in sorted(built, key=lambda item: item[0]):
        if posixpath.basename(file) != "Chart.yaml" or not obj:
            continue  # empty: a subchart inside another chart, read as part of it
        folder = posixpath.dirname(file) or "."
        lines = _entry_lines(reader, file)
        uses = tuple(
            DependencyUse(dep, _dependency(dep, folder, reader, search), lines.get(dep.index, 0))
            for dep in declared(obj)
        )
        name, version = (str(obj.get(k) or "") for k in ("name", "version"))
        found.append(InTreeChart(folder, name, version, uses))
    return found


def _entry_lines(reader: TreeReader | None, file: str) -> dict[int, int]:
    """The 1-based line of each ``dependencies:`` entry of a Chart.yaml, for messages."""
    import yaml

    from homegen.treeread import Refused

    if reader is None:
        return {}
    try:  # composed, not built: positions only, no alias is expanded
        root = yaml.compose(reader.read_text(reader.base / file), Loader=yaml.SafeLoader)
    except (Refused, OSError, ValueError, yaml.YAMLError):
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if key.value == "dependencies" and isinstance(value, yaml.SequenceNode):
            return {i: node.start_mark.line + 1 for i, node in enumerate(value.value)}
    return {}


def _dependency(
    dep: Dependency, folder: str, reader: TreeReader | None, search: ChartSearch
) -> Availability:
    chart_dir = reader.base / folder if reader is not None else Path(folder)
    if is_vendored(dep, _vendored(reader, chart_dir / "charts")):
        return Availability("vendored", where=f"{folder}/charts")
    if dep.source == "vendored":
        return Availability("not found", where="no repository, and not in charts/")
    if dep.source == "file":
        return _file_dependency(dep, chart_dir, reader)
    found = _looked_up(locate_chart(dep.ref, search, download=False))
    if dep.source == "named" and not found.offline:
        return Availability("not found", where=NAMED)
    return found


def _vendored(reader: TreeReader | None, folder: Path) -> set[str]:
    """The entries of a chart's ``charts/``, when the reader lets it be read."""
    from homegen.treeread import Refused

    try:
        if reader is not None:
            reader.check(folder)  # a charts/ symlinked out of the root is not listed
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    except (Refused, OSError):
        return set()


def _file_dependency(dep: Dependency, chart_dir: Path, reader: TreeReader | None) -> Availability:
    from homegen.treeread import Refused

    if reader is None:
        return Availability("not found", where="the tree is not on disk")
    try:
        path = file_folder(reader, chart_dir, dep)
        version = file_version(reader, path, dep)
    except Refused as exc:
        return Availability("refused", where=exc.refusal.message)
    except DependencyError as exc:
        return Availability("not found", where=str(exc))
    return Availability("in tree", version, reader.rel(path))


def _looked_up(location: ChartLocation) -> Availability:
    if location.origin == "missing":
        return Availability("not found", where="; ".join(location.tried))
    return Availability(SHOWN[location.origin], location.version, location.source)


def helm_chart_uses(
    built: list[tuple[str, dict[str, Any]]], reader: TreeReader | None, search: ChartSearch
) -> list[HelmChartUse]:
    """Every ``helmCharts:`` entry of the tree's kustomizations, in file order."""
    found = []
    for file, obj in sorted(built, key=lambda item: item[0]):
        entries = obj.get("helmCharts")
        if posixpath.basename(file) not in KUSTOMIZATIONS or not isinstance(entries, list):
            continue
        globals_ = obj.get("helmGlobals")
        home = globals_.get("chartHome") if isinstance(globals_, dict) else None
        home = str(home or "charts")
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                chart, repo, version = (
                    str(entry.get(k) or "") for k in ("name", "repo", "version")
                )
                where = _helm_chart(file, home, chart, repo, version, reader, search)
                found.append(HelmChartUse(file, chart, repo, version, where))
    return found


def _helm_chart(
    file: str,
    home: str,
    chart: str,
    repo: str,
    version: str,
    reader: TreeReader | None,
    search: ChartSearch,
) -> Availability:
    """Kustomize uses a chart already in ``<chartHome>/<name>`` of the kustomization's folder
    (``charts/`` by default) and pulls only what is not there."""
    from homegen.treeread import Refused

    folder = posixpath.dirname(file) or "."
    if reader is not None:
        try:
            local = reader.resolve(reader.base / folder, posixpath.join(home, chart), what="chart")
            if (local / "Chart.yaml").is_file():
                return Availability("in tree", where=reader.rel(local))
        except Refused as exc:
            return Availability("refused", where=exc.refusal.message)
    if not repo or "://" not in repo or not version:
        # without a version kustomize asks the repository for its newest: the network
        why = "no repo" if not repo else "no version" if not version else "not a repository URL"
        return Availability("not found", where=f"{why}, and not in {folder}/{home}/")
    return _looked_up(locate_chart(ChartRef(repo, chart, version), search, download=False))
