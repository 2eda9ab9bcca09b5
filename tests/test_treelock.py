"""One render at a time per output folder (issue 18): concurrent renders in real processes,
a bounded wait naming the holder, a lock left by SIGKILL, and checks that never report a
half-written tree."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from homegen import treelock
from homegen.errors import TreeLockedError, UsageError
from robustness import MINIMAL, render_cli, render_process, tree_bytes

HOMEGEN_RENDER = (sys.executable, "-m", "homegen", "render")
SERVICES = 40  # enough files that four renders overlap


def fleet(port_base: int) -> str:
    """MINIMAL plus SERVICES routed services on ports from port_base."""
    return MINIMAL.read_text() + "".join(
        f'\n[services.svc-{i}]\nimage = "ghcr.io/example/svc:1.0.{i}"\nport = {port_base + i}\n'
        f'route = {{ path = "/svc-{i}" }}\n'
        for i in range(SERVICES)
    )


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """tmp/lab/services.toml (a fleet), no rendered/ yet; tmp/outside/ as a bystander."""
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "services.toml").write_text(fleet(8000))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "notes.txt").write_text("mine\n")
    return tmp_path / "lab"


@contextmanager
def held(folder: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold folder's lock in this process, as another homegen would."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def start(lab: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*HOMEGEN_RENDER, "-c", str(lab / "services.toml"), "-o", str(lab / "rendered"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for a started render; (exit code, stderr)."""
    _, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr


def outside_state(lab: Path) -> dict[str, bytes]:
    """Every file next to the lab and in it, but for the output folder and services.toml."""
    return {
        p.relative_to(lab.parent).as_posix(): p.read_bytes()
        for p in lab.parent.rglob("*")
        if p.is_file()
        and "rendered" not in p.relative_to(lab.parent).parts
        and p.name != "services.toml"
    }


def test_four_renders_at_once_all_succeed_and_leave_a_current_tree(lab: Path) -> None:
    before = outside_state(lab)
    for round_, port_base in enumerate([8000, 9000]):  # a first render, then a changed config
        (lab / "services.toml").write_text(fleet(port_base))
        runs = [start(lab) for _ in range(4)]
        results = [finish(p) for p in runs]
        for code, stderr in results:
            assert code == 0, f"round {round_}: exit {code}: {stderr}"
            assert "internal error" not in stderr
        assert sum("create" in err or "update" in err for _, err in results) >= 1
        code, text = render_cli(lab / "services.toml", lab / "rendered", "--check")
        assert code == 0, text
        assert not [p for p in tree_bytes(lab / "rendered") if p.endswith(".homegen-tmp")]
    assert outside_state(lab) == before


def test_checks_beside_renders_see_the_old_tree_or_the_new_one(lab: Path) -> None:
    out = lab / "rendered"
    assert render_cli(lab / "services.toml", out)[0] == 0
    old_tree = tree_bytes(out)
    (lab / "services.toml").write_text(fleet(9000))  # every service's port changes
    full = render_process(lab / "services.toml", out, "--check")
    assert full.returncode == 1
    stale = sorted(re.findall(r"would \w+ (\S+)", full.stderr))
    assert len(stale) > SERVICES
    for attempt in range(3):
        if attempt:
            shutil.rmtree(out)
            out.mkdir()
            for path, data in old_tree.items():
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                (out / path).write_bytes(data)
        writer = start(lab)
        checks = [start(lab, "--check") for _ in range(3)]
        code, stderr = finish(writer)
        assert code == 0, stderr
        for check in checks:
            code, stderr = finish(check)
            assert code in (0, 1), stderr
            if code == 1:  # it read the tree before the render: all of the drift, not a part
                assert sorted(re.findall(r"would \w+ (\S+)", stderr)) == stale
        assert render_cli(lab / "services.toml", out, "--check")[0] == 0


