"""The ``helm`` that kustomize runs to inflate ``helmCharts:``, answered by homegen.

``kubectl kustomize --enable-helm --helm-command SHIM`` runs, per chart (kustomize 5.5):
``version -c --short``, then ``pull --untar --untardir DIR [--repo URL] NAME [--version V]``
when the chart is not in its chart home, then ``template RELEASE CHART --namespace NS -f
VALUES... [--api-versions V]... [--kube-version V] [--include-crds] [--skip-tests]
[--no-hooks]``. This module answers ``pull`` from the chart folders and the chart cache
(never the network) and ``template`` with homegen's Helm engine (its worker, with its memory
and time limits), so no helm binary is needed.

Every path kustomize passes must lie inside the build's scratch copy (``HOMEGEN_HELM_ROOT``):
the copy was made through the tree reader, and kustomize writes its value files there too
(its TMPDIR). A failure is one stderr line kustomize wraps into its error:
``homegen-helm needs: WHAT`` (not available offline) or ``homegen-helm failed: WHY``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT_ENV = "HOMEGEN_HELM_ROOT"
CHARTS_ENV = "HOMEGEN_HELM_CHARTS"  # os.pathsep-separated chart folders (--charts)
CACHE_ENV = "HOMEGEN_HELM_CACHE"
NEEDS = "homegen-helm needs: "
FAILED = "homegen-helm failed: "
VERSION = "v3.17.0+homegen"  # kustomize accepts Helm 3 or 4
# on every object the shim prints: the chart template it came from (the expand stage takes it
# off again; kustomize keeps annotations through its transformers, names and namespaces not)
MARK = "homegen.dev/helm-template"
# a hook annotation in block or flow style (a text test: the document is not parsed twice)
_HOOK = re.compile(r"""helm\.sh/hook["']?\s*:\s*["']?([\w, -]*)""")


class ShimError(Exception):
    """What the shim tells kustomize (the message is the whole stderr line)."""


def _inside(path: str) -> Path:
    """``path``, which must lie inside the build's scratch copy."""
    root = os.path.realpath(os.environ[ROOT_ENV])
    real = os.path.realpath(path)
    if real != root and not real.startswith(root + os.sep):
        raise ShimError(f"{FAILED}{path} is outside the build")
    return Path(real)


def pull(args: list[str]) -> None:
    """``helm pull``: copy the chart from a chart folder or the cache into the untar folder."""
    from homegen.charts import ChartRef, ChartSearch, locate_chart
    from homegen.charts.cache import ChartCache, default_cache_root

    parser = argparse.ArgumentParser(prog="helm pull", add_help=False, allow_abbrev=False)
    parser.add_argument("chart")
    parser.add_argument("--untar", action="store_true")
    parser.add_argument("--untardir", required=True)
    parser.add_argument("--repo", default="")
    parser.add_argument("--version", default="")
    parsed, _rest = parser.parse_known_args(args)
    repo, name = parsed.repo, str(parsed.chart)
    if not repo and name.startswith("oci://"):
        repo, _, name = name.rpartition("/")
    wanted = f"{repo} {name}@{parsed.version}" if parsed.version else f"{repo} {name}"
    untar = _inside(parsed.untardir)
    dirs = [Path(d) for d in os.environ.get(CHARTS_ENV, "").split(os.pathsep) if d]
    cache = ChartCache(
        Path(os.environ[CACHE_ENV]) if CACHE_ENV in os.environ else default_cache_root()
    )
    search = ChartSearch(tuple(dirs), cache, online=False)
    found = locate_chart(ChartRef(repo, name, parsed.version), search, download=False)
    if found.path is None:
        raise ShimError(f"{NEEDS}{wanted.strip()}")
    untar.mkdir(parents=True, exist_ok=True)
    shutil.copytree(found.path, untar / name, symlinks=True)


def _template_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helm template", add_help=False, allow_abbrev=False)
    parser.add_argument("names", nargs="*")
    parser.add_argument("--namespace", "-n", default="default")
    parser.add_argument("--values", "-f", action="append", default=[])
    parser.add_argument("--api-versions", "-a", action="append", default=[])
    parser.add_argument("--kube-version", default="")
    for flag in ("--include-crds", "--skip-tests", "--no-hooks", "--generate-name", "--debug"):
        parser.add_argument(flag, action="store_true")
    parser.add_argument("--name-template", default="")
    parsed, _rest = parser.parse_known_args(args)
    return parsed


def template(args: list[str]) -> str:
    """``helm template``: the manifests, as Helm prints them."""
    from homegen.expand.capabilities import kube_version
    from homegen.expand.helm import ChartFailed, EngineMissing, render_chart

    parsed = _template_args(args)
    names = list(parsed.names)
    if not names:
        raise ShimError(f"{FAILED}no chart named")
    # helm template's name when --generate-name is asked: a fixed one, so runs compare
    release = names[0] if len(names) > 1 else "release-name"
    chart = _inside(names[-1])
    values = _values([_inside(v) for v in parsed.values])
    kube = kube_version(parsed.kube_version or "1.28")
    try:
        rendered = render_chart(
            chart, values, release=release, namespace=parsed.namespace,
            kube_version=kube, api_versions=parsed.api_versions,
        )  # fmt: skip
    except (ChartFailed, EngineMissing) as exc:
        raise ShimError(FAILED + " ".join(str(exc).split())) from None
    files = list(rendered.crds) if parsed.include_crds else []
    out = []
    for name, text in [*files, *rendered.templates]:
        if parsed.skip_tests or parsed.no_hooks:
            documents = ("\n" + text).split("\n---")
            text = "\n---".join(
                d for d in documents if _keep(d, parsed.skip_tests, parsed.no_hooks)
            )
        if text.strip():
            out.append(f"---\n# Source: {name}\n{_marked(text, name)}")
    return "".join(out)


def _marked(text: str, template: str) -> str:
    """The documents of one template, each object annotated with MARK (a text that is no
    YAML goes as it is: kustomize reports it)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    try:
        documents = [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    except yaml.YAMLError:
        return text.strip("\n") + "\n"
    for document in documents:
        meta = document.get("metadata") if isinstance(document, dict) else None
        if isinstance(meta, dict):
            if meta.get("annotations") is None:
                meta["annotations"] = {}
            if isinstance(meta["annotations"], dict):
                meta["annotations"][MARK] = template
    dumped: str = yaml.dump_all(documents, Dumper=dumper, sort_keys=False)
    return dumped


def _keep(document: str, skip_tests: bool, no_hooks: bool) -> bool:
    """Whether ``helm template`` prints a document with these flags (hooks are printed)."""
    hook = _HOOK.search(document)
    if hook is None:
        return True
    return not no_hooks and not (skip_tests and "test" in hook[1])


def _values(files: list[Path]) -> dict[str, Any]:
    """The value files kustomize wrote, merged in order (later wins), with a tree file's limits."""
    import yaml

    from homegen.expand.setvalues import merge_values
    from homegen.validate.reader.documents import load_one

    layers = []
    for path in files:
        try:
            loaded = load_one(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ShimError(
                f"{FAILED}value file {path.name}: {' '.join(str(exc).split())}"
            ) from None
        if isinstance(loaded, dict):
            layers.append(loaded)
    return merge_values({}, *layers)


def main(argv: list[str] | None = None) -> int:
    """Answer one helm command line; exit 0, or 1 with the one-line message on stderr."""
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else ""
    try:
        if command == "version":
            print(VERSION)
        elif command == "pull":
            pull(args[1:])
        elif command == "template":
            sys.stdout.write(template(args[1:]))
        else:
            raise ShimError(f"{FAILED}helm {command} is not supported")
    except ShimError as exc:
        print(exc, file=sys.stderr)
        return 1
    except (OSError, KeyError) as exc:
        print(f"{FAILED}{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def run() -> int:
    """The shim's process: killed with kustomize (which homegen kills at its time limit),
    then ``main``. The engine worker it starts dies with it in turn."""
    from homegen.helm_worker import die_with_parent

    os.environ.pop("HOMEGEN_ENGINE_PARENT", None)  # the parent is kustomize: no pid to compare
    die_with_parent()
    return main()
