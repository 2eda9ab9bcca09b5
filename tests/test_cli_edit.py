"""`homegen init`, `add-service`, `remove-service` and name completion, end to end (issue 4)."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from homegen.cli import app
from homegen.commands.complete import service_names

runner = CliRunner()

WEB = ["web", "--image", "nginx:1.27", "--port", "8080", "--path", "/web"]


def homegen(folder: Path, *args: str) -> tuple[int, str]:
    """Run homegen on folder/services.toml and folder/rendered; (exit code, stderr)."""
    files = ["--config", str(folder / "services.toml"), "--out", str(folder / "rendered")]
    result = runner.invoke(app, [*args, *files])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def rendered(homelab: Path) -> Path:
    """The homelab folder with its tree rendered."""
    assert homegen(homelab, "render")[0] == 0
    return homelab


def test_add_web_renders_its_files_and_validates_clean(rendered: Path) -> None:
    code, err = homegen(rendered, "add-service", *WEB)
    assert code == 0, err
    assert f"added [services.web] to {rendered / 'services.toml'}" in err
    out = rendered / "rendered"
    expected = [
        "apps/web.yaml",
        "manifests/web/namespace.yaml",
        "manifests/web/deployment.yaml",
        "manifests/web/service.yaml",
        "manifests/gateway/httproute-web.yaml",
        "manifests/web/referencegrant-web-from-traefik.yaml",
    ]
    for path in expected:
        assert (out / path).is_file(), path
        assert f"create {out / path}" in err
    assert homegen(rendered, "render", "--check")[0] == 0
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.stdout
    assert " 0 errors, 0 warnings" in result.stdout


def test_add_then_remove_restores_services_toml_and_the_tree(rendered: Path) -> None:
    before_toml = (rendered / "services.toml").read_bytes()
    before_tree = tree(rendered / "rendered")
    assert homegen(rendered, "add-service", *WEB, "--env", "GREETING=hé = there")[0] == 0
    assert tomllib.loads((rendered / "services.toml").read_text())["services"]["web"]["env"] == {
        "GREETING": "hé = there"
    }
    code, err = homegen(rendered, "remove-service", "web")
    assert code == 0, err
    assert f"delete {rendered / 'rendered' / 'manifests/gateway/httproute-web.yaml'}" in err
    assert (rendered / "services.toml").read_bytes() == before_toml
    assert tree(rendered / "rendered") == before_tree


def test_every_flag_lands_in_the_table(homelab: Path) -> None:
    code, err = homegen(
        homelab, "add-service", "api", "--image", "ghcr.io/x/api:2.0", "--port", "9000",
        "--host", "api.techdufus.com", "--host", "api2.techdufus.com", "--namespace", "tools",
        "--replicas", "2", "--env", "MODE=prod", "--secret-env",
        "DB_PASSWORD=op://Personal/api/db", "--after", "traefik", "--no-render",
    )  # fmt: skip
    assert code == 0, err
    assert not (homelab / "rendered").exists()
    assert tomllib.loads((homelab / "services.toml").read_text())["services"]["api"] == {
        "image": "ghcr.io/x/api:2.0",
        "port": 9000,
        "namespace": "tools",
        "replicas": 2,
        "after": ["traefik"],
        "route": {"hosts": ["api.techdufus.com", "api2.techdufus.com"]},
        "env": {"MODE": "prod"},
        "secret_env": {"DB_PASSWORD": "op://Personal/api/db"},
    }


def test_edit_keeps_the_file_mode(homelab: Path) -> None:
    config = homelab / "services.toml"
    config.chmod(0o640)
    assert homegen(homelab, "add-service", *WEB, "--no-render")[0] == 0
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert not list(homelab.glob(".services.toml.*"))


def flags(name: str = "web", image: str = "nginx:1.27", port: str = "1", *more: str) -> list[str]:
    """add-service arguments: a valid service unless told otherwise."""
    return [name, "--image", image, "--port", port, *more]


BAD_ADDS = {
    "duplicate": (
        flags("cloudflared"),
        "services.cloudflared: a service named 'cloudflared' already exists",
    ),
    "duplicate app": (flags("homarr"), "apps.homarr: an app named 'homarr' already exists"),
    "route clash": (
        flags("web", "nginx:1.27", "1", "--path", "/argocd"),
        "add-service web: services.web.route: lab.techdufus.com/argocd is already routed to argocd",
    ),
    "invalid name": (flags("Web"), "add-service Web: services.Web: 'Web' is not a DNS-1123 label"),
    "unpinned image": (
        flags("web", "nginx"),
        "add-service web: services.web.image: image 'nginx' is not pinned",
    ),
    "bad image": (flags("web", "NGINX:1"), "'NGINX:1' is not a valid image reference"),
    "bad port": (flags("web", "nginx:1.27", "70000"), "add-service web: services.web.port:"),
    "unknown after": (
        flags("web", "nginx:1.27", "1", "--after", "nope"),
        "services.web.after[0]: 'nope' is not an app or service",
    ),
    "env without =": (
        flags("web", "nginx:1.27", "1", "--env", "MODE"),
        "--env 'MODE': expected KEY=VALUE",
    ),
    "secret env without =": (
        flags("web", "nginx:1.27", "1", "--secret-env", "T"),
        "--secret-env 'T': expected KEY=VALUE",
    ),
    "bad secret ref": (
        flags("web", "nginx:1.27", "1", "--secret-env", "T=vault/x"),
        "add-service web: services.web.secret_env.T:",
    ),
}


@pytest.mark.parametrize("case", BAD_ADDS, ids=list(BAD_ADDS))
def test_bad_input_exits_2_and_touches_nothing(rendered: Path, case: str) -> None:
    args, message = BAD_ADDS[case]
    before_toml = (rendered / "services.toml").read_bytes()
    before_tree = tree(rendered / "rendered")
    code, err = homegen(rendered, "add-service", *args)
    assert code == 2, err
    assert message in err
    assert (rendered / "services.toml").read_bytes() == before_toml
    assert tree(rendered / "rendered") == before_tree


def test_a_problem_elsewhere_is_reported_at_its_line_in_the_file(homelab: Path) -> None:
    # `aaa` sorts before homarr, so the clash is reported on homarr's route, at its real line.
    code, err = homegen(homelab, "add-service", *flags("aaa", "nginx:1.27", "1", "--path", "/"))
    assert code == 2
    text = (homelab / "services.toml").read_text()
    line = text.splitlines().index('route = { path = "/", service = "homarr", port = 7575 }') + 1
    assert (
        f"services.toml:{line}:1: apps.homarr.route: lab.techdufus.com/ is already routed to aaa"
        in err
    )
    assert err.rstrip().endswith("nothing was written")


def test_missing_services_toml_says_how_to_create_one(tmp_path: Path) -> None:
    for args in (["add-service", *WEB], ["remove-service", "web"]):
        code, err = homegen(tmp_path, *args)
        assert code == 2
        assert "services.toml: no such file; create one with `homegen init`" in err
    assert list(tmp_path.iterdir()) == []


def test_unparsable_services_toml_says_where(tmp_path: Path) -> None:
    config = tmp_path / "services.toml"
    config.write_bytes(b'[cluster]\nrepo_url = "x"\nname = \n')
    for args in (["add-service", *WEB], ["remove-service", "web"]):
        code, err = homegen(tmp_path, *args)
        assert code == 2
        assert f"{config}:3:8: invalid TOML" in err
    assert config.read_bytes() == b'[cluster]\nrepo_url = "x"\nname = \n'
    assert not (tmp_path / "rendered").exists()


def test_remove_unknown_name_lists_the_services(rendered: Path) -> None:
    before = (rendered / "services.toml").read_bytes()
    code, err = homegen(rendered, "remove-service", "nope")
    assert code == 2
    assert "no service named 'nope'; services: cloudflared" in err
    assert (rendered / "services.toml").read_bytes() == before


def test_remove_refuses_when_something_comes_after_it(rendered: Path) -> None:
    assert homegen(rendered, "add-service", *WEB, "--after", "cloudflared")[0] == 0
    before = (rendered / "services.toml").read_bytes()
    code, err = homegen(rendered, "remove-service", "cloudflared")
    assert code == 2
    # located at web's `after` line in the file on disk, though the edit moved it up
    line = before.decode().splitlines().index('after = ["cloudflared"]') + 1
    config = rendered / "services.toml"
    assert f"{config}:{line}:10: services.web.after[0]: 'cloudflared' is not an app" in err
    assert config.read_bytes() == before


def test_init_writes_a_starter_that_renders_and_validates_clean(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.stderr
    text = (folder / "services.toml").read_text()
    assert text.startswith("#:schema ./services.schema.json\n")
    for table in ("[cluster]", "[argocd]", "[gateway]", "[[gateway.listeners]]", "[network]",
                  "[[network.pools]]", "[services.whoami]"):  # fmt: skip
        assert f"\n{table}\n" in text
    schema = runner.invoke(app, ["schema"])
    assert (folder / "services.schema.json").read_text() == schema.stdout
    assert homegen(folder, "render")[0] == 0
    assert homegen(folder, "render", "--check")[0] == 0
    out = folder / "rendered"
    assert (out / "manifests/gateway/httproute-whoami.yaml").is_file()
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.stdout
    assert " 0 errors, 0 warnings" in result.stdout


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "services.toml").write_text("# mine\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "services.toml: already exists" in result.stderr
    assert (tmp_path / "services.toml").read_text() == "# mine\n"
    assert not (tmp_path / "services.schema.json").exists()


def test_completion_offers_service_names(homelab: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert homegen(homelab, "add-service", *WEB, "--no-render")[0] == 0
    ctx = typer.Context(typer.main.get_command(app))
    ctx.params["config"] = homelab / "services.toml"
    assert service_names(ctx, "") == ["cloudflared", "web"]
    assert service_names(ctx, "w") == ["web"]
    ctx.params["config"] = homelab / "missing.toml"
    assert service_names(ctx, "") == []
    monkeypatch.chdir(homelab)
    env = {"_HOMEGEN_COMPLETE": "complete_bash", "COMP_WORDS": "homegen remove-service c",
           "COMP_CWORD": "2"}  # fmt: skip
    result = runner.invoke(app, [], env=env, prog_name="homegen")
    assert result.stdout.split() == ["cloudflared"]


def test_completion_does_not_import_pydantic() -> None:
    import subprocess
    import sys

    code = (
        "import sys, typer; from homegen.commands.complete import service_names; "
        "from homegen.cli import app; "
        "service_names(typer.Context(typer.main.get_command(app)), ''); "
        "print('pydantic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
