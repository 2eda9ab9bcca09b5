"""Sync waves → ``after`` edges and tiers that give homegen's waves the same order."""

from __future__ import annotations

from homegen.importer.apps import ImportedApp
from homegen.importer.argofields import history_field
from homegen.importer.report import Report


def order_apps(apps: dict[str, ImportedApp], report: Report) -> None:
    """Set ``after`` (and ``tier``) on every app table.

    A tree rendered by homegen says its edges and tiers (homegen.dev/after, /tier); they are
    kept. Otherwise each app comes after every app of the wave just below its own: homegen's
    waves are then the source's, renumbered from 0, in the same order. Every app is infra:
    homegen puts regular apps after all infrastructure, which would reorder the tree.
    """
    placeholders = [a for a in apps.values() if not a.doc.file]  # added by the import
    for app in placeholders:
        app.table["tier"] = "infra"
    apps = {n: a for n, a in apps.items() if a.doc.file}
    if apps and all(a.tier is not None for a in apps.values()):
        for app in apps.values():
            app.table["tier"] = app.tier
            history_field(app, str(app.tier))
            kept = [a for a in app.after or [] if a in apps]
            if kept:
                app.table["after"] = kept
        report.add(
            "inferred",
            "after",
            "kept from the homegen.dev/after and homegen.dev/tier "
            "annotations (this tree was rendered by homegen)",
        )
        return
    waves = sorted({a.wave for a in apps.values()})
    below = {w: waves[i - 1] for i, w in enumerate(waves) if i}
    for app in apps.values():
        app.table["tier"] = "infra"
        history_field(app, "infra")
        if app.wave in below:
            deps = sorted(n for n, a in apps.items() if a.wave == below[app.wave])
            app.table["after"] = deps
            report.add(
                "inferred",
                app.subject,
                f"sync-wave {app.wave} → after {', '.join(deps)} (wave {below[app.wave]})",
                app.doc.file,
                app.doc.line,
            )
