"""`homegen render`: writing, check mode, diffs, ownership and stability (issue 2)."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest
import tomlkit
from typer.testing import CliRunner

from homegen.cli import app

runner = CliRunner()


def render(folder: Path, *args: str) -> tuple[int, str, str]:
    """Run `homegen render` on folder/services.toml into folder/rendered."""
    result = runner.invoke(
        app,
        [
            "render",
            "--config",
            str(folder / "services.toml"),
            "--out",
            str(folder / "rendered"),
            *args,
        ],
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (the ledger included), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_shipped_rendered_tree_is_current(repo_root: Path, homelab: Path) -> None:
    code, _, _ = render(homelab)
    assert code == 0
    committed = tree(repo_root / "rendered")
    assert tree(homelab / "rendered") == committed


def test_reference_homelab_has_every_app(homelab: Path) -> None:
    render(homelab)
    out = homelab / "rendered"
    apps = {p.stem for p in (out / "apps").glob("*.yaml")}
    assert apps == {
        "gateway-api-crds", "metallb", "metallb-config", "traefik", "gateway-config",
        "metrics-server", "homarr", "cloudflared", "actions-runner-controller", "arc-runners",
        "argocd", "local-path-provisioner",
    }  # fmt: skip
    assert (out / "app-of-apps.yaml").is_file()
    for path in (
        "manifests/gateway/gateway.yaml",
        "manifests/gateway/gatewayclass.yaml",
        "manifests/gateway/httproute-argocd.yaml",
        "manifests/gateway/httproute-homarr.yaml",
        "manifests/argocd/referencegrant-argocd-from-traefik.yaml",
        "manifests/homarr/referencegrant-homarr-from-traefik.yaml",
        "manifests/cloudflared/deployment.yaml",
        "manifests/cloudflared/service.yaml",
        "manifests/metallb-config/ipaddresspool-lab-pool.yaml",
        "manifests/metallb-config/l2advertisement-lab-pool.yaml",
        "manifests/local-path-provisioner/storageclass-local-path.yaml",
        "values/traefik.yaml",
    ):
        assert (out / path).is_file(), path
    # the controllerServiceAccount fix makes the cluster-wide ClusterRole fix unnecessary
    assert not list(out.glob("manifests/actions-runner-controller/clusterrole*"))


def test_render_twice_is_byte_identical(homelab: Path) -> None:
    render(homelab)
    first = tree(homelab / "rendered")
    code, _, err = render(homelab)
    assert code == 0
    assert "up to date" in err
    assert tree(homelab / "rendered") == first


def shuffled_copy(text: str, seed: int) -> str:
    """services.toml with its [apps.*] and [services.*] tables in another order."""
    doc = tomlkit.parse(text)
    rng = random.Random(seed)
    for table in ("apps", "services"):
        names = list(doc[table])
        rng.shuffle(names)
        items = {name: doc[table][name] for name in names}
        for name in names:
            del doc[table][name]
        for name in names:
            doc[table][name] = items[name]
    return tomlkit.dumps(doc)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_table_order_does_not_change_output(homelab: Path, tmp_path: Path, seed: int) -> None:
    render(homelab)
    other = tmp_path / "other"
    other.mkdir()
    text = (homelab / "services.toml").read_text()
    shuffled = shuffled_copy(text, seed)
    assert tomllib.loads(shuffled) == tomllib.loads(text)
    assert shuffled != text
    (other / "services.toml").write_text(shuffled)
    render(other)
    assert tree(other / "rendered") == tree(homelab / "rendered")


def test_port_change_is_reported_by_check_then_fixed(homelab: Path) -> None:
    render(homelab)
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace("port = 2000\n", "port = 2001\n"))
    code, out, err = render(homelab, "--check")
    assert code == 1
    stale = sorted(re.findall(r"would update \S+/rendered/(\S+)", err))
    assert stale == ["manifests/cloudflared/deployment.yaml", "manifests/cloudflared/service.yaml"]
    assert out == ""
    code, out, _ = render(homelab, "--check", "--diff")
    assert code == 1
    assert "-              containerPort: 2000" in out
    assert "+              containerPort: 2001" in out
    assert render(homelab)[0] == 0
    assert render(homelab, "--check")[0] == 0


def test_check_writes_nothing(homelab: Path) -> None:
    code, _, err = render(homelab, "--check")
    assert code == 1
    assert "would create" in err
    assert not (homelab / "rendered").exists()


def test_hand_added_file_survives(homelab: Path) -> None:
    render(homelab)
    extra = homelab / "rendered" / "manifests" / "cloudflared" / "extra.yaml"
    extra.write_text("kind: Mine\n")
    assert render(homelab)[0] == 0
    assert extra.read_text() == "kind: Mine\n"


def test_hand_edited_file_is_kept_unless_force(homelab: Path) -> None:
    render(homelab)
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace("replicas = 2", "replicas = 3"))
    edited = homelab / "rendered" / "manifests" / "cloudflared" / "deployment.yaml"
    edited.write_text(edited.read_text() + "# my note\n")
    before = tree(homelab / "rendered")
    code, _, err = render(homelab)
    assert code == 1
    assert "manifests/cloudflared/deployment.yaml" in err
    assert tree(homelab / "rendered") == before
    assert render(homelab, "--check")[0] == 1
    code, _, _ = render(homelab, "--force")
    assert code == 0
    assert "replicas: 3" in edited.read_text()
    assert "# my note" not in edited.read_text()
    assert render(homelab, "--check")[0] == 0


def test_removing_a_service_deletes_its_files_and_grant(homelab: Path) -> None:
    render(homelab)
    config = homelab / "services.toml"
    doc = tomlkit.parse(config.read_text())
    doc["services"]["web"] = {"image": "nginx:1.27", "port": 8080, "route": {"path": "/web"}}
    config.write_text(tomlkit.dumps(doc))
    assert render(homelab)[0] == 0
    out = homelab / "rendered"
    web_files = [
        "apps/web.yaml",
        "manifests/web/deployment.yaml",
        "manifests/web/namespace.yaml",
        "manifests/web/referencegrant-web-from-traefik.yaml",
        "manifests/web/service.yaml",
        "manifests/gateway/httproute-web.yaml",
    ]
    for path in web_files:
        assert (out / path).is_file(), path
    del doc["services"]["web"]
    config.write_text(tomlkit.dumps(doc))
    code, _, err = render(homelab)
    assert code == 0
    for path in web_files:
        assert not (out / path).exists(), path
        assert f"delete {out}/{path}" in err
    assert not (out / "manifests" / "web").exists()


def test_pre_commit_mode_fails_when_it_wrote(
    homelab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert render(homelab)[0] == 1
    assert render(homelab)[0] == 0


def test_config_error_exits_2_with_location(homelab: Path) -> None:
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace("port = 2000\n", "port = 0\n"))
    code, _, err = render(homelab)
    assert code == 2
    line = config.read_text().splitlines().index("port = 0") + 1
    assert (
        f"services.toml:{line}:1: services.cloudflared.port: must be greater than or equal to 1"
        in err
    )
    assert not (homelab / "rendered").exists()


def test_missing_config_says_how_to_create_one(tmp_path: Path) -> None:
    code, _, err = render(tmp_path)
    assert code == 2
    assert "homegen init" in err


def test_debug_shows_traceback(homelab: Path) -> None:
    (homelab / "services.toml").write_text("[cluster\n")
    result = runner.invoke(app, ["--debug", "render", "--config", str(homelab / "services.toml")])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "invalid TOML" in result.stderr


def test_invalid_tree_is_never_written(homelab: Path) -> None:
    config = homelab / "services.toml"
    text = config.read_text().replace(
        'probes.liveness = { type = "http", path = "/ready" }',
        'probes.liveness = { type = "http", path = "/ready", port = 9999 }',
    )
    config.write_text(text)
    code, _, err = render(homelab)
    assert code == 1
    assert "nothing was written" in err
    assert (
        "rendered/manifests/cloudflared/deployment.yaml:3: error HG216 "
        "Deployment/cloudflared/cloudflared: /spec/template/spec/containers/0/livenessProbe: "
        "livenessProbe of container cloudflared uses port 9999, which the container does not "
        "declare" in err
    )
    assert not (homelab / "rendered").exists()


def test_current_tree_is_not_validated_again(
    homelab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tree on disk byte for byte was validated when written; check and render skip it."""
    from homegen.commands import render as render_command
    from homegen.validate import background

    render(homelab)
    calls: list[int] = []

    def counted(*args: object) -> background.Verdict:
        calls.append(1)
        return background.Verdict()

    monkeypatch.setattr(background, "FORK", False)  # the in-process path, where calls count
    monkeypatch.setattr(background, "check_documents", counted)
    monkeypatch.setattr(render_command, "check_files", counted)
    assert render(homelab, "--check")[0] == 0
    assert render(homelab)[0] == 0
    assert calls == []
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace("replicas = 2", "replicas = 3"))
    assert render(homelab, "--check")[0] == 1
    assert calls == [1]


def test_applicationset_shared_objects_are_owned_by_the_root_app(homelab: Path) -> None:
    """Each generated app would sync a shared folder; the set's own objects ride with it."""
    config = homelab / "services.toml"
    config.write_text(
        config.read_text().replace('provider = "script"', 'provider = "1password-operator"')
    )
    assert render(homelab)[0] == 0
    out = homelab / "rendered"
    kinds = re.findall(r'^kind: "(\w+)"', (out / "apps/arc-runners.yaml").read_text(), re.M)
    assert kinds == ["Namespace", "OnePasswordItem", "ApplicationSet"]
    assert "manifests/arc-runners" not in (out / "apps/arc-runners.yaml").read_text()
    assert not (out / "manifests" / "arc-runners").exists()
