"""``kustomize.buildOptions`` of the tree's argocd-cm: the flags ArgoCD adds to every build.

ArgoCD splits the option string on white space and appends the words to ``kustomize build
<path>`` (util/kustomize/kustomize.go, ``parseKustomizeBuildOptions``). homegen honours only
the flags it can apply without running anything from the tree or reading outside it; every
other word becomes a note naming it, and the build goes on without it.

Documents in (and an argo-cd chart's values file, through the tree reader), options and
notes out.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.treeread import Refused, TreeReader
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import as_dict

KEY = "kustomize.buildOptions"
NONE = "LoadRestrictionsNone"
ARGO_CD_CHART = "argo-cd"  # argo-helm's chart: its configs.cm is the data of argocd-cm
ROOT_ONLY = "LoadRestrictionsRootOnly"

# flags that take the next word as their value (kustomize 5's build flags)
_VALUED = frozenset(
    (
        "--load-restrictor", "--helm-command", "--helm-kube-version", "--helm-api-versions",
        "--reorder", "--mount", "--env", "-e", "--network-name", "--output", "-o",
    )
)  # fmt: skip
# why a flag is not honoured, for the ones a homelab plausibly sets
_WHY = {
    "--enable-alpha-plugins": "it runs plugins (programs) the tree names",
    "--enable-exec": "it runs programs the tree names",
    "--enable-star": "it runs plugins the tree names",
    "--as-current-user": "it runs container functions",
    "--network": "homegen builds offline",
    "--mount": "it mounts host folders into functions",
    "--env": "it passes the environment to functions",
    "-e": "it passes the environment to functions",
    "--helm-command": "homegen inflates helmCharts with its own chart engine",
}


@dataclass(frozen=True)
class BuildOptions:
    """The flags of ``kustomize.buildOptions`` homegen applies, and what it ignored."""

    enable_helm: bool = False  # --enable-helm: inflate helmCharts
    load_restrictor_none: bool = False  # --load-restrictor LoadRestrictionsNone
    source: str = ""  # the file of the argocd-cm the options came from
    ignored: tuple[str, ...] = field(default_factory=tuple)  # one note each

    def flags(self) -> list[str]:
        """The flags every build gets (--enable-helm is added only where helmCharts are)."""
        return ["--load-restrictor", NONE] if self.load_restrictor_none else []


def find_build_options(
    docs: list[Document], reader: TreeReader | None = None, root: Path | None = None
) -> BuildOptions:
    """The options of the tree's argocd-cm (the first one, by file); else those of the values
    of an argo-cd chart a kustomization inflates (its valuesFile read from ``root``); or none."""
    ordered = sorted(docs, key=lambda d: (d.file, d.index))
    for doc in ordered:
        obj = doc.obj
        meta = as_dict(obj.get("metadata"))
        if obj.get("kind") != "ConfigMap" or meta.get("name") != "argocd-cm":
            continue
        text = as_dict(obj.get("data")).get(KEY)
        if isinstance(text, str) and text.strip():
            return parse_build_options(text, doc.file)
    for doc in ordered:
        if posixpath.basename(doc.file) not in ("kustomization.yaml", "kustomization.yml"):
            continue
        for chart in doc.obj.get("helmCharts") or ():
            if isinstance(chart, dict) and chart.get("name") == ARGO_CD_CHART:
                folder = posixpath.dirname(doc.file)
                text = _chart_build_options(folder, chart, reader, root)
                if text:
                    return parse_build_options(text, f"{doc.file} helmCharts {ARGO_CD_CHART}")
    return BuildOptions()


def needed_build_options(
    builds: bool, docs: list[Document], reader: TreeReader | None, root: Path | None
) -> BuildOptions:
    """``find_build_options`` where they matter: only builds use them, so with none to run
    they are looked for only where looking reads a file (a kustomization's argo-cd values,
    whose refusal the reader reports), never just to be dropped."""
    names = ("kustomization.yaml", "kustomization.yml")
    if builds or any(d.file.rpartition("/")[2] in names for d in docs):  # basename, in C
        return find_build_options(docs, reader, root)
    return BuildOptions()


def _chart_build_options(
    folder: str, chart: dict[str, Any], reader: TreeReader | None, root: Path | None
) -> str | None:
    """``configs.cm`` of an argo-cd chart's values becomes the data of its argocd-cm (ArgoCD
    installed by ``helmCharts:`` sets its build options there): valuesInline over valuesFile,
    kustomize's default merge."""
    values: dict[str, Any] = {}
    name = chart.get("valuesFile")
    if isinstance(name, str) and name and reader is not None and root is not None:
        values = _load_values(reader, root / posixpath.normpath(posixpath.join(folder, name)))
    cm = as_dict(as_dict(values.get("configs")).get("cm"))
    inline = as_dict(as_dict(as_dict(chart.get("valuesInline")).get("configs")).get("cm"))
    cm = {**cm, **inline}
    text = cm.get(KEY)
    if cm.get("create", True) is False or not isinstance(text, str) or not text.strip():
        return None  # the chart makes no argocd-cm, or sets no options in it
    return text


def _load_values(reader: TreeReader, path: Path) -> dict[str, Any]:
    import yaml  # only for a tree installing ArgoCD from helmCharts

    try:
        loaded = yaml.safe_load(reader.read_text(path))
    except (Refused, OSError, ValueError, yaml.YAMLError):  # unreadable: the build says so itself
        return {}
    return as_dict(loaded)


def parse_build_options(text: str, source: str = "") -> BuildOptions:
    """The options of one ``kustomize.buildOptions`` string (ArgoCD: ``strings.Fields``)."""
    words = text.split()
    helm = none = False
    ignored: list[str] = []
    i = 0
    while i < len(words):
        flag, eq, value = words[i].partition("=")
        if not eq and flag in _VALUED and i + 1 < len(words):
            i += 1
            value = words[i]
        i += 1
        if flag == "--enable-helm" and value in ("", "true"):
            helm = True
        elif flag == "--load-restrictor" and value in (NONE, ROOT_ONLY):
            none = value == NONE
        elif (flag, value) not in (("--enable-helm", "false"), ("--reorder", "legacy")):
            word = f"{flag}{' ' + value if value else ''}" if flag.startswith("-") else flag
            why = _WHY.get(flag, "homegen does not apply it")
            ignored.append(f"{word} not honoured: {why}")
    return BuildOptions(helm, none, source, tuple(ignored))


def option_notes(options: BuildOptions) -> list[str]:
    """One note per word of the options homegen did not apply."""
    where = f"argocd-cm ({options.source}) {KEY}" if options.source else KEY
    return [f"{where}: {why}" for why in options.ignored]
