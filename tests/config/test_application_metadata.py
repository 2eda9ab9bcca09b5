"""services.toml keys of the Application itself: project, labels, annotations, release names,
and the names Kubernetes accepts (DNS-1123 labels may start with a digit, Services may not)."""

from __future__ import annotations

import pytest

from homegen.config.loader import load_config
from homegen.errors import ConfigError
from plan_trees import BASE

HELM = 'helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0"'


def problems(extra: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config((BASE + extra).encode())
    return str(caught.value)


@pytest.mark.parametrize(
    ("key", "table"),
    [
        ("app.kubernetes.io/name", "labels"),
        ("app.kubernetes.io/part-of", "labels"),
        ("app.kubernetes.io/managed-by", "labels"),
        ("argocd.argoproj.io/sync-wave", "annotations"),
        ("homegen.dev/tier", "annotations"),
    ],
)
def test_metadata_homegen_writes_is_refused(key: str, table: str) -> None:
    text = problems(f'[apps.a]\n{HELM} }}\napplication = {{ {table} = {{ "{key}" = "x" }} }}\n')
    assert f'apps.a.application.{table}."{key}"' in text and "homegen sets" in text


@pytest.mark.parametrize("key", ["app.kubernetes.io/instance", "homegen.dev", "team"])
def test_other_metadata_is_accepted(key: str) -> None:
    extra = f'[apps.a]\n{HELM} }}\napplication = {{ labels = {{ "{key}" = "x" }} }}\n'
    config = load_config((BASE + extra).encode())
    assert config.apps["a"].application.labels == {key: "x"}


@pytest.mark.parametrize("project", ["Platform", "-x", "a_b", "x" * 254])
def test_a_project_must_be_an_object_name(project: str) -> None:
    text = problems(f'[apps.a]\n{HELM} }}\napplication = {{ project = "{project}" }}\n')
    assert "apps.a.application.project" in text and "AppProject" in text


def test_a_project_of_253_characters_is_accepted() -> None:
    name = "a" * 253
    extra = f'[apps.a]\n{HELM} }}\napplication = {{ project = "{name}" }}\n'
    assert load_config((BASE + extra).encode()).apps["a"].application.project == name


@pytest.mark.parametrize(("name", "ok"), [("r" * 53, True), ("r" * 54, False), ("Rel", False)])
def test_release_name_length_and_characters(name: str, ok: bool) -> None:
    extra = f'[apps.a]\n{HELM}, release_name = "{name}" }}\n'
    if ok:
        assert load_config((BASE + extra).encode()).apps["a"].helm.release_name == name  # type: ignore[union-attr]
    else:
        assert "apps.a.helm.release_name" in problems(extra)


def test_a_generator_app_has_no_release_name() -> None:
    extra = f'[apps.a]\n{HELM}, release_name = "r" }}\ngenerator = {{ elements = [{{ name = "x" }}] }}\n'  # noqa: E501
    assert "no release_name" in problems(extra)


@pytest.mark.parametrize(
    ("name", "ok"), [("4get", True), ("0", True), ("-a", False), ("a-", False)]
)
def test_app_names_are_dns_1123_labels(name: str, ok: bool) -> None:
    extra = f'[apps."{name}"]\nmanage_namespace = false\n'
    if ok:
        assert name in load_config((BASE + extra).encode()).apps
    else:
        assert "is not a DNS-1123 label" in problems(extra)


def test_a_service_name_still_starts_with_a_letter() -> None:
    # it names a Kubernetes Service, a DNS-1035 label
    extra = '[services.4get]\nimage = "nginx:1.27.0"\nport = 8080\n'
    assert "services.4get" in problems(extra)


def test_a_value_file_with_a_control_character_is_refused() -> None:
    extra = (
        '[apps.a]\nmanage_namespace = false\ngit = { repo_url = "https://g.example.com/x", '
        'revision = "v1", path = "c", helm = { value_files = ["a\\u001b[2J"] } }\n'
    )
    assert "apps.a.git.helm.value_files" in problems(extra)


def test_application_fields_hash_as_they_compare() -> None:
    from homegen.config.models import ApplicationFields, Retry

    same = [
        ApplicationFields(labels={"a": "1", "b": "2"}, retry=Retry(limit=3)),
        ApplicationFields(labels={"b": "2", "a": "1"}, retry=Retry(limit=3)),
    ]
    assert same[0] == same[1] and hash(same[0]) == hash(same[1])
    others = [
        ApplicationFields(labels={"a": "1"}),
        ApplicationFields(annotations={"a": "1"}),
        ApplicationFields(finalizers=[]),
        ApplicationFields(retry=False),
        ApplicationFields(project="p"),
        ApplicationFields(history=3),
    ]
    assert len({hash(f) for f in [ApplicationFields(), *others]}) == 1 + len(others)


def test_tables_without_application_share_its_default() -> None:
    """Hashable, the default is not deep-copied per table (pydantic copies unhashable ones)."""
    extra = f"[apps.a]\n{HELM} }}\n[apps.b]\n{HELM} }}\n"
    config = load_config((BASE + extra).encode())
    assert config.apps["a"].application is config.apps["b"].application
