"""The shipped homelab with the real charts of ../shared/charts (skipped where it is absent):
clean, and each of issue 14's mutations reported at the right app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from expand_charts import need_engine
from typer.testing import CliRunner

from homegen.cli import app

REPO = Path(__file__).resolve().parents[2]
SHARED_CHARTS = Path(os.environ.get("HOMEGEN_SHARED_CHARTS") or REPO.parent / "shared" / "charts")
runner = CliRunner()


@pytest.fixture(autouse=True)
def shared_charts() -> None:
    if not SHARED_CHARTS.is_dir():
        if os.environ.get("CI") and (REPO.parent / "shared").is_dir():
            pytest.fail(f"{SHARED_CHARTS} is missing although ../shared exists")
        pytest.skip(f"no real charts at {SHARED_CHARTS} (../shared is absent in a fresh clone)")
    need_engine()


def render(homelab: Path, edit: tuple[str, str] | None = None) -> tuple[int, str]:
    config = homelab / "services.toml"
    if edit is not None:
        text = config.read_text(encoding="utf-8")
        assert edit[0] in text, edit[0]
        config.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = runner.invoke(
        app,
        ["render", "-c", str(config), "-o", str(homelab / "out"), "--charts", str(SHARED_CHARTS)],
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_shipped_homelab_is_clean_with_every_chart_it_can_find(homelab: Path) -> None:
    code, output = render(homelab)
    assert code == 0, output
    assert "note: homarr: chart homarr@5.8.0 not expanded" in output
    assert "traefik@33.2.1 not expanded" not in output


MUTATIONS = {
    "arc-runners without controllerServiceAccount": (
        ("controllerServiceAccount = {", "# controllerServiceAccount = {"),
        "error HG130 ApplicationSet/argocd/arc-runners: arc-runners-home-io: "
        "gha-runner-scale-set@0.13.0: execution error",
    ),
    "misspelt Traefik values key": (
        ("kubernetesGateway.enabled = true", "kubernetesGateway.enabeld = true"),
        "error HG131 Application/argocd/traefik: traefik: traefik@33.2.1: the chart has no "
        "values key providers.kubernetesGateway.enabeld (did you mean "
        "providers.kubernetesGateway.enabled?)",
    ),
    "two owners of GatewayClass traefik": (
        ("gatewayClass.enabled = false", "gatewayClass.enabled = true"),
        "error HG232 GatewayClass/traefik: defined by app traefik "
        "(traefik@33.2.1: traefik/templates/gatewayclass.yaml) and by app gateway-config",
    ),
    "a route to a chart Service port that does not exist": (
        ("[apps.metrics-server.values]",
         'route = { path = "/ms", service = "metrics-server", port = 444 }\n\n'
         "[apps.metrics-server.values]"),
        "error HG231 HTTPRoute/traefik/metrics-server: Service kube-system/metrics-server of app "
        "metrics-server (metrics-server@3.13.0: metrics-server/templates/service.yaml) has no "
        "port 444 (ports: 443)",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_is_reported_at_its_app(homelab: Path, name: str) -> None:
    edit, expected = MUTATIONS[name]
    code, output = render(homelab, edit)
    assert code == 1 and expected in output, output
    assert not (homelab / "out").exists()


def test_the_arc_controller_without_a_security_context_is_rejected_at_admission(
    homelab: Path,
) -> None:
    text = (homelab / "services.toml").read_text(encoding="utf-8")
    start = text.index("[apps.actions-runner-controller.values]")
    end = text.index("[apps.arc-runners]")
    kept = [
        line
        for line in text[start:end].splitlines()
        if not line.startswith(("podSecurityContext =", "securityContext ="))
    ]
    (homelab / "services.toml").write_text(
        text[:start] + "\n".join(kept) + "\n" + text[end:], encoding="utf-8"
    )
    code, output = render(homelab)
    assert code == 1
    assert (
        "apps/actions-runner-controller.yaml::actions-runner-controller/"
        "gha-runner-scale-set-controller/templates/deployment.yaml:1: error HG321 "
        "Deployment/arc-systems/actions-runner-controller-gha-rs-controller"
    ) in output
    assert "namespace arc-systems enforces Pod Security restricted" in output
