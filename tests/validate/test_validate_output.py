"""Output formats (text, json, junit, github) and the CLI's exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner
from validate_trees import clean_files, edit, write_tree

from homegen.cli import app

DEPLOY = "manifests/whoami/deployment.yaml"
runner = CliRunner()


def _broken_tree(tmp_path: Path) -> Path:
    files = edit(
        clean_files(),
        DEPLOY,
        "image: traefik/whoami:v1.10",
        ("image: traefik/whoami:latest\n          imagePullPolicey: Always"),
    )
    files = edit(files, "manifests/whoami/referencegrant.yaml", ", name: whoami}", "}")
    return write_tree(tmp_path / "tree", files)


def _validate(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = runner.invoke(app, ["validate", *args], env=env)
    return result.exit_code, result.stdout


def test_text_output_lines_and_summary(tmp_path: Path) -> None:
    root = _broken_tree(tmp_path)
    code, out = _validate(tmp_path, str(root))
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == (
        "11 resources in 11 files: 10 valid, 1 invalid, 2 errors, 1 warnings, "
        "1 files skipped (not Kubernetes objects); coverage: 3 of 3 Applications expanded, "
        "11 objects checked"
    )
    assert lines[0] == (
        f"{root.as_posix()}/manifests/whoami/deployment.yaml:1: error HG104 "
        "Deployment/whoami/whoami: /spec/template/spec/containers/0: Additional properties are "
        "not allowed ('imagePullPolicey' was unexpected) (fix: correct the field named in the "
        "message (see `kubectl explain <kind>.<field>`))"
    )
    assert any(" warning HG213 ReferenceGrant/whoami/traefik-to-whoami: " in x for x in lines)


def test_summary_flag_prints_only_the_summary(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, str(_broken_tree(tmp_path)), "--summary")
    assert code == 1
    assert out == (
        "11 resources in 11 files: 10 valid, 1 invalid, 2 errors, 1 warnings, "
        "1 files skipped (not Kubernetes objects); coverage: 3 of 3 Applications expanded, "
        "11 objects checked\n"
    )


def test_json_output_has_kubeconform_keys(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, str(_broken_tree(tmp_path)), "-o", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"resources", "summary"}
    assert {"valid", "invalid", "errors", "skipped"} <= set(data["summary"])
    first = data["resources"][0]
    assert {
        "filename",
        "kind",
        "name",
        "version",
        "status",
        "msg",
        "validationErrors",
        "rule",
    } <= set(first)
    assert (first["kind"], first["name"], first["version"], first["status"]) == (
        "Deployment",
        "whoami",
        "apps/v1",
        "statusInvalid",
    )
    assert first["validationErrors"][0]["path"] == "/spec/template/spec/containers/0"


def test_junit_output_is_valid_xml(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, str(_broken_tree(tmp_path)), "-o", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("tests") == "11" and root.get("failures") == "1"
    failures = root.findall(".//failure")
    assert sorted(f.get("type") for f in failures) == ["HG104", "HG313"]
    case = root.find(".//testcase[@classname='Deployment@apps/v1']")
    assert case is not None and case.get("name") == "whoami/whoami"


def test_github_output_annotations(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, str(_broken_tree(tmp_path)), "-o", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("::error file=") and ",line=1,title=HG104::" in lines[0]
    assert any(x.startswith("::warning ") and "title=HG213" in x for x in lines)


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tree", clean_files())
    code, out = _validate(tmp_path, str(root))
    assert (code, out) == (
        0,
        "11 resources in 11 files: 11 valid, 0 invalid, 0 errors, 0 warnings, "
        "1 files skipped (not Kubernetes objects); coverage: 3 of 3 Applications expanded, "
        "11 objects checked\n",
    )


def test_yaml_error_is_a_finding(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tree", {**clean_files(), "broken.yaml": "a: [\n"})
    code, out = _validate(tmp_path, str(root))
    assert code == 1
    assert f"{root.as_posix()}/broken.yaml:2: error HG101: YAML syntax error" in out


@pytest.mark.parametrize("args", [["does-not-exist"], [".", "--output", "xml"]])
def test_usage_errors_exit_two(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["validate", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
