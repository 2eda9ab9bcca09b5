"""YAML beside the manifests that no Application applies: an Omni cluster template or a
Talos patch has a ``kind`` but no ``apiVersion``. In a file an app syncs that is HG103 (the
apply fails); in a file nothing syncs, once the root is known, it is not a Kubernetes object
at all, and is counted as skipped, not reported."""

from __future__ import annotations

from homegen.validate.findings import Finding
from homegen.validate.reader.tree import Tree

_NO_API_VERSION = "document has no apiVersion"


def drop_stray_half_objects(findings: list[Finding], tree: Tree) -> tuple[list[Finding], int]:
    """The findings without HG103 "no apiVersion" on files no app syncs, and how many went."""
    if tree.root_app is None:
        return findings, 0
    kept = [
        f for f in findings
        if not (f.rule == "HG103" and f.message == _NO_API_VERSION and f.file not in tree.synced_by)
    ]  # fmt: skip
    return kept, len(findings) - len(kept)
