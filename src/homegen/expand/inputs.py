"""Which files of the tree a kustomize build reads, and what its inputs name: a file beside a
kustomization that it never names stays a file of the tree."""

from __future__ import annotations

import posixpath
from typing import Any

from homegen.validate.reader.documents import Document
from homegen.validate.reader.kustomize import namespace_named


def unnamed_files(docs: list[Document]) -> set[str]:
    """Files beside a kustomization that it never names (as a resource, a patch, a generator
    input...): the build does not read them, so they stay files of the tree. A root
    Application bootstrapped from the folder of ArgoCD's own install is the usual one."""
    named: dict[str, set[str]] = {}
    for doc in docs:
        folder, _, name = doc.file.rpartition("/")
        kustomization = name in ("kustomization.yaml", "kustomization.yml")
        if kustomization and doc.origin is None and not doc.problems:  # else: all are read
            named[folder] = {
                posixpath.normpath(posixpath.join(folder, text.rpartition("=")[2].strip()))
                for text in _strings(doc.obj)
            }
    return {
        doc.file
        for doc in docs
        if doc.origin is None
        and doc.file.rpartition("/")[0] in named
        and doc.file.rpartition("/")[2] not in ("kustomization.yaml", "kustomization.yml")
        and doc.file not in named[doc.file.rpartition("/")[0]]
    }


def _strings(value: Any) -> list[str]:
    """Every string inside a parsed YAML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def namespaces_named(docs: list[Document], inputs: set[str], unlisted: set[str]) -> set[str]:
    """The namespaces a build's inputs name: their objects', the Namespaces they create and
    each kustomization's ``namespace:``."""
    found: set[str] = set()
    for doc in docs:
        if doc.problems or not under(doc.file, inputs) or doc.file in unlisted:
            continue
        named = namespace_named(doc.obj, doc.file)
        if named:
            found.add(named)
    return found


def under(file: str, folders: set[str]) -> bool:
    return any(f == "" or file == f or file.startswith(f + "/") for f in folders)
