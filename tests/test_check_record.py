"""`render --check` of a current tree from the last render's record (homegen.fingerprint)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
import tomlkit
from typer.testing import CliRunner

from homegen import fingerprint, pipeline
from homegen.cli import app

runner = CliRunner()


def render(folder: Path, *args: str) -> tuple[int, str, str]:
    """`homegen render` of folder/services.toml into folder/rendered."""
    config, out = str(folder / "services.toml"), str(folder / "rendered")
    result = runner.invoke(app, ["render", "--config", config, "--out", out, *args])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Records in a folder of the test's own; the services.toml each render_config renders."""
    monkeypatch.setattr(fingerprint, "records_dir", lambda: tmp_path / "records")
    calls: list[str] = []
    original = pipeline.render_config

    def counted(config_path: Path, *args: object) -> pipeline.Rendered:
        calls.append(config_path.name)
        return original(config_path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "render_config", counted)
    return calls


def current(folder: Path) -> bool:
    return fingerprint.current(folder / "services.toml", folder / "rendered")


def test_check_after_a_render_renders_nothing(homelab: Path, renders: list[str]) -> None:
    assert render(homelab)[0] == 0
    assert renders == ["services.toml"]
    code, out, err = render(homelab, "--check")
    assert (code, out) == (0, "")
    assert f"{homelab}/rendered is up to date" in err
    assert renders == ["services.toml"]  # the record proved it current


def test_the_record_reports_what_the_full_check_reports(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert render(homelab)[0] == 0
    for args in ((), ("--output", "json"), ("--diff", "--output", "json"), ("--diff",)):
        fast = render(homelab, "--check", *args)
        monkeypatch.setenv(fingerprint.SWITCH_ENV, "0")
        full = render(homelab, "--check", *args)
        monkeypatch.delenv(fingerprint.SWITCH_ENV)
        assert fast == full
    assert renders == ["services.toml"] + ["services.toml"] * 4  # only the full checks rendered


def test_a_full_check_of_a_current_tree_records_it(homelab: Path, renders: list[str]) -> None:
    assert render(homelab)[0] == 0
    shutil.rmtree(homelab / "records")
    assert render(homelab, "--check")[0] == 0
    assert render(homelab, "--check")[0] == 0
    assert renders == ["services.toml"] * 2


def test_switched_off_nothing_is_recorded(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(fingerprint.SWITCH_ENV, "0")
    assert render(homelab)[0] == 0
    assert render(homelab, "--check")[0] == 0
    assert renders == ["services.toml"] * 2
    assert not (homelab / "records").exists()


def test_an_edited_services_toml_is_checked_in_full(homelab: Path, renders: list[str]) -> None:
    assert render(homelab)[0] == 0
    config = homelab / "services.toml"
    text = config.read_text()
    config.write_text(text)  # rewritten, same bytes: still current
    assert render(homelab, "--check")[0] == 0
    assert len(renders) == 1
    config.write_text(text.replace("replicas = 2", "replicas = 3", 1))
    code, _, err = render(homelab, "--check")
    assert code == 1
    assert "would update" in err
    assert len(renders) == 2


def test_another_services_toml_for_the_same_tree_is_checked_in_full(
    homelab: Path, renders: list[str]
) -> None:
    assert render(homelab)[0] == 0
    other = homelab / "other.toml"
    text = (homelab / "services.toml").read_text()
    other.write_text(text.replace("replicas = 2", "replicas = 3"))
    assert not fingerprint.current(other, homelab / "rendered")
    result = runner.invoke(
        app, ["render", "--check", "-c", str(other), "-o", str(homelab / "rendered")]
    )
    assert result.exit_code == 1


TreeEdit = Callable[[Path], None]


def _edit_file(tree: Path) -> None:
    path = tree / "app-of-apps.yaml"
    data = path.read_bytes()
    path.write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])  # same size


def _symlink_folder(tree: Path) -> None:
    shutil.move(tree / "values", tree.parent / "values")
    (tree / "values").symlink_to(tree.parent / "values")


TREE_EDITS: dict[str, TreeEdit] = {
    "a file edited, same size": _edit_file,
    "a file missing": lambda tree: (tree / "app-of-apps.yaml").unlink(),
    "a file of the user's": lambda tree: (tree / "NOTES.md").write_text("mine\n"),
    "an empty file in a folder": lambda tree: (tree / "apps" / ".keep").write_bytes(b""),
    "the ledger rewritten": lambda tree: (tree / ".homegen-ledger").write_text(
        json.dumps(json.loads((tree / ".homegen-ledger").read_text()))
    ),
    "a symlink to a generated file": lambda tree: (tree / "x.yaml").symlink_to("app-of-apps.yaml"),
    "a folder replaced by a symlink": _symlink_folder,
    "a FIFO": lambda tree: os.mkfifo(tree / "apps" / "pipe"),
}


@pytest.mark.parametrize("edit", TREE_EDITS.values(), ids=TREE_EDITS.keys())
def test_a_tree_that_is_not_exactly_the_ledger_is_checked_in_full(
    homelab: Path, renders: list[str], edit: TreeEdit
) -> None:
    assert render(homelab)[0] == 0
    assert current(homelab)
    edit(homelab / "rendered")
    assert not current(homelab)
    render(homelab, "--check")
    assert len(renders) == 2


