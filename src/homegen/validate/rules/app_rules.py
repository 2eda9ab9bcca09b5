"""The rules that read apps with what they bring (HG250-HG253), run over one shared view."""

from __future__ import annotations

from collections.abc import Iterator

from homegen.validate.findings import Finding
from homegen.validate.reader.tree import Tree, tree_check
from homegen.validate.rules.app_facts import app_facts
from homegen.validate.rules.integrity_crds import check_crd_order, check_crd_owners
from homegen.validate.rules.integrity_storage import check_storage_classes
from homegen.validate.rules.policy_controllers import check_listener_pods


@tree_check
def check_apps(tree: Tree) -> Iterator[Finding]:
    """HG250-HG253: CRD owners and order, storage classes, controller-created pods."""
    apps = app_facts(tree)  # built once: it walks every object of the tree
    yield from check_crd_owners(apps)
    yield from check_crd_order(apps)
    yield from check_storage_classes(tree, apps)
    yield from check_listener_pods(tree, apps)
