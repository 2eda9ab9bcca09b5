"""The clusters generator against declared clusters, as ArgoCD's against cluster secrets
(applicationset/generators/cluster.go)."""

from __future__ import annotations

from typing import Any

from appset_trees import appset

from homegen.appsets import IN_CLUSTER, Cluster, generate_applications

EDGE = Cluster("Edge_1", "https://edge", {"env": "prod"}, {"owner": "ops"}, "infra")
BARE = Cluster("bare", "https://bare")


def _names(spec: str, clusters: Any = (IN_CLUSTER,)) -> list[str]:
    expansion = generate_applications(appset(spec), None, clusters)
    assert not expansion.problems, expansion.problems
    return [a.name for a in expansion.apps]


def test_project_parameter_from_the_declared_cluster_and_empty_for_in_cluster() -> None:
    names = _names(
        """
        generators: [{clusters: {}}]
        template: {metadata: {name: "{{nameNormalized}}-p{{project}}"}, spec: {}}
        """,
        [EDGE, BARE],
    )
    # the local cluster, which no secret declares, comes last
    assert names == ["edge-1-pinfra", "bare-p", "in-cluster-p"]


def test_gotemplate_metadata_has_only_what_the_secret_has() -> None:
    names = _names(
        """
        goTemplate: true
        generators: [{clusters: {}}]
        template:
          metadata:
            name: '{{ .name | lower }}-{{ if .metadata }}{{ len .metadata }}{{ else }}none{{ end }}'
          spec: {}
        """,
        [EDGE, BARE],
    )
    # annotations and labels; labels only (the secret-type label); no metadata at all
    assert names == ["edge_1-2", "bare-1", "in-cluster-none"]


def test_gotemplate_labels_carry_the_secret_type_label() -> None:
    names = _names(
        """
        goTemplate: true
        generators: [{clusters: {selector: {matchLabels: {env: prod}}}}]
        template:
          metadata:
            name: '{{ index .metadata.labels "argocd.argoproj.io/secret-type" }}-{{ .metadata.labels.env }}'
          spec: {}
        """,  # noqa: E501
        [EDGE],
    )
    assert names[0] == "cluster-prod"


def test_flat_list_gives_one_set_holding_every_cluster() -> None:
    names = _names(
        """
        goTemplate: true
        generators: [{clusters: {flatList: true}}]
        template:
          metadata: {name: '{{ len .clusters }}-{{ index (index .clusters 0) "project" }}'}
          spec: {}
        """,
        [EDGE, BARE],
    )
    assert names == ["3-infra"]


def test_a_selector_matches_secret_labels_and_leaves_out_the_local_cluster() -> None:
    spec = """
        generators: [{clusters: {selector: {matchExpressions: [%s]}}}]
        template: {metadata: {name: "{{nameNormalized}}"}, spec: {}}
        """
    secret_type = "{key: argocd.argoproj.io/secret-type, operator: Exists}"
    assert _names(spec % secret_type, [EDGE, BARE]) == ["edge-1", "bare"]
    not_prod = "{key: env, operator: NotIn, values: [prod]}"
    assert _names(spec % not_prod, [EDGE, BARE]) == ["bare"]


def test_a_secret_for_the_local_server_replaces_the_implicit_in_cluster() -> None:
    local = Cluster("in-cluster", IN_CLUSTER.server, project="core")
    names = _names(
        """
        generators: [{clusters: {}}]
        template: {metadata: {name: "{{name}}-{{project}}"}, spec: {}}
        """,
        [local, BARE],
    )
    assert names == ["in-cluster-core", "bare-"]


def test_without_gotemplate_labels_and_annotations_are_flat_parameters() -> None:
    names = _names(
        """
        generators: [{clusters: {values: {tier: "t-{{metadata.labels.env}}"}}}]
        template:
          metadata: {name: "{{metadata.annotations.owner}}-{{values.tier}}"}
          spec: {}
        """,
        [EDGE],
    )
    assert names[0] == "ops-t-prod"
