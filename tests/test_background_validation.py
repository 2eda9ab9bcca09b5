"""Render's validation in a forked child: the same verdict as in process, and no trace left.

`homegen render` forks a child that validates the tree while the parent renders and stages
it (homegen.validate.background). These tests hold the child to the in-process checks and
make sure that whatever happens (findings, a crash in the child, a current tree, a kill of
the parent) the tree and the process table are as they were.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from homegen.pipeline import render_config
from homegen.validate import background, render_checks
from homegen.validate.background import ForkedValidation, TreeValidation, Verdict
from homegen.validate.reader.documents import documents_from_texts
from homegen.validate.run import ValidateOptions, validate_documents
from processes import alive, children_of
from robustness import MINIMAL, render_cli

BAD_PROBE = (
    'probes.liveness = { type = "http", path = "/ready" }',
    'probes.liveness = { type = "http", path = "/ready", port = 9999 }',
)


def _verdict(validation: TreeValidation, config: Path) -> Verdict:
    with validation:
        render_config(config, validation)
        return validation.verdict()


def _no_children_left() -> bool:
    """Whether this process has no child at all: none running, none left unreaped."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _render(folder: Path) -> tuple[int, str]:
    return render_cli(folder / "services.toml", folder / "rendered")


@pytest.mark.parametrize(
    ("broken", "extra"), [(False, 0), (True, 0), (True, 150)], ids=["clean", "findings", "large"]
)
def test_forked_verdict_is_the_in_process_one(homelab: Path, broken: bool, extra: int) -> None:
    """ "large" has over _SPLIT_DOCUMENTS documents: the child splits its checks in two."""
    config = homelab / "services.toml"
    if broken:
        config.write_text(config.read_text().replace(*BAD_PROBE))
    config.write_text(config.read_text() + "".join(_service(i) for i in range(extra)))
    locations: list[str] = []  # the built-in catalog
    forked = _verdict(ForkedValidation(locations, "rendered", config), config)
    inline = _verdict(TreeValidation(locations, "rendered"), config)
    assert forked == inline
    assert bool(forked.failing) == broken
    assert _no_children_left()


@pytest.mark.parametrize("version", ["1.30", "1.0"], ids=["other", "no-schemas"])
def test_a_wrong_guess_of_the_version_changes_nothing(homelab: Path, version: str) -> None:
    """The child warms up for the version it reads at a glance; the real settings decide,
    even when the guess has no schemas at all (the warm-up fails quietly)."""
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace(*BAD_PROBE))
    decoy = homelab / "decoy.toml"
    decoy.write_text(f'kubernetes_version = "{version}"\n')
    locations: list[str] = []  # the built-in catalog
    guessed = _verdict(ForkedValidation(locations, "rendered", decoy), config)
    assert guessed == _verdict(TreeValidation(locations, "rendered"), config)


def test_findings_stop_the_write_and_leave_no_trace(homelab: Path) -> None:
    out = homelab / "rendered"
    assert _render(homelab)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    config = homelab / "services.toml"
    config.write_text(
        config.read_text().replace(*BAD_PROBE).replace('name = "homarr"', 'name = "homarr2"', 1)
    )
    code, err = _render(homelab)
    assert code == 1
    assert "nothing was written" in err
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # no staged temp file, no new file, the same ledger
    assert sorted(p for p in out.rglob("*") if p.is_dir()) == sorted(
        {p.parent for p in before if p.parent != out}
        | {q for p in before for q in p.parents if out in q.parents}
    )  # no folder made for the new app's files
    assert _no_children_left()


def test_a_crash_in_the_child_is_an_internal_error(
    homelab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **options: object) -> Verdict:
        raise LookupError("no core schemas for Kubernetes 1.99")

    monkeypatch.setattr(background, "check_documents", boom)  # the forked child has it too
    code, err = _render(homelab)
    assert code == 3
    assert "internal error: LookupError: no core schemas for Kubernetes 1.99" in err
    assert not (homelab / "rendered").exists()
    assert _no_children_left()


def test_a_child_that_dies_is_an_internal_error(
    homelab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "check_documents", lambda *a, **k: os._exit(0))
    code, err = _render(homelab)
    assert code == 3
    assert "the validation process ended without a verdict (exit status 0)" in err
    assert not (homelab / "rendered").exists()


def test_a_current_tree_stops_the_child_without_waiting(homelab: Path) -> None:
    assert _render(homelab)[0] == 0
    assert _render(homelab)[0] == 0
    assert _no_children_left()


def test_a_config_error_stops_the_child(homelab: Path) -> None:
    (homelab / "services.toml").write_text("[cluster\n")
    assert _render(homelab)[0] == 2
    assert _no_children_left()


