"""The last step of an import: render the new services.toml in memory and settle what only a
render shows — objects homegen generates itself, policy findings of the imported objects
(each becomes an ``imported:`` exception), the sync order, and the share reproduced."""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING, Any

from homegen.errors import ConfigError
from homegen.importer.apps import ImportedApp
from homegen.importer.compare import Comparison, compare, strip_added
from homegen.importer.exceptions import findings_of, imported_exceptions
from homegen.importer.location import Location
from homegen.importer.report import Report
from homegen.importer.result import ImportResult
from homegen.importer.source import SourceTree, read_files
from homegen.importer.tomltext import Path, toml_text
from homegen.validate.reader.tree import CLUSTER_SCOPED, as_dict

if TYPE_CHECKING:
    from homegen.pipeline import Rendered


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
    comments = _comments(apps)
    _string_keys(data, (), report)
    try:
        _drop_generated(data, apps, comments, head, report)
        _detect_services(data, apps, comments, head, report)
        rendered = _render(data, comments, head)
        for _ in range(3):  # an exception can uncover a finding the first one hid
            if not imported_exceptions(data, rendered, report, tree.chart_dirs):
                break
            rendered = _render(data, comments, head)
        _check_findings(rendered, report, tree.chart_dirs)
    except ConfigError as exc:
        for line in exc.lines():
            report.add("warning", "services.toml", f"does not load: {line}")
        return ImportResult(toml_text(data, comments, head), data, report, loc)
    _check_order(apps, rendered, report)
    comparison = _compare(tree, loc, rendered)
    for label, why in comparison.missing:
        report.add("not-reproduced", label, why)
    for label, why in comparison.bootstrap:
        if why:
            report.add("not-reproduced", label, f"{why} (a root applied at bootstrap: not counted)")
    report.add(
        "imported",
        "tree",
        f"{len(comparison.reproduced)} of {comparison.total} source objects reproduced "
        f"({comparison.share:.0%}) by a render of this services.toml (the objects the tree's "
        f"Applications apply; {len(comparison.unsynced)} YAML object(s) no Application "
        f"applies are not counted; {_roots_text(comparison)})",
    )
    comments.update(_object_comments(data, apps, tree))
    return ImportResult(toml_text(data, comments, head), data, report, loc, comparison)


def _roots_text(comparison: Comparison) -> str:
    """How the roots applied at bootstrap compare (outside the share)."""
    same = sum(1 for _, why in comparison.bootstrap if not why)
    return f"root apps applied at bootstrap: {same} of {len(comparison.bootstrap)} the same"


def _object_comments(
    data: dict[str, Any], apps: dict[str, ImportedApp], tree: SourceTree
) -> dict[Path, list[str]]:
    """The comments of each imported manifest, above the keys they were written above."""
    from homegen.importer.values import comments_by_key

    found: dict[Path, list[str]] = {}
    for name, app in apps.items():
        objects = data["apps"].get(name, {}).get("objects", [])
        if len(objects) != len(app.objects):
            continue
        for i, (doc, _) in enumerate(app.objects):
            region = _document_text(tree.texts.get(doc.file, ""), doc.line)
            for path, lines in comments_by_key(region).items():
                found[("apps", name, "objects", i, *path)] = lines
    return found


def _document_text(text: str, line: int) -> str:
    """The lines of the YAML document that starts at ``line``, from the '---' before it."""
    lines = text.splitlines()
    start = line - 1
    while start > 0 and not lines[start - 1].startswith("---"):
        start -= 1
    end = line
    while end < len(lines) and not lines[end].startswith("---"):
        end += 1
    return "\n".join(lines[start:end])


def _string_keys(value: Any, path: tuple[str, ...], report: Report) -> None:
    """TOML keys are strings: a YAML key that is a number or boolean becomes its text."""
    if isinstance(value, list):
        for item in value:
            _string_keys(item, path, report)
    if not isinstance(value, dict):
        return
    for key in list(value):
        text = str(key).lower() if isinstance(key, bool) else str(key)
        if not isinstance(key, str):
            report.add(
                "inferred",
                ".".join(path) or "services.toml",
                f"key {key!r} written as the string {text!r} (TOML keys are strings)",
            )
            value[text] = value.pop(key)
        _string_keys(value[text], (*path, text), report)


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


_CARRIED = (
    "application",
    "namespace",
    "tier",
    "after",
    "description",
    "sync_options",
    "manage_namespace",
    "pod_security",
)