def test_a_changed_template_defeats_the_record(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(fingerprint.templates_dir(), templates)
    monkeypatch.setattr(fingerprint, "templates_dir", lambda: templates)
    assert render(homelab)[0] == 0
    assert current(homelab)
    with (templates / "service.yaml.j2").open("a") as handle:
        handle.write("\n")
    assert not current(homelab)
    (templates / "service.yaml.j2").unlink()  # a template less is a change too
    assert not current(homelab)


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_a_changed_package_file_defeats_the_record(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: str
) -> None:
    package = tmp_path / "package"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    (package / "sub" / "mod.py").write_text("X = 1\n")
    (package / "catalog.json").write_text("{}\n")
    monkeypatch.setattr(fingerprint, "PACKAGE", package)
    assert render(homelab)[0] == 0
    (package / "sub" / "__pycache__" / "mod.cpython.pyc").write_bytes(b"\0")  # not a source
    assert current(homelab)
    if change == "edit":
        (package / "sub" / "mod.py").write_text("X = 2\n")
    elif change == "add":
        (package / "sub" / "new.py").write_text("")
    else:
        (package / "catalog.json").unlink()
    assert not current(homelab)


@pytest.mark.parametrize("change", ["size", "mtime", "gone"])
def test_a_changed_library_module_defeats_the_record(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: str
) -> None:
    source = tmp_path / "somelib.py"
    source.write_text("VALUE = 1\n")
    module = types.ModuleType("somelib")
    module.__file__ = str(source)
    monkeypatch.setitem(sys.modules, "somelib", module)  # loaded while the render ran
    assert render(homelab)[0] == 0
    assert current(homelab)
    if change == "size":
        source.write_text("VALUE = 10\n")
    elif change == "gone":
        source.unlink()
    else:
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not current(homelab)


def test_an_installed_distribution_defeats_the_record(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    assert render(homelab)[0] == 0
    assert current(homelab)
    (site / "plugin-1.0.dist-info").mkdir()  # e.g. a pydantic plugin, loaded by entry point
    assert not current(homelab)
    (site / "plugin-1.0.dist-info").rmdir()
    assert current(homelab)
    (site / "json.py").write_text("")  # would shadow a loaded module where it comes first
    assert not current(homelab)
    (site / "json.py").unlink()
    assert current(homelab)
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])  # another search order
    assert not current(homelab)


def test_a_damaged_record_is_ignored(homelab: Path, renders: list[str], tmp_path: Path) -> None:
    assert render(homelab)[0] == 0
    (record,) = (tmp_path / "records").iterdir()
    for damage in ("", "[]", '{"version": 1}', record.read_text().replace('"reads"', '"x"')):
        record.write_text(damage)
        assert not current(homelab)
    assert render(homelab, "--check")[0] == 0  # in full, and recorded again
    assert current(homelab)


def test_inputs_are_recorded_only_while_recording(tmp_path: Path) -> None:
    path = tmp_path / "input.toml"
    path.write_bytes(b"a = 1\n")
    assert fingerprint.read_input(path) == b"a = 1\n"
    with fingerprint.recording() as outer:
        with fingerprint.recording() as inner:
            fingerprint.read_input(path)
        assert inner == outer
    assert outer == {str(path.resolve()): fingerprint._sha(b"a = 1\n")}
    assert fingerprint._recorders == []


def test_records_are_pruned_oldest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fingerprint, "records_dir", lambda: tmp_path)
    monkeypatch.setattr(fingerprint, "MAX_RECORDS", 2)
    for i in range(3):
        fingerprint.save(tmp_path / f"{i}.toml", tmp_path / "out", {}, {}, b"")
        os.utime(fingerprint._record_path(tmp_path / f"{i}.toml", tmp_path / "out")[0], ns=(i, i))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == 2
    assert fingerprint._record_path(tmp_path / "0.toml", tmp_path / "out")[0].name not in kept


def test_a_render_that_keeps_an_edited_file_records_nothing(
    homelab: Path, renders: list[str], tmp_path: Path
) -> None:
    """Files it keeps stay in the ledger but are not the render's: its check must fail."""
    config = homelab / "services.toml"
    doc = tomlkit.parse(config.read_text())
    doc["services"]["web"] = {"image": "nginx:1.27", "port": 8080}
    config.write_text(tomlkit.dumps(doc))
    assert render(homelab)[0] == 0
    edited = homelab / "rendered" / "manifests" / "web" / "service.yaml"
    edited.write_text(edited.read_text() + "# mine\n")
    shutil.rmtree(tmp_path / "records")
    del doc["services"]["web"]
    config.write_text(tomlkit.dumps(doc))
    code, _, err = render(homelab)
    assert code == 0, err
    assert "no longer generated but edited by hand; kept" in err
    assert not (tmp_path / "records").exists()
    assert render(homelab, "--check")[0] == 1


def test_records_live_beside_the_chart_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homegen.charts.cache import default_cache_root

    monkeypatch.setenv("HOMEGEN_CACHE_DIR", str(tmp_path / "hg"))
    assert fingerprint.records_dir() == tmp_path / "hg" / "checks"
    monkeypatch.delenv("HOMEGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fingerprint.records_dir() == tmp_path / "xdg" / "homegen" / "checks"
    assert default_cache_root().parent == fingerprint.records_dir().parent


def test_a_module_without_a_file_to_stat_never_matches(
    homelab: Path, renders: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    module = types.ModuleType("zipped")
    module.__file__ = str(tmp_path / "lib.zip" / "zipped.py")  # inside an archive
    monkeypatch.setitem(sys.modules, "zipped", module)
    assert render(homelab)[0] == 0
    assert not current(homelab)
    assert render(homelab, "--check")[0] == 0
    assert len(renders) == 2
