"""`make mutate`: mutation testing of the modules where a silent bug costs users most.

Runs mutmut (the `mutate` extra) once per module group, each with its own test selection and
time limit, in a scratch folder .mutate/<group>/ (its own pyproject.toml, the sources linked),
so groups never share results and the checkout is never modified. mutmut runs, for each mutant,
only the selected tests that execute the mutated function, in a fork of one warm process.

    python tests/mutate.py                 # every group
    python tests/mutate.py writer ledger   # some groups
    HOMEGEN_MUTATE_MINUTES=5 python tests/mutate.py plan   # time limit per group (default 10)
    HOMEGEN_MUTATE_CHILDREN=1 python tests/mutate.py plan  # mutants run at once (default 2)

A group whose limit runs out is reported with its unchecked mutants (results are kept: the
next run goes on where it stopped). Never in CI: minutes of CPU on every push buy little.
The figures and the reason each survivor is equivalent are kept in docs/mutation.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRATCH = REPO / ".mutate"
CHILDREN = os.environ.get("HOMEGEN_MUTATE_CHILDREN", "2")  # parallel mutants per group
LINKED = ["src", "tests", "templates", "services.toml", "services.schema.json", "rendered", "docs"]


@dataclass(frozen=True)
class Group:
    """Modules mutated together and the tests that must kill their mutants."""

    name: str
    sources: tuple[str, ...]
    tests: tuple[str, ...]


# the validate tests of rules-integrity's rules (HG201-223, HG313-319): the files that assert
# their findings (or their absence), and test_fidelity_small, which imports integrity_argocd.
# Every validate test runs every check, so each file more costs every check mutant its seconds
_INTEGRITY_VALIDATE = (
    "validate_objects", "validate_policy", "validate_gateway", "validate_rules",
    "validate_argocd", "validate_integrity", "validate_appset", "fidelity_small",
    "fidelity_unknown", "fidelity_roots", "fidelity_kustomize", "fidelity_real",
    "fidelity_nested", "fidelity_cli", "fidelity_values", "fidelity_appsets", "selector_index",
)  # fmt: skip

# the validate tests of rules-tree's rules (HG130-132, HG224-226, HG230-233, HG250-252)
_TREE_VALIDATE = (
    "validate_crds", "validate_expansion_rules", "validate_appset", "validate_appset_expansion",
    "validate_appset_settings", "validate_integrity", "fidelity_unknown", "fidelity_values",
    "fidelity_appsets", "fidelity_kustomize", "fidelity_cli",
)  # fmt: skip

GROUPS = [
    Group(
        "ledger",
        ("src/homegen/ledger.py",),
        ("tests/test_ledger.py", "tests/test_writer.py", "tests/test_confinement.py"),
    ),
    Group(
        "writer",
        ("src/homegen/writer.py",),
        (
            "tests/test_writer.py",
            "tests/test_writer_staging.py",
            "tests/test_confinement.py",
            "tests/test_ledger.py",
            "tests/test_ownership.py",
            "tests/test_crash_safety.py",
            # forget_contents: what a staged diff keeps (the rest of the file tests the reader)
            "tests/test_render_memory.py::"
            "test_forgotten_contents_still_commit_creates_updates_and_deletes",
            # one config of test_ownership's 15 (the others check configs, not the writer: 2 s
            # each per surviving mutant); test_render_cli left out: its writer cases are the
            # ones above through the CLI, each validating the whole homelab
            "-k",
            "not survive_any_config or minimal",
        ),
    ),
    Group(
        "confined",  # the writer's confinement (issue 18): every path walked without symlinks
        ("src/homegen/confined.py",),
        (
            "tests/test_confinement.py",
            "tests/test_writer.py",
            "tests/test_writer_staging.py",
            "tests/test_ledger.py",
        ),
    ),
    Group(
        "rules-pods",
        tuple(
            f"src/homegen/validate/rules/{m}.py"
            for m in (
                "policy_pods",
                "pod_security",
                "policy_admission",
                "policy_controllers",
                "workloads",
            )
        ),
        (
            "tests/validate/test_validate_pods.py",
            "tests/validate/test_validate_pod_security.py",
            "tests/validate/test_validate_listener.py",
            "tests/validate/test_validate_policy.py",
            "tests/validate/test_selector_index.py",  # workloads.py's label and selector indexes
        ),
    ),
    Group(
        "rules-integrity",
        tuple(
            f"src/homegen/validate/rules/{m}.py"
            for m in (
                "policy_objects",
                "integrity_argocd",
                "integrity_gateway",
                "integrity_workloads",
            )
        ),
        tuple(f"tests/validate/test_{m}.py" for m in _INTEGRITY_VALIDATE),
    ),
    Group(
        "rules-tree",
        tuple(
            f"src/homegen/validate/rules/{m}.py"
            for m in (
                "integrity_crds",
                "integrity_storage",
                "integrity_charts",
                "integrity_expanded",
                "appsets",
            )
        ),
        (
            "tests/expand/test_rules.py",
            "tests/expand/test_cli_charts.py",
            "tests/appsets/",
            "tests/test_crd_order.py",
            "tests/test_homelab_mutations.py",
            # tests/validate/ last (its test modules import its conftest by name), and only
            # the files about these rules: every validate test runs every check, so with all
            # of them a killed check mutant ran minutes of other rules' trees first
            *(f"tests/validate/test_{m}.py" for m in _TREE_VALIDATE),
        ),
    ),
    Group(
        "plan",
        ("src/homegen/plan/",),
        (
            "tests/test_plan.py",
            "tests/test_plan_apps.py",
            "tests/test_plan_waves.py",
            "tests/test_plan_workload.py",
            "tests/test_crd_order.py",
            "tests/test_golden.py",
            "tests/test_cases.py",
            "tests/test_render_offline_exceptions.py",
            "tests/test_netpol_eval.py",  # plan/netpol.py: the policies evaluated on pods
            "tests/test_plan_netpol.py",
        ),
    ),
    Group("editor", ("src/homegen/editor.py",), ("tests/test_editor.py", "tests/test_cli_edit.py")),
]


def _config(group: Group) -> str:
    def toml_list(items: tuple[str, ...] | list[str]) -> str:
        return "[" + ", ".join(f'"{x}"' for x in items) + "]"

    return (
        "[tool.mutmut]\n"
        f"source_paths = {toml_list(group.sources)}\n"
        f"also_copy = {toml_list([p for p in LINKED if (REPO / p).exists()])}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(group.tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-m", "not slow", "-x"]\n'
    )


def _prepare(group: Group) -> Path:
    """The group's scratch folder: the repository's files linked, the group's config."""
    folder = SCRATCH / group.name
    folder.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = folder / name
        if (REPO / name).exists() and not link.is_symlink():
            link.symlink_to(REPO / name)
    config = folder / "pyproject.toml"
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8") + "\n" + _config(group)
    if not config.exists() or config.read_text(encoding="utf-8") != text:
        config.write_text(text, encoding="utf-8")
        shutil.rmtree(folder / "mutants", ignore_errors=True)  # new config: results are stale
    return folder


