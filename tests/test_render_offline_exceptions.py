"""Two paths from services.toml to a verdict, end to end through the CLI:

- offline: a render succeeds when a CRD kind has no reachable schema (a made-up kind, in no
  catalog, with the only schema location unreachable); `homegen validate` fails on it with
  HG105 unless `--ignore-missing-schemas`;
- `policy_exceptions`: rendered as `policy.homegen.dev/<rule>` annotations, which validate
  reports as suppressed (never hidden), while the same config without them fails.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import yaml
from typer.testing import CliRunner

from homegen.cli import app
from robustness import MINIMAL

runner = CliRunner()

WIDGETS = """
[apps.widgets]
namespace = "widgets"

[[apps.widgets.objects]]
apiVersion = "example.com/v1"
kind = "Widget"
metadata = { name = "w" }
spec = { size = 3 }
"""


def _unreachable_location() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"http://127.0.0.1:{port}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json"


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


def _render(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    tmp_path.mkdir(exist_ok=True)
    config = tmp_path / "services.toml"
    config.write_text(text, encoding="utf-8")
    return _cli("render", "--config", str(config), "--out", str(tmp_path / "rendered"), *args)


def test_offline_render_skips_a_crd_with_no_schema_and_validate_fails_on_it(
    tmp_path: Path,
) -> None:
    location = _unreachable_location()
    code, out = _render(tmp_path, MINIMAL.read_text() + WIDGETS, "--schema-location", location)
    assert code == 0, out
    widget = tmp_path / "rendered" / "manifests" / "widgets"
    assert [d["kind"] for p in widget.glob("*.yaml") for d in yaml.safe_load_all(p.read_text())
            if d].count("Widget") == 1  # fmt: skip

    tree = str(tmp_path / "rendered")
    code, out = _cli("validate", tree, "--schema-location", location, "--output", "json")
    assert code == 1
    report = json.loads(out)
    missing = {(r["kind"], r["rule"]) for r in report["resources"] if r["rule"] == "HG105"}
    assert ("Widget", "HG105") in missing

    code, out = _cli(
        "validate", tree, "--schema-location", location, "--ignore-missing-schemas",
        "--output", "json",
    )  # fmt: skip
    assert code == 0, out
    summary = json.loads(out)["summary"]
    assert summary["errors"] == 0 and summary["skipped"] >= 1


TOKEN = "\nservice_account_token = true\n"
EXCEPTION = 'policy_exceptions = { HG317 = "reads pods through the API" }\n'


def test_policy_exception_renders_as_annotation_and_is_reported_suppressed(
    tmp_path: Path,
) -> None:
    base = MINIMAL.read_text().rstrip("\n")
    code, out = _render(tmp_path / "without", base + TOKEN)
    assert code == 1
    assert "error HG317 Deployment/web/web" in out
    assert not (tmp_path / "without" / "rendered").exists()

    code, out = _render(tmp_path, base + TOKEN + EXCEPTION)
    assert code == 0, out
    deployment = yaml.safe_load(
        (tmp_path / "rendered" / "manifests" / "web" / "deployment.yaml").read_text()
    )
    assert deployment["metadata"]["annotations"] == {
        "policy.homegen.dev/HG317": "reads pods through the API"
    }
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is True

    tree = str(tmp_path / "rendered")
    code, out = _cli("validate", tree, "--ignore-missing-schemas", "--output", "json")
    assert code == 0, out
    report = json.loads(out)
    assert [(r["rule"], r["status"], r["suppressed"]) for r in report["resources"]] == [
        ("HG317", "statusSuppressed", "reads pods through the API")
    ]
    assert report["summary"]["suppressed"] == 1
    code, out = _cli("validate", tree, "--ignore-missing-schemas")
    assert code == 0
    assert "HG317" in out and "(suppressed: reads pods through the API)" in out


REASON = "the namespace of a vendor's test pods, removed after the install"
APP_OBJECT = f"""
[apps.tools]
namespace = "tools"
policy_exceptions = {{ HG319 = "{REASON}" }}

[[apps.tools.objects]]
apiVersion = "v1"
kind = "Namespace"
metadata = {{ name = "vendor-tests", annotations = {{ "example.com/kept" = "yes" }} }}
"""


def test_app_policy_exceptions_annotate_its_objects_and_keep_their_annotations(
    tmp_path: Path,
) -> None:
    base = MINIMAL.read_text()
    without = "\n".join(x for x in APP_OBJECT.splitlines() if "policy_exceptions" not in x)
    code, out = _render(tmp_path / "without", base + without)
    assert code == 1 and "error HG319 Namespace/vendor-tests" in out, out

    code, out = _render(tmp_path, base + APP_OBJECT)
    assert code == 0, out
    [namespace] = [
        d
        for p in (tmp_path / "rendered" / "manifests" / "tools").glob("*.yaml")
        for d in yaml.safe_load_all(p.read_text())
        if d and d["metadata"]["name"] == "vendor-tests"
    ]
    assert namespace["metadata"]["annotations"] == {
        "example.com/kept": "yes",
        "policy.homegen.dev/HG319": REASON,
    }
    code, out = _cli("validate", str(tmp_path / "rendered"), "--ignore-missing-schemas")
    assert code == 0
    assert f"(suppressed: {REASON})" in out
