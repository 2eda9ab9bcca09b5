"""The last step of an import: render the new services.toml in memory and settle what only a
render shows — objects homegen generates itself, policy findings of the imported objects
(each becomes an ``imported:`` exception), the sync order, and the share reproduced."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from homegen.errors import ConfigError
from homegen.importer.apps import ImportedApp
from homegen.importer.compare import compare, strip_added
from homegen.importer.location import Location
from homegen.importer.report import Report
from homegen.importer.source import SourceTree, read_files
from homegen.importer.tomltext import Path, toml_text
from homegen.validate.tree import CLUSTER_SCOPED, as_dict

if TYPE_CHECKING:
    from homegen.importer.core import ImportResult
    from homegen.pipeline import Rendered

POLICY_PREFIX = "HG3"


def _render(data: dict[str, Any], comments: dict[Path, list[str]], head: list[str]) -> Rendered:
    from homegen.pipeline import render_bytes

    return render_bytes(toml_text(data, comments, head).encode(), "services.toml")


def _comments(apps: dict[str, ImportedApp]) -> dict[Path, list[str]]:
    found: dict[Path, list[str]] = {}
    for app in apps.values():
        if app.doc.file:
            found[("apps", app.name)] = [
                f"from {app.doc.file} ({app.doc.obj.get('kind')} {app.name})"
            ]
        for path, lines in app.comments.items():
            found[("apps", app.name, *path)] = lines
    return found


def finish(
    data: dict[str, Any],
    apps: dict[str, ImportedApp],
    tree: SourceTree,
    loc: Location,
    report: Report,
    head: list[str],
) -> ImportResult:
    """Settle the data against an in-memory render; the text and report."""
    from homegen.importer.core import ImportResult

    comments = _comments(apps)
    try:
        _drop_generated(data, apps, comments, head, report)
        rendered = _render(data, comments, head)
        if _policy_exceptions(data, rendered, report):
            rendered = _render(data, comments, head)
        _check_findings(rendered, report)
    except ConfigError as exc:
        for line in exc.lines():
            report.add("warning", "services.toml", f"does not load: {line}")
        return ImportResult(toml_text(data, comments, head), data, report, loc)
    _check_order(apps, rendered, report)
    comparison = _compare(tree, loc, rendered)
    for label, why in comparison.missing:
        report.add("not-reproduced", label, why)
    report.add(
        "imported",
        "tree",
        f"{len(comparison.reproduced)} of {comparison.total} source objects "
        f"reproduced ({comparison.share:.0%}) by a render of this services.toml",
    )
    return ImportResult(toml_text(data, comments, head), data, report, loc, comparison)


def _key(obj: dict[str, Any], namespace: str) -> tuple[str, str, str]:
    kind, meta = str(obj.get("kind")), as_dict(obj.get("metadata"))
    ns = "" if kind in CLUSTER_SCOPED else str(meta.get("namespace") or namespace)
    return kind, ns, str(meta.get("name"))


def _drop_generated(
    data: dict[str, Any],
    apps: dict[str, ImportedApp],
    comments: dict[Path, list[str]],
    head: list[str],
    report: Report,
) -> None:
    """Objects homegen renders itself (a Namespace, a route grant, a repository Secret) are
    dropped from ``objects``: kept, they would be defined twice."""
    bare = {
        **data,
        "apps": {
            n: {k: v for k, v in t.items() if k != "objects"} for n, t in data["apps"].items()
        },
    }
    generated: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path, text in _render(bare, comments, head).files.items():
        for doc in read_files({path: text.decode()}).docs:
            generated[_key(doc.obj, "")] = doc.obj
    for app in apps.values():
        kept = []
        for doc, obj in app.objects:
            key = _key(obj, str(app.table.get("namespace")))
            twin = generated.get(key)
            if twin is None:
                kept.append((doc, obj))
                continue
            label = "/".join(p for p in key if p)
            if strip_added(twin) == strip_added(obj):
                report.add(
                    "imported", label, "homegen generates the same object", doc.file, doc.line
                )
            else:
                report.add(
                    "not-expressed",
                    label,
                    "homegen generates an object of this name "
                    "with other content; the generated one replaces it",
                    doc.file,
                    doc.line,
                )
        app.objects = kept
        if kept:
            app.table["objects"] = [obj for _, obj in kept]
        else:
            app.table.pop("objects", None)


def _folder_owners(rendered: Rendered) -> dict[str, str]:
    owners: dict[str, str] = {}
    for app in rendered.plan.apps:
        owners[f"manifests/{app.folder}/"] = app.name
        owners[f"apps/{app.name}.yaml"] = app.name
    return owners


def _owner(file: str, owners: dict[str, str]) -> str | None:
    return next((name for prefix, name in owners.items() if file.startswith(prefix)), None)


def _policy_exceptions(data: dict[str, Any], rendered: Rendered, report: Report) -> bool:
    """An ``imported:`` exception for every policy finding on an imported object."""
    owners = _folder_owners(rendered)
    added = False
    by_app: dict[tuple[str, str], list[str]] = {}
    for f in _findings(rendered):
        app = _owner(f.file, owners)
        if app is None or app not in data["apps"]:
            continue
        if not f.rule.startswith(POLICY_PREFIX) or f.suppressed_reason:
            continue
        by_app.setdefault((app, f.rule), []).append(f"{f.object}: {f.message}")
    for (app, rule), what in sorted(by_app.items()):
        reason = "imported: " + "; ".join(sorted(set(what)))
        data["apps"][app].setdefault("policy_exceptions", {})[rule] = reason
        report.add("inferred", f"apps.{app}.policy_exceptions.{rule}", reason)
        added = True
    return added


def _findings(rendered: Rendered) -> list[Any]:
    from homegen.validate.documents import documents_from_texts
    from homegen.validate.engine import ValidateOptions, validate_documents

    options = ValidateOptions(
        kubernetes_version=rendered.config.cluster.kubernetes_version,
        schema_locations=os.environ.get("HOMEGEN_SCHEMA_LOCATION", "").split(),
        ignore_missing_schemas=True,
        repo_root_in_git=rendered.plan.tree_path,
    )
    return validate_documents(documents_from_texts(rendered.files), options=options).findings


def _check_findings(rendered: Rendered, report: Report) -> None:
    for f in _findings(rendered):
        if f.failing:
            report.add(
                "warning", f.object or f.file, f"the first render will fail: {f.rule} {f.message}"
            )


def _check_order(apps: dict[str, ImportedApp], rendered: Rendered, report: Report) -> None:
    waves = {a.name: a.wave for a in rendered.plan.apps}
    names = sorted(n for n in apps if n in waves and apps[n].doc.file)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            before = (apps[a].wave > apps[b].wave) - (apps[a].wave < apps[b].wave)
            after = (waves[a] > waves[b]) - (waves[a] < waves[b])
            if before != after:
                report.add(
                    "warning",
                    f"{a}, {b}",
                    f"sync order differs: waves {apps[a].wave}/"
                    f"{apps[b].wave} in the tree, {waves[a]}/{waves[b]} rendered",
                )


def _compare(tree: SourceTree, loc: Location, rendered: Rendered) -> Any:
    texts = {p: b.decode() for p, b in rendered.files.items() if p.endswith((".yaml", ".yml"))}
    out = read_files(texts)
    plan = rendered.plan
    out_loc = Location(plan.repo_url, plan.revision, plan.tree_path)
    secrets = {(s.namespace, s.name, key) for s in plan.all_secrets for key, _ in s.keys}
    return compare(tree, loc, out, out_loc, secrets)
