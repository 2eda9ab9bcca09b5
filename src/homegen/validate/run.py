"""The engine: documents in, a ``Report`` out. Pure: no disk writes (other than the schema
download cache), no printing, findings are values.

Stages: load problems → schemas → whole-tree integrity and policy checks → exceptions
(``policy.homegen.dev/<rule id or name>: "<reason>"`` on the object) → sorted report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from homegen.appsets import Cluster
from homegen.crdschemas.catalog import Pins, pins_from_objects
from homegen.validate.engine.argocd_fields import installed_argocd
from homegen.validate.engine.registry import (
    SchemaRegistry,
    core_schemas,
    default_cache_dir,
)
from homegen.validate.engine.schema import SchemaValidators, check_schema
from homegen.validate.engine.tree_crds import TreeSchemas
from homegen.validate.exceptions import apply_exceptions
from homegen.validate.findings import (
    AppRow,
    Coverage,
    Finding,
    Located,
    Report,
    finding,
    register,
)
from homegen.validate.reader.documents import Document, classify
from homegen.validate.reader.kustomize import mark_read_only_files, resource_refs
from homegen.validate.reader.roots import choose_root
from homegen.validate.reader.tree import (
    CLUSTER_SCOPED,
    TREE_CHECKS,
    Obj,
    Tree,
    app_sources,
    app_spec,
    as_dict,
    build_tree,
)

# rule modules register their checks on import
from homegen.validate.rules import (
    app_rules,  # noqa: F401
    integrity_argocd,  # noqa: F401
    integrity_charts,  # noqa: F401
    integrity_expanded,  # noqa: F401
    integrity_gateway,  # noqa: F401
    integrity_workloads,  # noqa: F401
    policy_admission,  # noqa: F401
    policy_charts,  # noqa: F401
    policy_network,  # noqa: F401
    policy_objects,  # noqa: F401
    policy_pods,  # noqa: F401
)
from homegen.validate.rules.appsets import RepoFor, appset_generator
from homegen.validate.selection import Selection, rejected, selected
from homegen.validate.stray import drop_stray_half_objects

YAML_SYNTAX = register(
    "HG101", "yaml-syntax", "error", "fix the YAML syntax at the reported line",
    """A file that does not parse is skipped by ArgoCD's whole app: nothing in it syncs.""",
)  # fmt: skip
YAML_DUPLICATE_KEY = register(
    "HG102", "yaml-duplicate-key", "error", "remove one of the two keys",
    """YAML keeps the last of two equal keys silently; the first value never takes effect.""",
)  # fmt: skip
NOT_AN_OBJECT = register(
    "HG103", "not-an-object", "error",
    "give every document apiVersion, kind and metadata.name",
    """A document that is not a Kubernetes object cannot be applied.""",
)  # fmt: skip

FILE_UNREADABLE = register(
    "HG107", "file-unreadable", "error",
    "save it as UTF-8 YAML within the limits named, or rename it so it does not end in .yaml",
    """A file that is not UTF-8 text, too large, nested too deep or an alias bomb is not read:
    ArgoCD fails the app that syncs it, and nothing in it can be checked.""",
)  # fmt: skip

OUT_OF_BOUNDS = register(
    "HG109", "out-of-bounds", "error",
    "remove the symlink or special file, or make it point inside the repository",
    """A symlink that leaves the repository root or points into .git, a device, FIFO or
    socket is never read: ArgoCD refuses a repository with an out-of-bounds symlink, and
    reading it could print the CI runner's secrets (docs/security.md).""",
)  # fmt: skip

_PROBLEM_RULES = {
    "syntax": YAML_SYNTAX,
    "duplicate-key": YAML_DUPLICATE_KEY,
    "unreadable": FILE_UNREADABLE,
    "out-of-bounds": OUT_OF_BOUNDS,
}


@dataclass
class ValidateOptions:
    """Settings of one validation run."""

    kubernetes_version: str = "1.28"
    # tried before the built-in catalog; the online CRDs-catalog only when named here
    schema_locations: list[str] = field(default_factory=list)
    ignore_missing_schemas: bool = False
    # the tree's path inside its git repo (e.g. "kubernetes/argocd"); None: derived from the
    # root app, whose source path ends with the apps folder
    repo_root_in_git: str | None = None
    cache_dir: Path | None = None
    # the checkout ApplicationSets' git generators read, given the tree's path in the repo
    # (None: git generators are not expanded, HG224)
    repo_for: RepoFor | None = None
    clusters: tuple[Cluster, ...] = ()  # what the clusters generator yields (in-cluster if none)
    selection: Selection = field(default_factory=Selection)  # rules and kinds reported
    # the versions the tree installs, by catalog project (e.g. {"argo-cd": "v2.11.3"}, from
    # services.toml); the tree's Application sources add the others
    catalog_pins: dict[str, str] = field(default_factory=dict)
    # the expand stage's result (homegen.expand.Expansion) when it ran: its failures and
    # values-key problems become findings on the apps
    expansion: Any = None
    # StorageClasses the cluster has besides the tree's ([cluster] storage_classes, --storage-class)
    storage_classes: tuple[str, ...] = ()
    # the tree's reader (homegen.treeread.TreeReader): what it refused after the documents
    # were read (chart files, generator files) becomes findings
    reader: Any = None
    # the repository the tree is a checkout of (--repo-url, its origin); "": what its sources say
    repo_url: str = ""
    root: str = ""  # the root app's name or file (--root); "": the app that reaches the most
    # targetRevisions of this repository that are not the checkout (reader/revisions.py)
    other_revisions: frozenset[str] = frozenset()


