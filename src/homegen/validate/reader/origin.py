"""Where an expanded document came from.

A floor below both the document reader (a Document carries its Origin) and the expand stage
(which makes them), so neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where an expanded document came from: the app, its source and the template."""

    app: str  # the Application's name (a generated one for an ApplicationSet element)
    owner_file: str  # the tree file of the Application or ApplicationSet
    owner: str  # the Application's or ApplicationSet's name in that file
    source: str  # "traefik@33.2.1" for a chart, "kustomize:<folder>" for a build
    template: str  # the template path inside the chart ("traefik/templates/service.yaml")
    namespace: str = ""  # the app's destination namespace

    @property
    def chart(self) -> bool:
        """Whether a chart made the document (a kustomize build is the user's own manifests)."""
        return not self.source.startswith("kustomize:")
