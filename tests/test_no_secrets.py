"""No secret in the output: whatever services.toml holds, no value that is not an op:// reference
reaches a Secret; references become OnePasswordItems or ExternalSecrets that pods read by name
and key."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
import tomlkit
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from homegen.config.fields import parse_op_ref, secret_name
from homegen.config.loader import load_config
from homegen.errors import ConfigError
from homegen.plan.build import build_plan
from homegen.render.tree import render_tree
from robustness import CASES, REPO

PROVIDERS = {
    name: CASES / "accept" / f"provider-{name}" / "services.toml"
    for name in ("1password-operator", "external-secrets")
}
# An app with values, objects and a chart, so random strings can land there too.
EXTRAS = """
[apps.extras]
helm = { repo_url = "oci://ghcr.io/example/charts", chart = "extras", version = "1.0.0" }
secrets = ["op://Lab Vault/extras/password"]
values = { password = "not-a-secret-by-name", nested = { token = "x" } }

[[apps.extras.objects]]
apiVersion = "v1"
kind = "ConfigMap"
metadata = { name = "extras" }
data = { key = "value" }
"""
SNEAKY = ["Secret", "v1", "hunter2", "op://v/i/f", "oci://user:pw@ghcr.io/x", "data", "stringData"]


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place of a string (a value or a table key) in parsed TOML."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, ("key", key))
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _string_paths(item, (*path, i))
    elif isinstance(value, str):
        yield path


def _replace(data: Any, path: tuple[Any, ...], text: str) -> None:
    *parents, last = path
    for part in parents:
        data = data[part]
    if isinstance(last, tuple):  # a key: rename it, keep its value
        data[text] = data.pop(last[1])
    else:
        data[last] = text


def _documents(files: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, text in files.items():
        if path.endswith(".yaml"):
            for doc in yaml.safe_load_all(text):
                if isinstance(doc, dict):
                    yield path, doc


def _assert_no_secret_values(files: dict[str, str], config_urls: set[str]) -> None:
    """The only Secrets are ArgoCD repository declarations of public chart URLs."""
    for path, doc in _documents(files):
        if doc.get("kind") != "Secret":
            continue
        labels = doc["metadata"].get("labels", {})
        assert labels.get("argocd.argoproj.io/secret-type") == "repository", path
        assert "data" not in doc, path
        data = doc["stringData"]
        assert set(data) == {"name", "type", "url", "enableOCI"}, path
        assert data["url"] in config_urls, path
        assert "@" not in data["url"], f"{path}: credentials in a repository URL"


def _helm_urls(text: str) -> set[str]:
    apps = tomllib.loads(text).get("apps", {})
    return {
        app["helm"]["repo_url"].removeprefix("oci://")
        for app in apps.values()
        if isinstance(app, dict) and isinstance(app.get("helm"), dict)
    }


# Where any string is a valid value (free text), and where an op:// reference goes: the places a
# secret could be typed. Random text lands there, so nearly every example renders and reaches
# the check; a few land anywhere at all (mostly refused, which is a pass too).
FREE_TEXT = [
    ("apps", "extras", "values", "password"),
    ("apps", "extras", "values", "nested", "token"),
    ("apps", "extras", "values", ("key", "password")),
    ("apps", "extras", "objects", 0, "data", "key"),
    ("apps", "extras", "description"),
    ("services", "web", "env", "MODE"),
    ("services", "web", "description"),
]
REFERENCES = [
    ("apps", "extras", "secrets", 0),
    ("services", "web", "secret_env", "API_TOKEN"),
    ("services", "web", "secret_env", "DB_URL"),
    ("services", "web", "secret_files", "/etc/web/tls.key"),
]
WEB_EXTRAS = 'env = { MODE = "x" }\ndescription = "d"\n'
_segment = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/"),
                   min_size=1, max_size=20)  # fmt: skip
_field = st.from_regex(r"[a-z][-._a-z0-9]{0,15}", fullmatch=True)
_item = st.builds(
    str.__add__, _segment, st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,10}", fullmatch=True)
)
op_references = st.builds(lambda v, i, f: f"op://{v}/{i}/{f}", _segment, _item, _field)


def _provider_source(provider: str) -> str:
    text = PROVIDERS[provider].read_text().replace("[secrets]", WEB_EXTRAS + "\n[secrets]", 1)
    return text + EXTRAS + 'description = "extras"\n'


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_random_strings_anywhere_never_reach_a_secret(provider: str) -> None:
    base = _provider_source(provider)
    seen = {"examples": 0, "checked": 0}

    @settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        seen["examples"] += 1
        parsed = tomllib.loads(base)
        anywhere = list(_string_paths(parsed))
        for _ in range(data.draw(st.integers(1, 3))):
            kind = data.draw(st.sampled_from(["free"] * 5 + ["reference"] * 4 + ["anywhere"]))
            if kind == "reference":
                place, text = data.draw(st.sampled_from(REFERENCES)), data.draw(op_references)
            else:
                place = data.draw(st.sampled_from(FREE_TEXT if kind == "free" else anywhere))
                text = data.draw(st.text(min_size=1) | st.sampled_from(SNEAKY))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                _replace(parsed, place, text)  # unless an earlier change renamed the path
        source = tomlkit.dumps(parsed)
        try:
            config = load_config(source.encode())
        except ConfigError:
            event("refused")
            return  # refused cleanly: nothing rendered
        event("rendered and checked")
        files = render_tree(build_plan(config))
        _assert_no_secret_values(files, _helm_urls(source))
        seen["checked"] += 1

    check()
    # The check must be what the examples exercise, not the refusal.
    assert seen["checked"] >= 0.7 * seen["examples"], seen


def test_secret_env_accepts_only_op_references() -> None:
    seen = {"accepted": 0, "refused": 0}

    @settings(max_examples=200)
    @given(value=st.text() | st.sampled_from(SNEAKY) | op_references)
    def check(value: str) -> None:
        doc = tomlkit.parse(PROVIDERS["external-secrets"].read_text())
        doc["services"]["web"]["secret_env"] = {"TOKEN": value}  # type: ignore[index]
        try:
            load_config(tomlkit.dumps(doc).encode())
        except ConfigError:
            seen["refused"] += 1
            return
        assert value.startswith("op://")
        parse_op_ref(value)
        seen["accepted"] += 1

    check()
    total = seen["accepted"] + seen["refused"]
    assert seen["accepted"] >= 0.5 * total and seen["refused"] >= 0.1 * total, seen


@settings(max_examples=100, deadline=None)
@given(value=st.text().map(lambda s: f"\u00ab{s}\u00bb"))
def test_a_literal_secret_is_never_echoed_in_the_error(value: str) -> None:
    doc = tomlkit.parse(PROVIDERS["external-secrets"].read_text())
    doc["services"]["web"]["secret_env"] = {"TOKEN": value}  # type: ignore[index]
    with pytest.raises(ConfigError) as error:
        load_config(tomlkit.dumps(doc).encode())
    assert value not in str(error.value)
    assert repr(value)[1:-1] not in str(error.value)


def _pods_read_secrets_by_name_and_key(files: dict[str, str], provided: dict[str, set[str]]) -> int:
    reads = 0
    for _path, doc in _documents(files):
        if doc.get("kind") != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        for env in pod["containers"][0]["env"]:
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["key"] in provided[ref["name"]], ref
                reads += 1
        for volume in pod["volumes"]:
            if "secret" in volume:
                assert volume["secret"]["secretName"] in provided
                reads += 1
    return reads


def test_one_password_operator_items_feed_the_pods() -> None:
    files = render_tree(build_plan(load_config(PROVIDERS["1password-operator"].read_bytes())))
    items = {d["metadata"]["name"]: d for _, d in _documents(files) if d["kind"] != "Secret"}
    onepassword = {n: d for n, d in items.items() if d["kind"] == "OnePasswordItem"}
    assert {d["apiVersion"] for d in onepassword.values()} == {"onepassword.com/v1"}
    assert onepassword["web-app"]["spec"]["itemPath"] == "vaults/Lab Vault/items/Web App"
    # The operator makes a Secret of the item's fields, keyed by field label.
    provided = {"web-app": {"api-token", "url"}, "web-tls": {"tls.key"}}
    assert set(onepassword) >= set(provided)
    assert _pods_read_secrets_by_name_and_key(files, provided) == 3
    assert not [d for _, d in _documents(files) if d["kind"] == "Secret"]


def test_external_secrets_feed_the_pods_by_name_and_key() -> None:
    text = PROVIDERS["external-secrets"].read_text()
    files = render_tree(build_plan(load_config(text.encode())))
    external = {
        d["metadata"]["name"]: d for _, d in _documents(files) if d["kind"] == "ExternalSecret"
    }
    assert {d["apiVersion"] for d in external.values()} == {"external-secrets.io/v1"}
    provided = {
        name: {entry["secretKey"] for entry in d["spec"]["data"]} for name, d in external.items()
    }
    for name, d in external.items():
        assert d["spec"]["target"]["name"] == name
        assert d["spec"]["secretStoreRef"] == {
            "kind": "ClusterSecretStore",
            "name": "lab-1password",
        }
    refs = tomllib.loads(text)["services"]["web"]["secret_env"].values()
    for ref in refs:
        _, item, field = parse_op_ref(ref)
        assert field in provided[secret_name(item)]
    assert _pods_read_secrets_by_name_and_key(files, provided) == 3
    assert not [d for _, d in _documents(files) if d["kind"] == "Secret"]


def test_shipped_homelab_secrets_are_only_repository_declarations() -> None:
    text = (REPO / "services.toml").read_text()
    files = render_tree(build_plan(load_config(text.encode())))
    _assert_no_secret_values(files, _helm_urls(text))


@pytest.mark.parametrize(
    "url",
    [
        "oci://robot:s3cr3t@ghcr.io/example/charts",
        "https://ghp_token@github.com/example/charts",
        "https://user:pass@charts.example.com/",
    ],
)
def test_credentials_in_a_repository_url_are_refused(url: str) -> None:
    text = PROVIDERS["external-secrets"].read_text() + EXTRAS.replace(
        "oci://ghcr.io/example/charts", url
    )
    with pytest.raises(ConfigError, match="must not hold credentials") as error:
        load_config(text.encode())
    assert "s3cr3t" not in str(error.value) and "pass@" not in str(error.value)
