"""Checks of an app without a destination namespace (destination_namespace = false).

Such an app keeps its ``namespace`` for what homegen generates (grants, policies, secrets all
name their namespace), so only the Application's destination loses it. homegen's Namespace
object cannot go with it: the app would sync a namespace its destination does not name.
CreateNamespace=true may stay: ArgoCD creates nothing when the destination names no namespace
(gitops-engine's sync context checks the namespace is set), and owners write it so.
Registered with ``checks.check`` on import (the loader imports this module).
"""

from __future__ import annotations

from collections.abc import Iterator

from homegen.config.checks import Problem, check
from homegen.config.models import Config


@check
def _no_destination_namespace(config: Config) -> Iterator[Problem]:
    """destination_namespace = false refuses homegen's Namespace object."""
    for name, app in sorted(config.apps.items()):
        if app.destination_namespace:
            continue
        if app.manage_namespace:
            yield (
                ("apps", name, "manage_namespace"),
                "destination_namespace = false renders no Namespace: set manage_namespace = false",
            )
