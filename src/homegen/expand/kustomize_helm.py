"""Kustomize builds with the tree's ``kustomize.buildOptions``, ``helmCharts:`` inflated by
homegen's own chart sources and engine.

A build with ``--enable-helm`` writes: kustomize pulls a chart into the kustomization's chart
home, and writes merged value files. Such a build never runs on the tree: what it reads (the
folders and files ``check_inputs`` checked) is copied through the tree reader into a scratch
folder, laid out as in the repository so relative paths still meet, and kustomize builds the
copy with ``homegen.expand.helmshim`` as its ``--helm-command`` and the scratch folder as its
TMPDIR. The shim accepts only paths inside that scratch folder. Builds without helmCharts run
on the tree as before (they only read, and ``check_inputs`` confined what they read).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.expand import helmshim
from homegen.expand.kustomize import BuildFailed, NeedsNetwork, build, check_inputs
from homegen.expand.kustomize_options import BuildOptions
from homegen.treeread import Refused, TreeReader

_NEEDS = re.compile(re.escape(helmshim.NEEDS) + r"(.*?)(?::? unable to run:|\\n|\"|$)", re.M)


# not ``-m homegen.expand.helmshim``: the package imports the module before runpy runs it
_MAIN = "import sys; from homegen.expand.helmshim import run; sys.exit(run())"


@dataclass
class HelmContext:
    """Where charts come from and the capabilities Helm sees (as for Helm sources)."""

    chart_dirs: tuple[Path, ...] = ()
    chart_cache: Path | None = None
    kubernetes_version: str = "1.28"
    crds: list[dict[str, Any]] = field(default_factory=list)  # the tree's CRDs
    _apis: list[str] | None = field(default=None, repr=False)

    def flags(self) -> list[str]:
        """``--helm-kube-version`` and ``--helm-api-versions``, as ArgoCD passes them."""
        from homegen.expand.capabilities import api_versions, kube_version

        if self._apis is None:
            self._apis = api_versions(self.kubernetes_version, self.crds)
        flags = ["--helm-kube-version", kube_version(self.kubernetes_version)]
        for api in self._apis:
            flags += ["--helm-api-versions", api]
        return flags


def build_with_options(
    reader: TreeReader, folder: Path, options: BuildOptions, helm: HelmContext
) -> str:
    """The YAML ``folder`` builds to with ``options``; raises BuildFailed or NeedsNetwork."""
    inputs = check_inputs(reader, folder)
    inflate = options.enable_helm and inputs.helm_charts
    if (inflate or options.load_restrictor_none) and inputs.absolute:
        # kustomize would read an absolute path from this machine, not from the checkout
        raise BuildFailed(f"not built: {inputs.absolute[0]} is an absolute path")
    flags = options.flags()
    if not inflate:
        return build(folder, tuple(flags))
    scratch = Path(tempfile.mkdtemp(prefix="homegen-kustomize-"))
    try:
        copy = _copy_inputs(reader, inputs.paths, scratch / "repo")
        (scratch / "tmp").mkdir()
        env = {
            "TMPDIR": str(scratch / "tmp"),  # kustomize's value files land in the copy
            helmshim.ROOT_ENV: str(scratch),
            helmshim.CHARTS_ENV: os.pathsep.join(str(d) for d in helm.chart_dirs),
        }
        if helm.chart_cache is not None:
            env[helmshim.CACHE_ENV] = str(helm.chart_cache)
        flags += ["--enable-helm", "--helm-command", str(_write_shim(scratch)), *helm.flags()]
        try:
            return build(copy / _inner(reader, folder), tuple(flags), env)
        except BuildFailed as exc:
            needs = _NEEDS.search(str(exc))
            if needs:
                raise NeedsNetwork(needs[1].strip()) from None
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _inner(reader: TreeReader, path: Path) -> str:
    return os.path.relpath(os.path.realpath(path), reader.root)


def _copy_inputs(reader: TreeReader, paths: list[Path], dest: Path) -> Path:
    """Copy the build's folders and files below ``dest`` at their places in the repository;
    what the reader refuses is not copied (``check_inputs`` failed the build on it)."""
    copied: list[str] = []
    for path in sorted(paths, key=lambda p: len(_inner(reader, p))):
        inner = _inner(reader, path)
        if any(inner == c or inner.startswith(c + "/") or c == "." for c in copied):
            continue  # inside a folder already copied
        target = dest / inner
        if path.is_dir():
            reader.copy_folder(path, target)
            copied.append(inner)
            continue
        try:
            data = reader.read_bytes(path)
        except (Refused, OSError):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def _write_shim(scratch: Path) -> Path:
    """The executable kustomize runs as helm: ``version`` answered by the shell (cheap, and
    asked before every chart), the rest by ``homegen.expand.helmshim``."""
    shim = scratch / "bin" / "helm"
    shim.parent.mkdir()
    python = shlex.quote(sys.executable)
    shim.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = version ]; then echo {helmshim.VERSION}; exit 0; fi\n'
        f'exec {python} -c {shlex.quote(_MAIN)} "$@"\n'
    )
    shim.chmod(0o700)
    return shim


def chart_template(obj: dict[str, Any]) -> str:
    """The chart template an inflated object came from ("" for the build's own objects),
    taken off the object: the shim's annotation is no part of what ArgoCD applies."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return ""
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or helmshim.MARK not in annotations:
        return ""
    template = str(annotations.pop(helmshim.MARK))
    if not annotations:
        del meta["annotations"]
    return template
