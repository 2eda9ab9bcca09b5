"""ApplicationSet expansion: an ApplicationSet and a local checkout in, the Applications the
ApplicationSet controller would create out.

One entry function, ``generate_applications``, matching the controller's semantics
(argoproj/argo-cd applicationset/generators and utils): ``list`` (with ``elementsYaml``),
``git`` (directories, files, both globbings), ``clusters`` (declared clusters standing for
cluster secrets), ``matrix`` and ``merge`` of those. Templates: fasttemplate ``{{param}}``
substitution and ``goTemplate: true`` (text/template with sprig), ``templatePatch``. What
cannot be expanded (an SCM or pull-request generator, a Go template construct no engine
here evaluates, a limit reached) is a problem in the result, never a silent different list.
Pure but for reading the checkout through ``Repo``. docs/applicationsets.md is the
reference.
"""

from __future__ import annotations

from homegen.appsets.expand import Expansion, GeneratedApp, generate_applications
from homegen.appsets.repo import IN_CLUSTER, Cluster, DiskRepo, Repo, find_repo_root
from homegen.appsets.settings import Settings

__all__ = [
    "IN_CLUSTER",
    "Cluster",
    "DiskRepo",
    "Expansion",
    "GeneratedApp",
    "Repo",
    "Settings",
    "find_repo_root",
    "generate_applications",
]
