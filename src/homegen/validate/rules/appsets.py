"""ApplicationSets in validation: each set's Applications generated (``homegen.appsets``) and
added to the tree, so they take part in every rule as if written by hand; what cannot be
generated is a finding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from homegen.appsets import IN_CLUSTER, Cluster, Repo, Settings, generate_applications
from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import Obj, Tree, as_dict

NOT_EXPANDED = register(
    "HG224", "appset-not-expanded", "warning",
    "declare what the generator needs (--cluster, the checkout), install homegen[charts], "
    "or keep the set within the limits named",
    """An ApplicationSet whose Applications homegen cannot generate (an SCM, pull-request or
    plugin generator, another repository, a Go template construct it cannot evaluate, more
    Applications or template time than its limits) is checked only as written: the folders
    it syncs and the apps it creates are not known. The message names the feature.""",
)  # fmt: skip
TEMPLATE_ERROR = register(
    "HG225", "appset-template-error", "error",
    "fix the template or the generator named in the message",
    """The ApplicationSet controller fails the same way (a missing key under
    missingkey=error, a non-string list value without goTemplate, an unreadable config file):
    it creates none of the set's Applications.""",
)  # fmt: skip
GENERATES_NOTHING = register(
    "HG226", "appset-generates-nothing", "warning",
    "make the generator's path pattern match a folder or file of the repository",
    """A git generator whose pattern matches nothing creates no Application: usually a typo
    in the path, and the apps it was meant for silently never deploy.""",
)  # fmt: skip
_RULES = {
    "not-expanded": NOT_EXPANDED,
    "template-error": TEMPLATE_ERROR,
    "empty": GENERATES_NOTHING,
}

RepoFor = Callable[[str], Repo | None]  # the tree's path in the repository → its checkout


def appset_generator(
    repo_for: RepoFor | None, clusters: Sequence[Cluster], findings: list[Finding]
) -> Callable[[Tree], list[Obj]]:
    """The ``generate`` hook of ``build_tree``: every set's Applications, findings appended."""

    def generate(tree: Tree) -> list[Obj]:
        sets = list(tree.kind("ApplicationSet"))
        if not sets:
            return []
        repo = repo_for(tree.repo_prefix or "") if repo_for is not None else None
        settings = Settings.from_environment(_controller_params(tree))
        generated: list[Obj] = []
        for appset in sets:
            expansion = generate_applications(
                appset.obj,
                repo,
                clusters or (IN_CLUSTER,),
                repo_url=tree.repo_url,
                settings=settings,
            )
            for problem in expansion.problems:
                findings.append(finding(_RULES[problem.kind], appset.where, problem.message))
            if expansion.complete:
                tree.expanded_sets.add(id(appset))
            generated += [_application(appset, app.app, app.origin) for app in expansion.apps]
        return generated

    return generate


def _controller_params(tree: Tree) -> dict[str, Any]:
    """The data of the tree's ``argocd-cmd-params-cm`` (the controller's and repo-server's
    flags: new git file globbing, hidden directories); empty when the tree has none."""
    for item in tree.kind("ConfigMap"):
        if item.name == "argocd-cmd-params-cm":
            return as_dict(item.obj.get("data"))
    return {}


def _application(appset: Obj, manifest: dict[str, Any], origin: str) -> Obj:
    doc = Document(appset.doc.file, appset.doc.index, appset.doc.line, manifest)
    meta = as_dict(manifest.get("metadata"))
    item = Obj(
        doc,
        str(manifest.get("apiVersion")),
        "Application",
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
        generated_by=appset,
        origin=origin,
    )
    item.locate()
    return item
