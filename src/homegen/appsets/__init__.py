"""ApplicationSet expansion: an ApplicationSet and a local checkout in, the Applications the
ApplicationSet controller would create out.

One entry function, ``generate_applications``. Generators: ``list``, ``git`` (directories,
with ``exclude``, and files, JSON or YAML), ``clusters`` (from a declared cluster list),
``matrix`` and ``merge`` of those. Templates: the default ``{{param}}`` substitution and
``goTemplate: true`` (text/template with sprig; ``goTemplateOptions``, ``templatePatch``).
What cannot be expanded (an SCM or pull-request generator, a Go template construct no engine
here evaluates) is a problem in the result, never a silent empty list. Pure but for reading
the checkout through ``Repo``.
"""

from __future__ import annotations

from homegen.appsets.expand import Expansion, GeneratedApp, generate_applications
from homegen.appsets.repo import IN_CLUSTER, Cluster, DiskRepo, Repo, find_repo_root

__all__ = [
    "IN_CLUSTER",
    "Cluster",
    "DiskRepo",
    "Expansion",
    "GeneratedApp",
    "Repo",
    "find_repo_root",
    "generate_applications",
]