def tree_pins(options: ValidateOptions, objects: list[dict[str, Any]]) -> Pins:
    """The catalog versions to validate against: the options' first, then the tree's."""
    pins = {**pins_from_objects(objects), **options.catalog_pins}
    return tuple(sorted(pins.items()))


_VALIDATORS: dict[tuple[str, tuple[str, ...], Path], SchemaValidators] = {}


def schema_validators(options: ValidateOptions) -> SchemaValidators:
    """Validators for these settings, shared by every run of the process (render, validate)."""
    cache_dir = options.cache_dir or default_cache_dir()
    key = (options.kubernetes_version, tuple(options.schema_locations), cache_dir)
    if key not in _VALIDATORS:
        registry = SchemaRegistry(tuple(options.schema_locations), cache_dir)
        _VALIDATORS[key] = SchemaValidators(core_schemas(options.kubernetes_version), registry)
    return _VALIDATORS[key]


def forget_validators() -> None:
    """Drop the validators built so far (the on-disk download cache stays)."""
    _VALIDATORS.clear()


def _object_of(doc: Document) -> Obj | None:
    meta = as_dict(doc.obj.get("metadata"))
    kind, api_version = doc.obj.get("kind"), doc.obj.get("apiVersion")
    if not (isinstance(kind, str) and isinstance(api_version, str) and kind and api_version):
        return None
    namespace = "" if kind in CLUSTER_SCOPED else str(meta.get("namespace") or "")
    item = Obj(doc, api_version, kind, str(meta.get("name") or ""), namespace)
    item.locate()
    return item


def _load_findings(doc: Document) -> Iterator[Finding]:
    where = Located(doc.file, doc.line, "")
    for problem in doc.problems:
        rule = _PROBLEM_RULES.get(problem.kind, NOT_AN_OBJECT)
        yield finding(rule, Located(doc.file, problem.line, ""), problem.message)
    if doc.obj and not doc.problems:
        for key in ("apiVersion", "kind"):
            wrong = _key_problem(doc.obj, key)
            if wrong:
                yield finding(NOT_AN_OBJECT, where, f"document has {wrong} {key}")


