"""What a chart lookup is asked (``ChartRef``) and what it answers (``ChartLocation``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


class FetchError(Exception):
    """A place could not be asked or gave an unusable answer; the message says why."""


Origin = Literal["local", "cache", "network", "missing"]
ORIGINS: tuple[Origin, ...] = ("local", "cache", "network", "missing")


@dataclass(frozen=True, order=True)
class ChartRef:
    """One chart at one exact version, as an Application names it.

    ``repo_url`` is a classic Helm repository (``https://…``, ``http://…``) or an OCI
    registry path (``oci://host/path``; ArgoCD's scheme-less ``host/path`` means the same).
    """

    repo_url: str
    chart: str
    version: str

    @property
    def repo(self) -> str:
        """The repository URL as homegen compares and fetches it (see ``normalize_repo_url``)."""
        return normalize_repo_url(self.repo_url)

    @property
    def is_oci(self) -> bool:
        """Whether the chart comes from an OCI registry."""
        return self.repo.startswith("oci://")

    @property
    def package(self) -> str:
        """``<chart>-<version>``: the folder or ``.tgz`` name Helm gives a packaged chart."""
        return f"{self.chart}-{self.version}"

    def __str__(self) -> str:
        return f"{self.chart} {self.version} from {self.repo}"


def normalize_repo_url(url: str) -> str:
    """No trailing slash, the scheme in lower case (URLs take it in any case, so does
    services.toml); a scheme-less ``host/path`` (ArgoCD's OCI form) becomes ``oci://``."""
    text = url.strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    if sep:
        return f"{scheme.lower()}://{rest}"
    return f"oci://{text}" if text else text


@dataclass(frozen=True)
class ChartLocation:
    """Where a chart was found, or why it was not: a value, never an exception.

    ``path`` is the unpacked chart's root folder (it holds ``Chart.yaml``), set whenever the
    chart is on this machine; ``archive`` is the packed ``.tgz`` when there is one.
    ``origin`` says where it came from: a local chart folder, the cache, the network (just
    downloaded, or only seen there when the lookup was asked not to download), or nowhere.
    ``tried`` lists every place looked at, in order, with what each said.
    """

    ref: ChartRef
    origin: Origin
    path: Path | None = None
    archive: Path | None = None
    source: str = ""  # the local folder or .tgz, the cached archive, or the URL
    digest: str = ""  # "sha256:<hex>" of the archive, when there is one
    tried: tuple[str, ...] = ()
    note: str = ""  # a caveat, e.g. a repository that publishes no digest
    resolved: str = ""  # the exact version a range (``ref.version``) selected

    @property
    def version(self) -> str:
        """The exact version found: what a range resolved to, else ``ref.version``."""
        return self.resolved or self.ref.version

    @property
    def found(self) -> bool:
        """Whether the chart is on this machine (``path`` is set)."""
        return self.path is not None

    @property
    def available(self) -> bool:
        """Whether the chart can be had: on this machine, or seen on the network."""
        return self.origin != "missing"

    @property
    def message(self) -> str:
        """One line for people: where it is, or ``not found, tried: …``."""
        if self.origin == "missing":
            return f"{self.ref}: not found, tried: {'; '.join(self.tried)}"
        where = self.source or (str(self.path) if self.path else "")
        return f"{self.ref}: {self.origin} {where}".rstrip()