def _mutmut(folder: Path, *args: str, timeout: float | None = None) -> str:
    env = {
        **os.environ,
        "HOMEGEN_SHARED_SCHEMAS": str((REPO.parent / "shared" / "schemas").resolve()),
        "PYTHONWARNINGS": "ignore::UserWarning:mutmut",
    }
    command = [sys.executable, "-m", "mutmut", *args]
    try:
        done = subprocess.run(
            command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout,
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout or b""
        return out.decode() if isinstance(out, bytes) else out
    return done.stdout + done.stderr


def _results(folder: Path) -> dict[str, str]:
    """mutant name → status (killed, survived, timeout, no tests, not checked, ...)."""
    found = {}
    for line in _mutmut(folder, "results", "--all", "true").splitlines():
        match = re.match(r"\s+(\S+): (.+)$", line)
        if match:
            found[match[1]] = match[2].strip()
    return found


def run_group(group: Group, minutes: float) -> tuple[Counter[str], list[str]]:
    """Run one group within its time limit; (status counts, survivor names)."""
    folder = _prepare(group)
    start = time.monotonic()
    output = _mutmut(folder, "run", "--max-children", CHILDREN, timeout=minutes * 60)
    results = _results(folder)
    counts = Counter(results.values())
    if results and counts["not checked"] == len(results):
        # mutmut stopped before its first mutant (a failing clean run, a crash): say why
        tail = "\n".join(output.replace("\r", "\n").splitlines()[-15:])
        print(f"{group.name}: no mutant was checked; mutmut said:\n{tail}", file=sys.stderr)
    survivors = sorted(n for n, s in results.items() if s in ("survived", "no tests"))
    print(f"{group.name}: {dict(counts)} in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return counts, survivors


def score(counts: Counter[str]) -> str:
    """Killed (or timed out) among the mutants checked, as a percentage."""
    caught = counts["killed"] + counts["timeout"]
    checked = caught + counts["survived"] + counts["no tests"]
    return f"{100 * caught / checked:.1f}%" if checked else "n/a"


def main(argv: list[str]) -> int:
    """Run the named groups (all by default) and print a markdown summary on stdout."""
    wanted = [g for g in GROUPS if not argv or g.name in argv]
    if not wanted:
        print(f"unknown group; groups: {', '.join(g.name for g in GROUPS)}", file=sys.stderr)
        return 2
    minutes = float(os.environ.get("HOMEGEN_MUTATE_MINUTES", "10"))
    print("| group | mutants | killed | timeout | survived | no tests | not checked | score |")
    print("|---|---|---|---|---|---|---|---|")
    survivors: dict[str, list[str]] = {}
    for group in wanted:
        counts, survivors[group.name] = run_group(group, minutes)
        total = sum(counts.values())
        print(
            f"| {group.name} | {total} | {counts['killed']} | {counts['timeout']} | "
            f"{counts['survived']} | {counts['no tests']} | {counts['not checked']} | "
            f"{score(counts)} |",
            flush=True,
        )
    for name, names in survivors.items():
        for mutant in names:
            print(f"\n{name}: {mutant}")
            diff = _mutmut(SCRATCH / name, "show", mutant)
            lines = diff.splitlines()
            print("\n".join(x for x in lines if x[:1] in "-+" and not x.startswith(("---", "+++"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
