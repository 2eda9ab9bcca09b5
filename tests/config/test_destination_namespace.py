"""destination_namespace = false: the Application has no spec.destination.namespace; homegen's
Namespace object is refused with it, CreateNamespace=true (a no-op then) is kept (issue 25)."""

from __future__ import annotations

from pathlib import Path

import yaml

from robustness import render_cli

CASE = Path(__file__).parents[1] / "cases" / "accept" / "chart-version-range-excepted"
CRDS = """
[apps.crds]
git = { repo_url = "https://github.com/kubernetes-sigs/gateway-api", revision = "v1.2.1", \
path = "config/crd/standard" }
destination_namespace = false
manage_namespace = false
application.create_namespace = false

[apps.sets]
helm = { repo_url = "https://example.com/charts", chart = "sets", version = "1.0.0" }
generator = { elements = [{ name = "a" }] }
destination_namespace = false
manage_namespace = false
application.create_namespace = false
"""


def _config(tmp_path: Path, extra: str) -> Path:
    config = tmp_path / "services.toml"
    config.write_text((CASE / "services.toml").read_text() + extra)
    return config


def _spec(path: Path) -> dict[str, object]:
    doc: dict[str, object] = yaml.safe_load(path.read_text())
    spec = doc["spec"]
    assert isinstance(spec, dict)
    return spec


def test_the_application_and_the_set_have_no_destination_namespace(tmp_path: Path) -> None:
    out = tmp_path / "OUT"
    code, text = render_cli(_config(tmp_path, CRDS), out)
    assert code == 0, text
    crds = _spec(out / "apps/crds.yaml")
    assert crds["destination"] == {"server": "https://kubernetes.default.svc"}
    assert "CreateNamespace=true" not in str(crds.get("syncPolicy"))
    template = _spec(out / "apps/sets.yaml")["template"]
    assert template["spec"]["destination"] == {"server": "https://kubernetes.default.svc"}  # type: ignore[index]
    assert not (out / "crds" / "namespace.yaml").exists()
    # an app keeping the default still names its namespace
    metrics = _spec(out / "apps/metrics.yaml")
    assert metrics["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": "metrics",
    }


def test_homegens_namespace_object_is_refused_with_it(tmp_path: Path) -> None:
    config = _config(
        tmp_path, CRDS.replace("manage_namespace = false", "manage_namespace = true", 1)
    )
    code, output = render_cli(config, tmp_path / "OUT")
    assert code == 2, output
    at = config.read_text().splitlines().index("manage_namespace = true") + 1
    assert (
        f"services.toml:{at}:1: apps.crds.manage_namespace: destination_namespace = false" in output
    )
    assert "renders no Namespace" in output
    assert output.count("destination_namespace = false") == 1  # apps.sets is fine


def test_create_namespace_is_kept_as_written(tmp_path: Path) -> None:
    """ArgoCD creates no namespace when the destination names none: owners write it so."""
    text = CRDS.replace("application.create_namespace = false\n", "", 1)
    code, output = render_cli(_config(tmp_path, text), tmp_path / "OUT")
    assert code == 0, output
    crds = _spec(tmp_path / "OUT" / "apps/crds.yaml")
    assert crds["destination"] == {"server": "https://kubernetes.default.svc"}
    assert "CreateNamespace=true" in crds["syncPolicy"]["syncOptions"]  # type: ignore[index]


def test_an_app_with_its_destination_namespace_keeps_those_keys(tmp_path: Path) -> None:
    text = CRDS.replace("destination_namespace = false", "destination_namespace = true")
    code, output = render_cli(_config(tmp_path, text), tmp_path / "OUT")
    assert code == 0, output
    crds = _spec(tmp_path / "OUT" / "apps/crds.yaml")
    assert crds["destination"]["namespace"] == "crds"  # type: ignore[index]