def _detect_services(
    data: dict[str, Any],
    apps: dict[str, ImportedApp],
    comments: dict[Path, list[str]],
    head: list[str],
    report: Report,
) -> None:
    """An app holding just a Deployment and its Service of the app's name becomes
    [services.NAME] when homegen renders both exactly as the tree has them."""
    from homegen.importer.services import service_candidate

    for name, app in sorted(apps.items()):
        table = data["apps"].get(name)
        pair = _pair(name, app) if table is not None else None
        if pair is None or any(k in table for k in ("helm", "git", "generator")):
            continue
        deployment, service = pair
        if set(table) - {*_CARRIED, "objects", "secrets"}:
            continue  # a key a service has not (ignore_differences ...) would be lost
        candidate = {k: table[k] for k in _CARRIED if k in table}
        candidate.update(service_candidate(deployment, service))
        _known_vaults(candidate, table.get("secrets", []))
        refs = set(candidate.get("secret_env", {}).values())
        if not set(table.get("secrets", [])) <= refs:
            continue
        trial = {**data, "apps": {n: t for n, t in data["apps"].items() if n != name}}
        trial["services"] = {**data.get("services", {}), name: candidate}
        moved: dict[Path, list[str]] = {
            (("services", *k[1:]) if k[:2] == ("apps", name) else k): v for k, v in comments.items()
        }
        why = _same_workload(
            trial, moved, head, name, table["namespace"], (deployment, service, app)
        )
        subject = f"Deployment/{name} + Service/{name}"
        if why:
            report.add(
                "inferred",
                subject,
                f"kept as objects of app {name}: homegen's rendering "
                f"of [services.{name}] would differ ({why})",
            )
            continue
        data.clear()
        data.update(trial)
        comments.clear()
        comments.update(moved)
        report.add(
            "imported",
            subject,
            f"→ [services.{name}]: homegen renders both exactly as the tree has them",
        )
        for var, ref in sorted(candidate.get("secret_env", {}).items()):
            if not ref.startswith("op://Imported/"):
                continue
            report.add(
                "secret",
                f"services.{name}.secret_env.{var}",
                f"{ref}: fill in the 1Password vault and item (read from the env's secretKeyRef)",
            )


def _known_vaults(candidate: dict[str, Any], secrets: list[str]) -> None:
    """A secret_env reference the import made up takes the app's reference of the same item
    and field (whose vault is known, e.g. from bootstrap/setup-secrets.sh)."""
    by_item = {_item_field(r): r for r in secrets}
    for var, ref in candidate.get("secret_env", {}).items():
        candidate["secret_env"][var] = by_item.get(_item_field(ref), ref)


def _item_field(ref: str) -> tuple[str, str]:
    """(item, field) of an op://vault/item/[section/]field reference."""
    parts = ref.removeprefix("op://").split("/")
    return parts[1], parts[-1]


def _pair(name: str, app: ImportedApp) -> tuple[dict[str, Any], dict[str, Any]] | None:
    kinds = {
        (str(o.get("kind")), str(as_dict(o.get("metadata")).get("name"))): o
        for _, o in app.objects
        if o.get("kind") != "NetworkPolicy"  # homegen's own are compared in _same_workload
    }
    if set(kinds) != {("Deployment", name), ("Service", name)}:
        return None
    return kinds[("Deployment", name)], kinds[("Service", name)]


def _same_workload(
    trial: dict[str, Any],
    comments: dict[Path, list[str]],
    head: list[str],
    name: str,
    namespace: str,
    source: tuple[dict[str, Any], dict[str, Any], ImportedApp],
) -> str | None:
    """None when the trial config renders the same Deployment, Service and NetworkPolicies;
    else why not."""
    from homegen.importer.services import policies_differ

    deployment, service, app = source
    try:
        rendered = _render(trial, comments, head)
    except ConfigError as exc:
        return exc.lines()[0]
    out = {}
    for path in (f"manifests/{name}/deployment.yaml", f"manifests/{name}/service.yaml"):
        for doc in read_files({path: rendered.files.get(path, b"").decode()}).docs:
            out[doc.obj.get("kind")] = doc.obj
    policies = {
        path: data.decode()
        for path, data in rendered.files.items()
        if path.startswith(f"manifests/{name}/networkpolicy-")
    }
    mine = [o for _, o in app.objects if o.get("kind") == "NetworkPolicy"]
    why = policies_differ(mine, [d.obj for d in read_files(policies).docs])
    diffs = [why] if why else []
    for kind, obj in (("Deployment", deployment), ("Service", service)):
        key = (kind, namespace, name)
        a, b = _workload_view(obj, key), _workload_view(out.get(kind, {}), key)
        diffs += [f"{kind} {k}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    return ", ".join(diffs) or None


def _workload_view(obj: dict[str, Any], key: tuple[str, str, str]) -> dict[str, Any]:
    """strip_added, with an empty pod-template annotations map taken as absent."""
    from homegen.importer.compare import placed

    view = strip_added(placed(obj, key))
    template = as_dict(as_dict(view.get("spec")).get("template"))
    meta = as_dict(template.get("metadata"))
    if "annotations" in meta and not meta["annotations"]:
        meta = {k: v for k, v in meta.items() if k != "annotations"}
        template = {**template, "metadata": meta}
        view = {**view, "spec": {**view["spec"], "template": template}}
    return {**view.get("spec", {}), "metadata": view.get("metadata")}


def _check_findings(
    rendered: Rendered, report: Report, chart_dirs: tuple[pathlib.Path, ...]
) -> None:
    for f in findings_of(rendered, chart_dirs):
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
