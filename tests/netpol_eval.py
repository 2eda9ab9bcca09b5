"""A small NetworkPolicy evaluator for tests: which pod may open which port of which pod.

It follows the networking.k8s.io/v1 semantics (kubernetes.io/docs/concepts/services-networking/
network-policies): a pod no policy of a direction selects is open in that direction; a selected
pod admits what any selecting policy's rules admit. A peer's namespaceSelector and podSelector
in one entry must both match; a podSelector alone means the policy's namespace; every Namespace
carries ``kubernetes.io/metadata.name``. Named ports resolve against the destination pod's
container ports. policyTypes defaults to Ingress, plus Egress when the policy has egress rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML


@dataclass(frozen=True)
class Pod:
    """A pod: where it runs, its labels, its named container ports and (for ipBlocks) its IP."""

    name: str
    namespace: str
    labels: dict[str, str]
    ports: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (port, protocol)
    ip: str = "10.244.0.1"


@dataclass
class Cluster:
    """Namespaces (with their labels), pods and NetworkPolicies."""

    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    pods: list[Pod] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)

    def add_objects(self, objects: Iterable[dict[str, Any]]) -> None:
        """Namespaces, NetworkPolicies and the pods of Deployments, from rendered objects."""
        for obj in objects:
            meta = obj.get("metadata") or {}
            if obj.get("kind") == "Namespace":
                self.namespaces[meta["name"]] = dict(meta.get("labels") or {})
            elif obj.get("kind") == "NetworkPolicy":
                self.policies.append(obj)
            elif obj.get("kind") == "Deployment":
                template = obj["spec"]["template"]
                ports = {
                    str(p["name"]): (int(p["containerPort"]), str(p.get("protocol", "TCP")))
                    for c in template["spec"]["containers"]
                    for p in c.get("ports") or []
                    if "name" in p
                }
                labels = dict(template["metadata"].get("labels") or {})
                self.pods.append(Pod(meta["name"], meta["namespace"], labels, ports))

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """A namespace's labels, with the one the API server sets on every Namespace."""
        return {**self.namespaces.get(namespace, {}), "kubernetes.io/metadata.name": namespace}

    def pod(self, name: str) -> Pod:
        """The pod of this name."""
        return next(p for p in self.pods if p.name == name)

    def selecting(self, target: Pod, direction: str) -> list[dict[str, Any]]:
        """The policies of ``direction`` (Ingress or Egress) that select ``target``."""
        return [
            p
            for p in self.policies
            if p["metadata"]["namespace"] == target.namespace
            and direction in policy_types(p)
            and selects(p["spec"].get("podSelector") or {}, target.labels)
        ]

    def ingress_allowed(self, source: Pod, target: Pod, port: int, protocol: str = "TCP") -> bool:
        """Whether ``target``'s policies admit a connection from ``source`` to ``port``."""
        policies = self.selecting(target, "Ingress")
        return not policies or any(
            self._rule_admits(rule, "from", p, source, target, port, protocol)
            for p in policies
            for rule in p["spec"].get("ingress") or []
        )

    def egress_allowed(self, source: Pod, target: Pod, port: int, protocol: str = "TCP") -> bool:
        """Whether ``source``'s policies let it open ``port`` on ``target``."""
        policies = self.selecting(source, "Egress")
        return not policies or any(
            self._rule_admits(rule, "to", p, target, target, port, protocol)
            for p in policies
            for rule in p["spec"].get("egress") or []
        )

    def allowed(self, source: Pod, target: Pod, port: int, protocol: str = "TCP") -> bool:
        """Both ends agree: the source may send, the target may receive."""
        return self.egress_allowed(source, target, port, protocol) and self.ingress_allowed(
            source, target, port, protocol
        )

    def _rule_admits(
        self,
        rule: dict[str, Any],
        direction: str,
        policy: dict[str, Any],
        peer: Pod,
        target: Pod,
        port: int,
        protocol: str,
    ) -> bool:
        peers = rule.get(direction)
        if peers and not any(self._peer_matches(p, policy, peer) for p in peers):
            return False
        return port_matches(rule.get("ports") or [], target, port, protocol)

    def _peer_matches(self, peer: dict[str, Any], policy: dict[str, Any], pod: Pod) -> bool:
        if "ipBlock" in peer:
            block = peer["ipBlock"]
            address = ipaddress.ip_address(pod.ip)
            excepted = any(address in ipaddress.ip_network(e) for e in block.get("except") or [])
            return address in ipaddress.ip_network(block["cidr"]) and not excepted
        if "namespaceSelector" in peer:
            if not selects(peer["namespaceSelector"], self.namespace_labels(pod.namespace)):
                return False
        elif pod.namespace != policy["metadata"]["namespace"]:
            return False
        return "podSelector" not in peer or selects(peer["podSelector"], pod.labels)


def policy_types(policy: dict[str, Any]) -> list[str]:
    """spec.policyTypes, or its default."""
    spec = policy["spec"]
    if spec.get("policyTypes"):
        return list(spec["policyTypes"])
    return ["Ingress", *(["Egress"] if spec.get("egress") else [])]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a LabelSelector selects ``labels`` ({} selects everything)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def port_matches(ports: list[dict[str, Any]], target: Pod, port: int, protocol: str) -> bool:
    """Whether a rule's ports admit ``port``/``protocol`` on ``target`` (none: every port)."""
    if not ports:
        return True
    for entry in ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        wanted = entry.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str):
            if target.ports.get(wanted) == (port, protocol):
                return True
        elif wanted <= port <= entry.get("endPort", wanted):
            return True
    return False


def load_objects(files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Every object of a rendered tree's YAML files."""
    yaml = YAML(typ="safe")
    found: list[dict[str, Any]] = []
    for path, data in sorted(files.items()):
        if path.endswith(".yaml"):
            found.extend(d for d in yaml.load_all(data.decode()) if isinstance(d, dict))
    return found