def test_a_busy_lock_waits_then_exits_1_naming_the_holder(lab: Path) -> None:
    out = lab / "rendered"
    assert render_cli(lab / "services.toml", out)[0] == 0
    (lab / "services.toml").write_text(fleet(9000))
    before = tree_bytes(out)
    for args in [(), ("--check",)]:
        with held(out):
            started = time.monotonic()
            proc = render_process(lab / "services.toml", out, "--lock-timeout", "0.5", *args)
            waited = time.monotonic() - started
        assert proc.returncode == 1, proc.stderr
        assert f"{out} is locked by another process (pid {os.getpid()})" in proc.stderr
        assert "gave up after 0.5 s (wait longer with --lock-timeout or HOMEGEN_LOCK_TIMEOUT)" in (
            proc.stderr
        )
        assert waited >= 0.5
        assert tree_bytes(out) == before  # nothing written


def test_a_render_waits_for_the_lock_and_says_so(lab: Path) -> None:
    out = lab / "rendered"
    out.mkdir()
    release = threading.Event()

    def hold() -> None:
        with held(out):
            release.wait(60)  # set as soon as the render said it waits

    holder = threading.Thread(target=hold)
    holder.start()
    waiting = f"{out} is locked by another process (pid {os.getpid()}): waiting up to 30 s"
    try:
        proc = start(lab, "--lock-timeout", "30")
        assert proc.stderr is not None
        # read until the render says it waits (no sleep: a slow start is not a failure); the
        # lock is still held, so the render cannot have finished
        said = ""
        for line in iter(proc.stderr.readline, ""):
            said += line
            if waiting in line:
                break
        assert proc.poll() is None  # still waiting
    finally:
        release.set()
        holder.join()
    code, stderr = finish(proc)
    said += stderr
    assert code == 0, said
    assert waiting in said
    assert render_cli(lab / "services.toml", out, "--check")[0] == 0


def test_checks_share_the_lock(lab: Path) -> None:
    out = lab / "rendered"
    assert render_cli(lab / "services.toml", out)[0] == 0
    with held(out, shared=True):
        proc = render_process(lab / "services.toml", out, "--check", "--lock-timeout", "0")
        assert proc.returncode == 0, proc.stderr
        busy = render_process(lab / "services.toml", out, "--lock-timeout", "0", "--force")
    assert busy.returncode == 1
    assert f"(pid {os.getpid()} (reading))" in busy.stderr


def test_a_lock_left_by_a_killed_holder_never_blocks(lab: Path) -> None:
    out = lab / "rendered"
    out.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(out)!r}, os.O_RDONLY | os.O_DIRECTORY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    busy = render_process(lab / "services.toml", out, "--lock-timeout", "0")
    assert busy.returncode == 1
    assert f"(pid {holder.pid})" in busy.stderr
    holder.send_signal(signal.SIGKILL)
    holder.communicate()

    proc = render_process(lab / "services.toml", out, "--lock-timeout", "0")

    assert proc.returncode == 0, proc.stderr


def test_a_render_killed_while_writing_never_blocks_the_next(lab: Path) -> None:
    out = lab / "rendered"
    proc = start(lab)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:  # staging: the lock is held
        if out.is_dir() and any(p.name.endswith(".homegen-tmp") for p in out.rglob(".*")):
            break
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()

    again = render_process(lab / "services.toml", out, "--lock-timeout", "0")

    assert again.returncode == 0, again.stderr
    assert render_cli(lab / "services.toml", out, "--check")[0] == 0


def test_a_failed_first_render_leaves_no_folder(lab: Path) -> None:
    (lab / "services.toml").write_text(MINIMAL.read_text() + '\n[services.web2]\nimage = "x"\n')
    code, _ = render_cli(lab / "services.toml", lab / "new" / "rendered")
    assert code == 2
    assert not (lab / "new").exists()


