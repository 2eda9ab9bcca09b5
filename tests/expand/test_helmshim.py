"""The helm that kustomize runs: ``pull`` from chart folders only, ``template`` by homegen's
engine, and no path outside the build's scratch copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from homegen.expand import helmshim
from tools import requires_extra

TINY = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    "values.yaml": "name: default\n",
    "crds/thing.yaml": (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: things.example.test}\n"
    ),
    "templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: '{{ .Release.Name }}-{{ .Values.name }}',\n"
        "  namespace: '{{ .Release.Namespace }}'}\n"
    ),
    "templates/test.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n"
        "  annotations: {helm.sh/hook: test}\nspec: {containers: [{name: c, image: x}]}\n"
    ),
}


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The build's scratch folder, a --charts folder holding tiny 0.1.0, a private cache."""
    root = tmp_path / "scratch"
    root.mkdir()
    write(tmp_path / "charts" / "tiny-0.1.0", TINY)
    monkeypatch.setenv(helmshim.ROOT_ENV, str(root))
    monkeypatch.setenv(helmshim.CHARTS_ENV, str(tmp_path / "charts"))
    monkeypatch.setenv(helmshim.CACHE_ENV, str(tmp_path / "cache"))
    return root


def pull(untar: Path, version: str) -> list[str]:
    return ["pull", "--untar", "--untardir", str(untar), "--repo", "https://c.test", "tiny",
            "--version", version]  # fmt: skip


def test_pull_copies_the_chart_from_a_chart_folder(scratch: Path) -> None:
    untar = scratch / "repo" / "web" / "charts" / "tiny-0.1.0"
    assert helmshim.main(pull(untar, "0.1.0")) == 0
    assert (untar / "tiny" / "Chart.yaml").read_text() == TINY["Chart.yaml"]


def test_pull_of_a_chart_not_here_asks_for_the_network(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert helmshim.main(pull(scratch / "charts", "0.2.0")) == 1
    assert capsys.readouterr().err == "homegen-helm needs: https://c.test tiny@0.2.0\n"
    assert not (scratch / "charts").exists()


@pytest.mark.parametrize("command", ["pull", "template"])
def test_no_path_outside_the_scratch_copy_is_used(
    scratch: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = scratch.parent / "charts" / "tiny-0.1.0"
    args = pull(outside, "0.1.0") if command == "pull" else ["template", "r", str(outside)]
    assert helmshim.main(args) == 1
    assert capsys.readouterr().err == f"homegen-helm failed: {outside} is outside the build\n"


def test_a_symlink_out_of_the_scratch_copy_is_outside(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "link").symlink_to(scratch.parent / "charts")
    assert helmshim.main(["template", "r", str(scratch / "link" / "tiny-0.1.0")]) == 1
    assert "is outside the build" in capsys.readouterr().err


def test_version_and_unknown_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert helmshim.main(["version", "-c", "--short"]) == 0
    assert capsys.readouterr().out.startswith("v3.")
    assert helmshim.main(["install", "x"]) == 1
    assert capsys.readouterr().err == "homegen-helm failed: helm install is not supported\n"


@pytest.fixture
def chart(scratch: Path) -> Path:
    requires_extra("charts")
    return write(scratch / "repo" / "charts" / "tiny", TINY)


def objects(out: str) -> dict[str, dict[str, Any]]:
    """The printed objects by kind/name."""
    found = [d for d in yaml.safe_load_all(out) if d]
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in found}


def test_template_merges_value_files_in_order(chart: Path) -> None:
    first = write(chart.parent.parent, {"v1.yaml": "name: one\n", "v2.yaml": "name: two\n"})
    out = helmshim.template(
        ["rel", str(chart), "--namespace", "web", "-f", str(first / "v1.yaml"),
         "-f", str(first / "v2.yaml"), "--kube-version", "1.31.0"]
    )  # fmt: skip
    printed = objects(out)
    assert sorted(printed) == ["ConfigMap/rel-two", "Pod/probe"]  # helm template prints hooks
    assert printed["ConfigMap/rel-two"]["metadata"] == {
        "name": "rel-two",
        "namespace": "web",
        "annotations": {helmshim.MARK: "tiny/templates/cm.yaml"},
    }
    assert "# Source: tiny/templates/cm.yaml" in out


def test_template_flags_crds_tests_and_a_generated_name(chart: Path) -> None:
    out = helmshim.template(["--generate-name", str(chart), "--include-crds", "--skip-tests"])
    assert sorted(objects(out)) == [
        "ConfigMap/release-name-default", "CustomResourceDefinition/things.example.test"
    ]  # fmt: skip
    assert sorted(objects(helmshim.template(["r", str(chart), "--no-hooks"]))) == [
        "ConfigMap/r-default"
    ]


def test_a_chart_failure_is_one_line(chart: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(chart, {"templates/bad.yaml": '{{ fail "no\\nway" }}\n'})
    assert helmshim.main(["template", "r", str(chart)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("homegen-helm failed: ") and "no way" in err and err.count("\n") == 1
