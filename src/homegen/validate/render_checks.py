"""The checks a render runs on its tree: settings in, a verdict of finding lines out.

The same checks run in render's validation process (``homegen.validate.background``) or in
the render's own process. Imported before the validator is: it imports nothing heavy itself.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from homegen.validate.findings import Finding
    from homegen.validate.reader.documents import Document
    from homegen.validate.run import ValidateOptions

# The kinds homegen's templates render (a test keeps this list complete): the child loads
# their schemas while it waits for the parent.
RENDERED_KINDS = (
    ("apps/v1", "Deployment"),
    ("argoproj.io/v1alpha1", "Application"),
    ("argoproj.io/v1alpha1", "ApplicationSet"),
    ("external-secrets.io/v1", "ExternalSecret"),
    ("gateway.networking.k8s.io/v1", "Gateway"),
    ("gateway.networking.k8s.io/v1", "GatewayClass"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"),
    ("metallb.io/v1beta1", "IPAddressPool"),
    ("metallb.io/v1beta1", "L2Advertisement"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("onepassword.com/v1", "OnePasswordItem"),
    ("v1", "ConfigMap"),
    ("v1", "Namespace"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Secret"),
    ("v1", "Service"),
)
# From this many documents the validation process splits its last step in two: a second fork
# (sharing the parsed tree) checks the schemas while it runs the whole-tree checks.
_SPLIT_DOCUMENTS = 500


@dataclass(frozen=True)
class Settings:
    """What the checks need besides the files: from the config, the plan and the CLI."""

    kubernetes_version: str
    tree_path: str
    schema_locations: tuple[str, ...] = ()  # empty: $HOMEGEN_SCHEMA_LOCATION, else none
    prefix: str = ""  # shown before each file in a finding: the output folder
    catalog_pins: tuple[tuple[str, str], ...] = ()  # e.g. (("argo-cd", "v2.11.3"),)
    chart_dirs: tuple[str, ...] = ()  # --charts: folders of charts to expand chart apps with
    storage_classes: tuple[str, ...] = ()  # [cluster] storage_classes


@dataclass(frozen=True)
class Verdict:
    """The findings of one tree as lines: warnings to show, and errors that stop the write."""

    warnings: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sources the expand stage did not expand


def check_files(files: Mapping[str, bytes], settings: Settings) -> Verdict:
    """Validate a whole in-memory tree in this process."""
    from homegen.validate.reader.documents import documents_from_texts

    return check_documents(documents_from_texts(files), settings)


def render_findings(files: Mapping[str, bytes], settings: Settings) -> list[Finding]:
    """The findings a render would report on this tree, its chart apps expanded as a render
    expands them (``settings.chart_dirs``, then $HOMEGEN_CHARTS and the chart cache)."""
    from homegen.validate.reader.documents import documents_from_texts
    from homegen.validate.run import validate_documents

    options = _options(settings)
    docs, options.expansion = _expand(documents_from_texts(files), settings, options)
    return validate_documents(docs, options=options).findings


def _options(settings: Settings) -> ValidateOptions:
    from homegen.validate.engine.registry import DEFAULT_LOCATION
    from homegen.validate.run import ValidateOptions

    locations = (
        list(settings.schema_locations) or os.environ.get("HOMEGEN_SCHEMA_LOCATION", "").split()
    )
    return ValidateOptions(
        kubernetes_version=settings.kubernetes_version,
        # then the built-in catalog; the online one only when named (`default`)
        schema_locations=[DEFAULT_LOCATION if loc == "default" else loc for loc in locations],
        # a render must work offline (pre-commit): a CRD kind whose schema cannot be found
        # is skipped; `homegen validate` is where a missing schema fails
        ignore_missing_schemas=True,
        repo_root_in_git=settings.tree_path,
        catalog_pins=dict(settings.catalog_pins),
        storage_classes=settings.storage_classes,
    )


def check_documents(docs: list[Document], settings: Settings, *, forked: bool = False) -> Verdict:
    from homegen.validate.output import text_line
    from homegen.validate.run import validate_documents

    options = _options(settings)
    docs, options.expansion = _expand(docs, settings, options)
    if forked and len(docs) >= _SPLIT_DOCUMENTS:
        report = validate_documents(docs, options=options, both=in_two_processes)
    else:
        report = validate_documents(docs, options=options)
    prefix = settings.prefix
    return Verdict(
        warnings=[
            text_line(f, prefix)
            for f in report.findings
            if f.severity == "warning" and f.suppressed_reason is None
        ],
        failing=[text_line(f, prefix) for f in report.findings if f.failing],
        notes=list(options.expansion.notes) if options.expansion is not None else [],
    )


def _expand(
    docs: list[Document], settings: Settings, options: ValidateOptions
) -> tuple[list[Document], Any]:
    """The expand stage over the rendered tree (held in memory: no kustomize builds)."""
    from homegen.charts.local import chart_dirs_from_env as chart_dirs
    from homegen.expand import ExpandSettings, expand_tree
    from homegen.expand.cache import default_cache_dir

    expansion = expand_tree(
        docs,
        ExpandSettings(
            kubernetes_version=settings.kubernetes_version,
            repo_prefix=settings.tree_path,
            chart_dirs=chart_dirs([Path(d) for d in settings.chart_dirs]),
            cache_dir=default_cache_dir(),
        ),
    )
    return expansion.documents, expansion


def in_two_processes(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """first() in a forked grandchild, second() here, at the same time.

    Only the validation process calls this, once the tree is parsed: the grandchild shares
    the parsed tree (copy on write) and sends back only its result. If it fails, first()
    runs here after all: the split is a speed-up, never a new way to fail.
    """
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(readable)
            data = pickle.dumps(first(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(writable, view) :]
        finally:
            os._exit(0)
    os.close(writable)
    try:
        result = second()
    finally:
        with os.fdopen(readable, "rb") as answer:
            data = answer.read()
        os.waitpid(pid, 0)
    try:
        return pickle.loads(data), result
    except Exception:  # the grandchild died or sent nothing
        return first(), result


def warm_up(guess: Settings) -> None:
    """Load the schemas of the kinds homegen renders, for the guessed settings, and compile
    their CEL rules (the CEL runtime's import and compiles: ~50 ms off the render's path).

    CRD schemas only from local folders: a guess must not download anything. A wrong guess
    costs nothing but this process's idle time: the parent's settings decide.
    """
    from homegen.validate.engine.registry import split_api_version
    from homegen.validate.engine.schema import KindValidator
    from homegen.validate.findings import Located
    from homegen.validate.run import schema_validators

    options = _options(guess)
    local = all(os.path.isdir(location) for location in options.schema_locations)
    validators = schema_validators(options)
    nowhere = Located("", 0, "")
    for api_version, kind in RENDERED_KINDS:
        if local or split_api_version(api_version)[0] in validators.core.groups:
            found = validators.lookup(api_version, kind, nowhere)
            if isinstance(found, KindValidator) and found.rules is not None:
                found.rules.warm()