def _key_problem(obj: dict[str, Any], key: str) -> str:
    """What is wrong with ``apiVersion`` or ``kind`` ("" when it is a non-empty string)."""
    if key not in obj:
        return "no"
    value = obj[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        return "an empty"
    return "" if isinstance(value, str) else "a non-string"


# both(first, second, n): first(indices) checks those of n items (None: all), second() the rest
Pair = Callable[[Callable[[Iterable[int] | None], Any], Callable[[], Any], int], tuple[Any, Any]]


def _one_then_other(first: Callable[[None], Any], second: Callable[[], Any], n: int) -> Any:
    return first(None), second()


# the schema findings of objects: (index, where it was checked, findings), indices skipped
_Checked = tuple[list[tuple[int, Located, list[Finding]]], list[int]]


def _relocated(found: list[tuple[int, Located, list[Finding]]], items: list[Obj]) -> list[Finding]:
    """The findings, each at its object's final place (file, line, Kind/namespace/name)."""
    result: list[Finding] = []
    for i, checked_at, findings in found:
        now = items[i].where
        for item in findings:
            at = Located(item.file, item.line, item.object, item.subject)
            if now != checked_at and at == checked_at:
                item = replace(
                    item, file=now.file, line=now.line, object=now.object, subject=now.subject
                )
            result.append(item)
    return result


def _once(findings: list[Finding]) -> list[Finding]:
    """Notes (what was not checked) once per message, at their first object."""
    seen: set[str] = set()
    kept = []
    for item in findings:
        if item.severity == "info":
            if item.message in seen:
                continue
            seen.add(item.message)
        kept.append(item)
    return kept


def validate_documents(
    docs: list[Document], *, options: ValidateOptions, both: Pair = _one_then_other
) -> Report:
    """Check documents: schemas, whole-tree integrity and policy; findings sorted by location.

    The schema checks and the whole-tree checks are independent once the tree is built;
    ``both`` runs the two (render's validation process runs them in two processes).
    """
    validators = schema_validators(options)
    report = Report(files=len({d.file for d in docs}))
    findings: list[Finding] = []
    objects: list[Obj] = []
    not_objects: set[str] = set()
    kustomizations = mark_read_only_files(classify(docs))
    for doc in docs:
        if doc.skip:
            report.skipped += 1  # not a Kubernetes object (e.g. Helm values)
            not_objects.add(doc.file)
            continue
        findings.extend(_load_findings(doc))
        item = _object_of(doc)
        if item is not None:
            objects.append(item)
            if item.kind in options.selection.reject:
                findings.append(rejected(item.kind, item.where))
    report.not_object_files = len(not_objects)
    pins = tree_pins(options, [o.obj for o in objects])
    declared = options.catalog_pins.get("argo-cd")
    argocd = installed_argocd(((o.obj, o.where.file) for o in objects), kustomizations, declared)
    crds = [o.obj for o in objects if o.kind == "CustomResourceDefinition"]
    lookup = TreeSchemas(validators, crds) if crds else validators
    appset_findings: list[Finding] = []

    def schemas(items: list[Obj], indices: Iterable[int] | None = None) -> _Checked:
        found: list[tuple[int, Located, list[Finding]]] = []
        skipped: list[int] = []
        skip, ignore = options.selection.skip, options.ignore_missing_schemas
        for i in range(len(items)) if indices is None else indices:
            item = items[i]
            if item.kind in skip:
                skipped.append(i)
                continue
            checked = check_schema(lookup, item.obj, item.where, ignore, pins, argocd)
            if checked is None:
                skipped.append(i)
                continue
            listed = list(checked)
            if listed:
                found.append((i, item.where, listed))
        return found, skipped

    def whole_tree() -> tuple[Tree, _Checked, list[Finding]]:
        generate = appset_generator(options.repo_for, options.clusters, appset_findings)
        kustomize = {f: resource_refs(f, k) for f, k in kustomizations.items()}
        tree = build_tree(
            docs,
            objects,
            repo_prefix=options.repo_root_in_git,
            repo_url=options.repo_url,
            generate=generate,
            kustomize=kustomize,
            expansion=options.expansion,
            other_revisions=options.other_revisions,
        )
        choose_root(tree, options.root)
        tree.storage_classes = frozenset(options.storage_classes)
        # the Applications ApplicationSets generate are checked like hand-written ones (a
        # template that renders an invalid field fails in the controller too)
        generated = [o for o in tree.objects if o.generated_by is not None]
        return tree, schemas(generated), [f for check in TREE_CHECKS for f in check(tree)]

    # the schemas of the loaded objects need no tree: they are checked while it is built
    # (in another process when ``both`` forks); building the tree may resolve an object's
    # namespace, so their findings are moved to where the object ends up
    first, (tree, second, tree_findings) = both(partial(schemas, objects), whole_tree, len(objects))
    generated = [o for o in tree.objects if o.generated_by is not None]
    schema_findings = _relocated(first[0], objects) + _relocated(second[0], generated)
    skipped = len(first[1]) + len(second[1])
    report.skipped += skipped
    findings += _once(schema_findings) + tree_findings + appset_findings
    findings, strays = drop_stray_half_objects(findings, tree)
    report.skipped += strays
    findings += _refusal_findings(options.reader)
    if not options.selection.everything:
        findings = list(selected(findings, options.selection))
    report.findings = sorted(apply_exceptions(tree, findings), key=Finding.sort_key)
    report.resources = len(objects)
    report.objects = [
        (o.doc.file, o.doc.line, o.where.object, o.api_version, o.where.subject) for o in objects
    ]
    # what ArgoCD creates: with a root known, the apps it reaches (a stray file is no app)
    reached = tree.reached
    report.applications = [
        _app_row(app)
        for app in tree.apps()
        if reached is None or id(app.generated_by or app) in reached
    ]
    if options.expansion is not None:
        report.coverage = _coverage(report, options.expansion)
    return report


def _refusal_findings(reader: Any) -> list[Finding]:
    """What the reader refused that no document carries yet (found while expanding)."""
    if reader is None:
        return []
    found = []
    for path, refusal in sorted(reader.refusals.items()):
        if path not in reader.reported:
            rule = FILE_UNREADABLE if refusal.kind == "size" else OUT_OF_BOUNDS
            found.append(finding(rule, Located(path, 1, ""), refusal.message))
    return found


def _coverage(report: Report, expansion: Any) -> Coverage:
    """The summary's coverage: of the Applications ArgoCD creates, those not expanded."""
    names = {row.name for row in report.applications}
    skipped = dict(getattr(expansion, "skipped", {}))
    return Coverage(
        len(report.applications),
        tuple(sorted((app, why) for app, why in skipped.items() if app in names)),
        report.resources,
        tuple(getattr(expansion, "roots_unknown", ())),
    )


def _app_row(app: Obj) -> AppRow:
    source = next(iter(app_sources(app)), {})
    if source.get("chart"):
        where = f"{source.get('repoURL', '')} {source['chart']}@{source.get('targetRevision', '')}"
    else:
        where = f"{source.get('repoURL', '')} {source.get('path', '')}".strip()
    destination = as_dict(app_spec(app).get("destination"))
    origin = ""
    if app.generated_by is not None:
        origin = f"ApplicationSet/{app.generated_by.name} ({app.origin})"
    elif app.kind == "ApplicationSet":
        origin = "ApplicationSet (not expanded)"
    return AppRow(
        app.name, where, str(destination.get("namespace") or ""), app.doc.file, app.doc.line, origin
    )
