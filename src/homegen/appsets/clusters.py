"""The ``clusters`` generator: declared clusters stand in for ArgoCD's cluster secrets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from homegen.appsets.govalues import TemplateError
from homegen.appsets.params import normalize
from homegen.appsets.repo import IN_CLUSTER, Cluster

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"


def secret_labels(cluster: Cluster) -> dict[str, str]:
    """The labels of the cluster's secret: every cluster secret carries the secret-type label
    (the generator lists secrets by it)."""
    return {SECRET_TYPE_LABEL: "cluster", **cluster.labels}


def cluster_params(
    spec: dict[str, Any],
    clusters: Sequence[Cluster],
    go: bool,
    add_values: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """One parameter set per selected cluster, in-cluster last when no secret declares it;
    with ``flatList`` one set holding them all under ``clusters``."""
    selector = spec.get("selector")
    selector = selector if isinstance(selector, dict) else {}
    # a selector (even one that matches everything) leaves out the in-cluster without secret
    ignore_local = bool(selector.get("matchLabels") or selector.get("matchExpressions"))
    secrets = [c for c in clusters if c.secret and labels_match(selector, secret_labels(c))]
    result = []
    for cluster in secrets:
        params = _secret_params(cluster, go)
        add_values(params)
        result.append(params)
    if not ignore_local and not any(c.server == IN_CLUSTER.server for c in secrets):
        local: dict[str, Any] = {
            "name": IN_CLUSTER.name,
            "nameNormalized": IN_CLUSTER.name,
            "server": IN_CLUSTER.server,
            "project": "",
        }
        add_values(local)
        result.append(local)
    if spec.get("flatList") is True:
        return [{"clusters": result}]
    return result


def _secret_params(cluster: Cluster, go: bool) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": cluster.name,
        "nameNormalized": normalize(cluster.name),
        "server": cluster.server,
        "project": cluster.project,
    }
    labels = secret_labels(cluster)
    if go:
        # only what the secret has: an empty metadata map when it has neither
        meta: dict[str, Any] = {}
        if cluster.annotations:
            meta["annotations"] = dict(cluster.annotations)
        meta["labels"] = labels
        params["metadata"] = meta
    else:
        params.update({f"metadata.annotations.{k}": v for k, v in cluster.annotations.items()})
        params.update({f"metadata.labels.{k}": v for k, v in labels.items()})
    return params


def labels_match(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (``matchLabels``, ``matchExpressions``) against labels."""
    wanted = selector.get("matchLabels")
    for key, value in (wanted if isinstance(wanted, dict) else {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, dict):
            raise TemplateError("a matchExpressions entry must be a mapping")
        key, op = str(expression.get("key")), expression.get("operator")
        options = [str(v) for v in expression.get("values") or []]
        if op == "In" and labels.get(key) not in options:
            return False
        if op == "NotIn" and key in labels and labels[key] in options:
            return False
        if (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise TemplateError(f"{op!r} is not a valid label selector operator")
    return True