def test_without_fork_the_checks_run_in_process(
    homelab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "FORK", False)
    monkeypatch.setattr(os, "fork", None)  # would fail loudly if called
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace(*BAD_PROBE))
    code, err = _render(homelab)
    assert code == 1
    assert (
        "rendered/manifests/cloudflared/deployment.yaml:3: error HG216 "
        "Deployment/cloudflared/cloudflared: /spec/template/spec/containers/0/livenessProbe: "
        "livenessProbe of container cloudflared uses port 9999, which the container does not "
        "declare" in err
    )
    assert not (homelab / "rendered").exists()


def test_a_large_fleet_is_checked_in_process_before_the_writes(
    homelab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above FORK_MAX_CONFIG_BYTES one process holds the tree: no fork; staged, then checked,
    and nothing moved into place."""
    monkeypatch.setattr(background, "FORK_MAX_CONFIG_BYTES", 100)
    monkeypatch.setattr(os, "fork", None)  # would fail loudly if called
    config = homelab / "services.toml"
    assert background.start_validation([], "rendered", config).concurrent is False
    config.write_text(config.read_text().replace(*BAD_PROBE))
    code, err = _render(homelab)
    assert code == 1
    assert "nothing was written" in err
    assert not (homelab / "rendered").exists()


def test_the_child_leaves_when_the_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL of homegen: the child reads end-of-file and exits, no orphan stays behind."""
    config = tmp_path / "services.toml"
    config.write_text(
        MINIMAL.read_text() + "".join(_service(i) for i in range(600))
    )  # a second or so
    process = subprocess.Popen(
        [sys.executable, "-m", "homegen", "render", "--config", str(config),
         "--out", str(tmp_path / "rendered")],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    children: set[int] = set()
    deadline = time.monotonic() + 30
    while not children and process.poll() is None and time.monotonic() < deadline:
        children = children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert children, "the render ended before its validation process was seen"
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(alive(pid) for pid in children)


def _service(i: int) -> str:
    return (
        f'\n[services.svc-{i}]\nimage = "ghcr.io/example/svc:1.0.{i}"\nport = {8000 + i}\n'
        f'route = {{ path = "/svc-{i}" }}\n'
    )


def test_schema_and_tree_checks_split_in_two_processes_agree(homelab: Path) -> None:
    """The validation process checks schemas in a grandchild: the same report, in order."""
    config = homelab / "services.toml"
    config.write_text(config.read_text().replace(*BAD_PROBE))
    files = render_config(config).files
    docs = documents_from_texts(files)
    options = ValidateOptions(
        kubernetes_version="1.28",
        ignore_missing_schemas=True,
        repo_root_in_git="kubernetes/argocd",
    )
    alone = validate_documents(docs, options=options)
    split = validate_documents(docs, options=options, both=render_checks.in_two_processes)
    assert split.findings == alone.findings
    assert (split.skipped, split.resources) == (alone.skipped, alone.resources)
    assert any(f.failing for f in split.findings)
    assert _no_children_left()


def _checked(indices: Iterable[int]) -> tuple[list[tuple[int, str]], list[int]]:
    """A stand-in for the schema checks: every third item skipped, the others found."""
    found = [(i, f"pid {os.getpid()}") for i in indices if i % 3]
    return found, [i for i in indices if not i % 3]


def test_a_failed_split_runs_both_halves_here() -> None:
    parent = os.getpid()

    def first(indices: Iterable[int] | None) -> object:
        if os.getpid() != parent:
            raise MemoryError("the grandchild could not")
        return ("first", indices)

    split = render_checks.in_two_processes(first, lambda: "second", 100)
    assert split == (("first", None), "second")
    assert _no_children_left()


@pytest.mark.parametrize("n", [0, 1, 63, 64, 65, 1000])
def test_the_split_shares_every_item_once_in_order(n: int) -> None:
    """The grandchild checks from the front; this process, once second() is done, takes the
    back half of what is left (here second() is slow: the grandchild has most or all done).
    Each item is in the result exactly once, in order, as first(None) would give it."""

    def first(indices: Iterable[int] | None) -> tuple[list[tuple[int, str]], list[int]]:
        return _checked(list(range(n) if indices is None else indices))

    def second() -> str:
        time.sleep(0.2)  # the grandchild is well under way: the share point moves past it
        return "second"

    (found, skipped), result = render_checks.in_two_processes(first, second, n)
    assert result == "second"
    assert [i for i, _ in found] == [i for i in range(n) if i % 3]
    assert skipped == [i for i in range(n) if not i % 3]
    assert _no_children_left()


def test_this_process_takes_the_back_when_the_grandchild_is_slow() -> None:
    """Just inside the share: a grandchild that has done nothing yet leaves this process
    the back half, and the halves meet exactly (no item twice, none missing)."""
    parent = os.getpid()
    n = 1000

    def first(indices: Iterable[int] | None) -> tuple[list[tuple[int, str]], list[int]]:
        if os.getpid() != parent:
            time.sleep(0.3)  # slower than second(): this process takes its share first
        return _checked(list(range(n) if indices is None else indices))

    (found, skipped), _ = render_checks.in_two_processes(first, lambda: "second", n)
    mine = [i for i, who in found if who == f"pid {parent}"]
    assert mine and mine == [i for i in range(mine[0], n) if i % 3]
    assert mine[0] <= n // 2 + 1
    assert [i for i, _ in found] == [i for i in range(n) if i % 3]
    assert skipped == [i for i in range(n) if not i % 3]
    assert _no_children_left()


def test_a_grandchild_that_stops_short_leaves_no_gap() -> None:
    """The merge goes by the item the grandchild reached, not by the share point: were the
    grandchild to stop before it (here mid-chunk, having checked 0..9), this process checks
    the gap, and the grandchild's items past what it reached are not counted twice."""
    parent = os.getpid()
    n = 500
    real_front = render_checks._Share.front

    def short_front(self: render_checks._Share) -> Iterator[int]:
        for i in real_front(self):
            if i == 10:
                return  # reached stays at the last whole chunk: 0
            yield i

    def first(indices: Iterable[int] | None) -> tuple[list[tuple[int, str]], list[int]]:
        return _checked(list(range(n) if indices is None else indices))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render_checks._Share, "front", short_front)
        (found, skipped), _ = render_checks.in_two_processes(first, lambda: "second", n)
    assert [i for i, _ in found] == [i for i in range(n) if i % 3]
    assert skipped == [i for i in range(n) if not i % 3]
    assert {who for _, who in found} == {f"pid {parent}"}
    assert _no_children_left()


def test_rendered_kinds_are_the_templates_kinds(repo_root: Path) -> None:
    """The child warms up the schemas of exactly the kinds the templates render."""
    pairs = set()
    for template in (repo_root / "templates").rglob("*.j2"):
        text = template.read_text()
        pairs |= set(re.findall(r'^apiVersion: "([^"]+)"\nkind: "([^"]+)"', text, re.M))
    assert set(render_checks.RENDERED_KINDS) == pairs


def test_the_verdict_does_not_wait_for_the_child_to_exit_and_close_reaps_it(
    homelab: Path,
) -> None:
    """The child closes its answer before its heap is freed: verdict() returns without
    reaping it (the render writes meanwhile), close() reaps it, never killing it."""
    config = homelab / "services.toml"
    validation = ForkedValidation([], "rendered", config)
    render_config(config, validation)
    verdict = validation.verdict()
    assert verdict == _verdict(TreeValidation([], "rendered"), config)
    pid = validation.pid
    assert pid is not None  # not reaped yet
    validation.close()
    assert validation.pid is None and _no_children_left()


def test_a_grandchild_left_exiting_is_reaped_by_reap_exiting() -> None:
    """wait=False (the validation process): the result as with wait=True, the grandchild
    reaped later by reap_exiting, none left behind."""
    n = 300

    def first(indices: Iterable[int] | None) -> tuple[list[tuple[int, str]], list[int]]:
        found, skipped = _checked(list(range(n) if indices is None else indices))
        return [(i, "x") for i, _ in found], skipped

    waited = render_checks.in_two_processes(first, lambda: "second", n)
    left = render_checks.in_two_processes(first, lambda: "second", n, wait=False)
    assert left == waited
    render_checks.reap_exiting()
    assert not render_checks._EXITING and _no_children_left()


def test_schemas_shared_with_a_slow_grandchild_give_the_same_report(homelab: Path) -> None:
    """The grandchild starts late, so this process checks the back half of the schemas
    (after the tree checks, which may have moved an object to its app's namespace): the same
    findings, in the same order, the same counts as in one process."""
    config = homelab / "services.toml"
    text = config.read_text().replace(*BAD_PROBE)
    config.write_text(text + "".join(_service(i) for i in range(150)))
    docs = documents_from_texts(render_config(config).files)
    options = ValidateOptions(
        kubernetes_version="1.28", ignore_missing_schemas=True, repo_root_in_git="kubernetes/argocd"
    )
    alone = validate_documents(docs, options=options)
    parent = os.getpid()
    shares: list[int] = []

    def late(first: Any, second: Any, n: int) -> Any:
        def checked(indices: Iterable[int] | None) -> Any:
            if os.getpid() != parent:
                time.sleep(0.5)  # this process is done with the tree first: it takes a share
            elif indices is not None:
                indices = list(indices)
                shares.append(len(indices))
            return first(indices)

        return render_checks.in_two_processes(checked, second, n)

    split = validate_documents(docs, options=options, both=late)
    assert shares and shares[0] > 100  # this process checked a real share
    assert split.findings == alone.findings
    assert (split.skipped, split.resources) == (alone.skipped, alone.resources)
    assert any(f.failing for f in split.findings)
    assert _no_children_left()
