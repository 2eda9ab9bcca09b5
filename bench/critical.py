"""CPU time of render's validation process after the last file is parsed: its critical path.

On a loaded machine wall times say little; CPU time per step does. This renders N services
(bench/synth.py) in this process, parses the tree as the validation process does, then runs
its last steps as a render does, with the schema checks split off into a forked grandchild,
and prints the CPU seconds of each: the expand stage, the load (objects, pins), this
process's side of the split (tree checks and its share of the schemas), the grandchild's
(RUSAGE_CHILDREN, its exit included), the rest; and the critical path: expand + load +
the larger side + rest. Usage: ``python bench/critical.py [N]`` (default 1000). Run it with
PYTHONPATH set to another checkout's src for an A/B.
"""

from __future__ import annotations

import gc
import inspect
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import synth


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    """Time the validation process's last steps once."""
    gc.disable()  # as the validation process runs
    from homegen.config.loader import read_config
    from homegen.plan.build import build_plan
    from homegen.render.tree import render_tree
    from homegen.validate import run
    from homegen.validate.background import _expand_imports
    from homegen.validate.reader.documents import YAML_SUFFIXES, parse_text
    from homegen.validate.render_checks import (
        Settings,
        _expand,
        _options,
        in_two_processes,
        warm_up,
    )

    _expand_imports()
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as config_file:
        config_file.write(synth(int(argv[0]) if argv else 1000))
        config_file.flush()
        config = read_config(Path(config_file.name))
    plan = build_plan(config)
    files = {p: t.encode() for p, t in render_tree(plan).items()}
    pins = (("argo-cd", config.argocd.version),)
    classes = tuple(config.cluster.storage_classes)
    settings = Settings(
        config.cluster.kubernetes_version, plan.tree_path, (), "rendered/", pins,
        storage_classes=classes,
    )  # fmt: skip
    warm_up(settings)
    by_file = {p: parse_text(p, d.decode()) for p, d in files.items() if p.endswith(YAML_SUFFIXES)}
    docs = [doc for path in sorted(by_file) for doc in by_file[path]]
    clock = time.process_time
    options = _options(settings)
    start = clock()
    docs, options.expansion = _expand(docs, settings, options)
    steps = {"expand": clock() - start}
    marks: dict[str, float] = {"start": clock()}

    def both(first: Any, second: Any, *rest: Any) -> Any:
        steps["load"] = clock() - marks["start"]
        mine, theirs = clock(), _children_cpu()
        answer = in_two_processes(first, second, *rest)
        steps["this side"] = clock() - mine
        steps["grandchild"] = _children_cpu() - theirs
        marks["end"] = clock()
        return answer

    run.validate_documents(docs, options=options, both=both)
    steps["rest"] = clock() - marks["end"]
    critical = steps["expand"] + steps["load"] + steps["rest"]
    critical += max(steps["this side"], steps["grandchild"])
    shared = "n" in inspect.signature(in_two_processes).parameters
    print(
        " ".join(f"{name} {seconds:.3f}" for name, seconds in steps.items())
        + f" -> critical {critical:.3f} s CPU ({'shared' if shared else 'split'} schemas)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
