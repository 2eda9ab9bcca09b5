"""Kustomize folders as ArgoCD reads them: which files a kustomization pulls in (resources,
components, bases: synced by the app that syncs the folder) and which it only reads (patches,
generator inputs: never applied on their own, so not checked as objects)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from homegen.validate.reader.documents import KUSTOMIZE_FILES, Document

_RESOURCE_KEYS = ("resources", "bases", "components")
_PATCH_LIST_KEYS = ("patches", "patchesJson6902", "replacements")
_CONFIG_KEYS = ("transformers", "generators", "validators", "configurations", "crds")


def kustomizations(docs: list[Document]) -> dict[str, dict[str, Any]]:
    """Folder → its kustomization (the documents of ``kustomization.yaml`` files)."""
    found: dict[str, dict[str, Any]] = {}
    for doc in docs:
        folder, _, name = doc.file.rpartition("/")
        if name in KUSTOMIZE_FILES and doc.obj and not doc.problems and doc.origin is None:
            found[folder] = doc.obj
    return found


def _local(folder: str, ref: Any) -> str | None:
    """A reference as a tree path; None for URLs and other repositories."""
    if not isinstance(ref, str) or not ref.strip() or "://" in ref or ref.startswith("github.com"):
        return None
    path = posixpath.normpath(posixpath.join(folder, ref.strip()))
    return None if path.startswith("..") else ("" if path == "." else path)


def resource_refs(folder: str, kustomization: dict[str, Any]) -> list[str]:
    """The files and folders a kustomization takes resources from, as tree paths."""
    refs = []
    for key in _RESOURCE_KEYS:
        items = kustomization.get(key)
        for ref in items if isinstance(items, list) else []:
            path = _local(folder, ref)
            if path is not None:
                refs.append(path)
    return refs


def _read_only_refs(folder: str, kustomization: dict[str, Any]) -> Iterator[str | None]:
    strategic = kustomization.get("patchesStrategicMerge")
    for ref in strategic if isinstance(strategic, list) else []:
        yield _local(folder, ref)
    for key in _PATCH_LIST_KEYS:
        items = kustomization.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                yield _local(folder, item.get("path"))
    for key in _CONFIG_KEYS:
        items = kustomization.get(key)
        for ref in items if isinstance(items, list) else []:
            yield _local(folder, ref)
    for key in ("configMapGenerator", "secretGenerator"):
        items = kustomization.get(key)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            for entry in [*(item.get("files") or []), *(item.get("envs") or [])]:
                if isinstance(entry, str):
                    yield _local(folder, entry.rpartition("=")[2])


def mark_read_only_files(docs: list[Document]) -> dict[str, dict[str, Any]]:
    """Mark the documents of patches and generator inputs as not objects; return the
    kustomizations found (folder → kustomization)."""
    found = kustomizations(docs)
    if not found:
        return found
    read_only = {
        path
        for folder, kustomization in found.items()
        for path in _read_only_refs(folder, kustomization)
        if path
    }
    for doc in docs:
        if doc.file in read_only and not doc.skip:
            doc.skip = "Kustomize patch or generator input"
    return found


def namespace_named(obj: Any, file: str) -> str:
    """The namespace a document of the tree names ("" if none): a kustomization's
    ``namespace:``, a Namespace's name, an object's ``metadata.namespace``."""
    if not isinstance(obj, dict):
        return ""
    if posixpath.basename(file) in KUSTOMIZE_FILES:
        named = obj.get("namespace")
    else:
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        named = meta.get("name") if obj.get("kind") == "Namespace" else meta.get("namespace")
    return named if isinstance(named, str) else ""
