"""Checks of an app without a destination namespace (destination_namespace = false).

Such an app keeps its ``namespace`` for what homegen generates (grants, policies, secrets all
name their namespace), so only the Application's destination loses it. What would create the
namespace from that destination cannot go with it: ArgoCD's CreateNamespace=true creates the
destination namespace, and homegen's Namespace object would be synced by an app that does not
say it owns one. Registered with ``checks.check`` on import (the loader imports this module).
"""

from __future__ import annotations

from collections.abc import Iterator

from homegen.config.checks import Problem, check
from homegen.config.models import Config


@check
def _no_destination_namespace(config: Config) -> Iterator[Problem]:
    """destination_namespace = false refuses the keys that create the namespace."""
    for name, app in sorted(config.apps.items()):
        if app.destination_namespace:
            continue
        if app.manage_namespace:
            yield (
                ("apps", name, "manage_namespace"),
                "destination_namespace = false renders no Namespace: set manage_namespace = false",
            )
        if app.application.create_namespace:
            yield (
                ("apps", name, "application", "create_namespace"),
                "destination_namespace = false has no namespace for CreateNamespace=true: "
                "set application.create_namespace = false",
            )