@pytest.mark.parametrize("value", ["abc", "-1", "nan"])
def test_a_bad_timeout_is_a_usage_error(
    lab: Path, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOMEGEN_LOCK_TIMEOUT", value)
    code, text = render_cli(lab / "services.toml", lab / "rendered")
    assert code == 2
    assert "HOMEGEN_LOCK_TIMEOUT" in text or "--lock-timeout" in text
    assert not (lab / "rendered").exists()


def test_lock_timeout_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOMEGEN_LOCK_TIMEOUT", raising=False)
    assert treelock.lock_timeout(None) == treelock.DEFAULT_TIMEOUT
    monkeypatch.setenv("HOMEGEN_LOCK_TIMEOUT", "2.5")
    assert treelock.lock_timeout(None) == 2.5
    assert treelock.lock_timeout(0) == 0
    monkeypatch.setenv("HOMEGEN_LOCK_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="HOMEGEN_LOCK_TIMEOUT='soon'"):
        treelock.lock_timeout(None)


def test_the_lock_follows_a_folder_replaced_while_waiting(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    out.mkdir()
    with held(out):
        with pytest.raises(TreeLockedError), treelock.tree_lock(out, shared=False, timeout=0):
            pass
        old = tmp_path / "old"
        out.rename(old)  # the holder's folder moves away; a new one takes its name
        out.mkdir()
        with treelock.tree_lock(out, shared=False, timeout=0):
            inode = os.stat(out).st_ino
        assert inode != os.stat(old).st_ino


def test_renders_of_two_configs_racing_leave_one_current_tree(lab: Path) -> None:
    configs = [lab / "a.toml", lab / "b.toml"]
    configs[0].write_text(fleet(8000))
    configs[1].write_text(fleet(9000).replace("[services.svc-3]\n", "[services.svc-x3]\n"))
    before = outside_state(lab)
    out = lab / "rendered"
    for _ in range(2):
        runs = [
            subprocess.Popen(
                [*HOMEGEN_RENDER, "-c", str(configs[i % 2]), "-o", str(out)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(4)
        ]
        for code, stderr in map(finish, runs):
            assert code == 0, stderr
        checks = [render_cli(config, out, "--check")[0] for config in configs]
        assert sorted(checks) == [0, 1]  # exactly one of the two configs, whole
    assert outside_state(lab) == before


SWAPPER = """
import os, sys, time
web, hidden, target, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
end = time.monotonic() + seconds
while time.monotonic() < end:
    try:
        os.rename(web, hidden)      # the real folder steps aside, inside the tree
        os.symlink(target, web)     # a symlink to the outside takes its place
        time.sleep(0.0005)
        os.unlink(web)
        os.rename(hidden, web)      # and back
    except OSError:
        pass
    time.sleep(0.0005)
"""


def test_a_folder_flipping_to_a_symlink_during_renders_never_leaks(lab: Path) -> None:
    out = lab / "rendered"
    assert render_cli(lab / "services.toml", out)[0] == 0
    victim_folder = lab.parent / "outside"
    before = outside_state(lab)
    swapper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SWAPPER,
            str(out / "manifests" / "svc-7"),
            str(out / "manifests" / ".svc-7-aside"),
            str(victim_folder),
            "4",
        ]
    )
    codes = []
    try:
        port = 8000
        while swapper.poll() is None:
            port += 100
            (lab / "services.toml").write_text(fleet(port))  # svc-7's files change each time
            proc = render_process(lab / "services.toml", out, "--force")
            assert "internal error" not in proc.stderr, proc.stderr
            assert proc.returncode in (0, 1), proc.stderr
            if proc.returncode == 1:
                # seen as a symlink, or gone between two looks (moved aside)
                reasons = ("a symlink (to", "moved or removed", "vanished", "replaced while")
                assert any(reason in proc.stderr for reason in reasons), proc.stderr
            codes.append(proc.returncode)
    finally:
        swapper.wait()
    assert outside_state(lab) == before  # nothing homegen wrote or deleted out there
    assert os.listdir(victim_folder) == ["notes.txt"]
    web, aside = out / "manifests" / "svc-7", out / "manifests" / ".svc-7-aside"
    if aside.exists():  # the swapper stopped mid-swap (a render may have made a new svc-7)
        if web.is_symlink():
            web.unlink()
        elif web.exists():
            shutil.rmtree(web)
        aside.rename(web)
    assert render_cli(lab / "services.toml", out, "--force")[0] == 0
    assert render_cli(lab / "services.toml", out, "--check")[0] == 0
    print(f"renders during the swaps: {len(codes)}, refused: {codes.count(1)}")
