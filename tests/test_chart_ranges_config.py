"""A chart version range in services.toml: accepted only with an HG332 exception on the app,
rendered back exactly as written, expanded offline at the newest local version it allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from robustness import render_cli

CASE = Path(__file__).parent / "cases" / "accept" / "chart-version-range-excepted" / "services.toml"
EXCEPTED = '"policy.homegen.dev/HG332" = "follows upstream on purpose: a dashboard with no state"'


def _config(tmp_path: Path, version: str, exception: str = EXCEPTED) -> Path:
    text = CASE.read_text().replace('version = "*"', f'version = "{version}"')
    config = tmp_path / "services.toml"
    config.write_text(text.replace(EXCEPTED, exception))
    return config


def _charts(root: Path, *versions: str) -> Path:
    for version in versions:
        folder = root / f"metrics-{version}"
        (folder / "templates").mkdir(parents=True)
        (folder / "Chart.yaml").write_text(f"apiVersion: v2\nname: metrics\nversion: {version}\n")
        (folder / "templates/cm.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: metrics\ndata:\n  a: b\n"
        )
    return root


@pytest.mark.parametrize("version", ["*", "^1.0", ">=1.0.0 <2.0.0"])
def test_a_range_with_its_exception_renders_back_as_written(tmp_path: Path, version: str) -> None:
    out = tmp_path / "OUT"
    code, text = render_cli(_config(tmp_path, version), out)
    assert code == 0, text
    assert f'targetRevision: "{version}"' in (out / "apps/metrics.yaml").read_text()
    assert "chart sources not expanded" in text and ": metrics" in text  # no chart offline


def test_a_range_expands_at_the_newest_local_version_it_allows(tmp_path: Path) -> None:
    charts = _charts(tmp_path / "charts", "1.0.0", "1.9.9", "2.0.0")  # 2.0.0: just outside
    code, text = render_cli(_config(tmp_path, "^1.0"), tmp_path / "OUT", "--charts", str(charts))
    assert code == 0, text
    assert "'^1.0' resolved to 1.9.9" in text
    assert "ArgoCD syncs the newest upstream release it allows" in text


@pytest.mark.parametrize(
    "exception",
    [
        '"policy.homegen.dev/HG332" = " "',  # an empty reason is no choice
        '"policy.homegen.dev/HG313" = "another rule"',
    ],
)
def test_a_range_without_a_reasoned_exception_is_refused(tmp_path: Path, exception: str) -> None:
    code, text = render_cli(_config(tmp_path, "*", exception), tmp_path / "OUT")
    assert code == 2, text
    assert "apps.metrics: helm.version '*' is a range: pin one version, or keep it" in text


def test_the_rule_name_excepts_too(tmp_path: Path) -> None:
    named = '"policy.homegen.dev/chart-version-unpinned" = "tracked by hand"'
    code, text = render_cli(_config(tmp_path, "*", named), tmp_path / "OUT")
    assert code == 0, text
