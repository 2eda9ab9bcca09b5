"""Small in-memory trees of workloads for the pod rules: a hardened pod spec, one change to
it at a time, and the tree built around it (no files, no schemas: the rules alone)."""

from __future__ import annotations

import copy
from typing import Any

from homegen.expand.model import Origin
from homegen.validate.reader.documents import Document
from homegen.validate.reader.tree import CLUSTER_SCOPED, Obj, Tree, build_tree

DELETE = object()  # a change that removes the key

HARDENED_CONTAINER: dict[str, Any] = {
    "name": "web",
    "image": "web:1.0.0",
    "ports": [{"name": "http", "containerPort": 8080}],
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    },
    "resources": {
        "requests": {"cpu": "100m", "memory": "64Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    },
    "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
    "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
}
HARDENED_POD: dict[str, Any] = {
    "automountServiceAccountToken": False,
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "fsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "containers": [HARDENED_CONTAINER],
}
# the volume types Pod Security restricted allows (written out: not the rules' own list)
RESTRICTED_VOLUME_TYPES = [
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
    "projected", "secret",
]  # fmt: skip
# some of the others (hostPath is HG306's: it is the node's own files)
DISALLOWED_VOLUME_TYPES = [
    "awsElasticBlockStore", "azureDisk", "cephfs", "cinder", "fc", "flexVolume", "gitRepo",
    "glusterfs", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "rbd", "vsphereVolume",
]  # fmt: skip
CHART_FILE = "apps/web.yaml::web/demo/templates/deployment.yaml"


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with each ``a/b/0/c: value`` set (``DELETE``: removed)."""
    result = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = path.split("/")
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if value is DELETE:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return result


def workload(
    pod: dict[str, Any],
    *,
    kind: str = "Deployment",
    name: str = "web",
    namespace: str = "web",
    spec: dict[str, Any] | None = None,
    template_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A workload of ``kind`` whose pod spec is ``pod`` (``spec``: more of the owner's spec)."""
    meta = {"name": name, "namespace": namespace}
    pod = copy.deepcopy(pod)  # a test may change the workload: never the pod it came from
    template = {"metadata": template_meta or {"labels": {"app": name}}, "spec": pod}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": kind, "metadata": {**meta, **(template_meta or {})},
                "spec": pod}  # fmt: skip
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    if kind == "CronJob":
        body = {"schedule": "@daily", "jobTemplate": {"spec": {"template": template}}}
    else:
        body = {"template": template}
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": {**body, **(spec or {})}}


def namespace(name: str, level: str | None, reason: str | None = None) -> dict[str, Any]:
    """A Namespace enforcing ``level`` (no label when None), with a pod-security reason."""
    meta: dict[str, Any] = {"name": name}
    if level is not None:
        meta["labels"] = {"pod-security.kubernetes.io/enforce": level}
    if reason is not None:
        meta["annotations"] = {"homegen.dev/pod-security-reason": reason}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _item(doc: Document) -> Obj:
    meta = doc.obj["metadata"]
    kind = doc.obj["kind"]
    ns = "" if kind in CLUSTER_SCOPED else str(meta.get("namespace") or "")
    return Obj(doc, doc.obj["apiVersion"], kind, meta["name"], ns)


def tree_of(*objects: dict[str, Any], charted: tuple[dict[str, Any], ...] = ()) -> Tree:
    """The tree of ``objects`` (files of the tree) and ``charted`` (rendered by a chart)."""
    origin = Origin("web", "apps/web.yaml", "web", "demo@1.0.0", "demo/templates/x.yaml", "web")
    docs = [Document(f"manifests/{i}.yaml", 0, 1, obj) for i, obj in enumerate(objects)]
    docs += [Document(CHART_FILE, i, 1, obj, origin=origin) for i, obj in enumerate(charted)]
    return build_tree(docs, [_item(d) for d in docs], repo_prefix=None)
