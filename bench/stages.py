"""Where a render's time goes: each pipeline stage timed in one process.

Usage: ``python bench/stages.py N`` (a synthetic services.toml with N services, bench/synth.py)
or ``python bench/stages.py services.toml``. Imports are timed as stages of their own, in the
order `homegen render` needs them; the tree is validated the way render does it, then compared
with an empty folder. Complements `make bench`, which times whole processes.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import synth

REPO = Path(__file__).resolve().parents[1]


class Laps:
    """Prints the seconds since the previous lap, with a label."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()

    def __call__(self, label: str) -> None:
        now = time.perf_counter()
        print(f"{label:<34} {now - self.last:7.3f} s", flush=True)
        self.last = now

    def total(self) -> None:
        """The whole run, imports included."""
        print(f"{'total':<34} {time.perf_counter() - self.start:7.3f} s")


def _config_path(arg: str, work: Path) -> Path:
    if arg.isdigit():
        path = work / "services.toml"
        path.write_text(synth(int(arg)), encoding="utf-8")
        return path
    return Path(arg)


def main(argv: list[str]) -> int:
    """Time the stages of one render of argv[0]."""
    if len(argv) != 1:
        print("usage: stages.py N|services.toml", file=sys.stderr)
        return 2
    gc.disable()  # as homegen.cli.main does
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as tmp:
        config_path = _config_path(argv[0], Path(tmp))
        lap = Laps()
        import typer  # noqa: F401  (the CLI's own import)

        lap("import typer")
        from homegen.config.loader import read_config

        lap("import config (pydantic, models)")
        from homegen.plan.build import build_plan
        from homegen.render.tree import render_tree

        lap("import plan, render (jinja2)")
        from homegen.validate.reader.documents import documents_from_texts
        from homegen.validate.run import ValidateOptions, validate_documents
        from homegen.writer import compare

        lap("import validate (yaml)")
        config = read_config(config_path)
        lap("read_config (tomllib, models, checks)")
        plan = build_plan(config)
        lap("build_plan")
        files = {path: text.encode() for path, text in render_tree(plan).items()}
        lap(f"render_tree ({len(files):,} files)")
        docs = documents_from_texts(files)
        lap("validate: parse the YAML back")
        options = ValidateOptions(
            kubernetes_version=config.cluster.kubernetes_version,
            schema_locations=[],  # the built-in catalog, as a user's render
            ignore_missing_schemas=True,
            repo_root_in_git=plan.tree_path,
        )
        report = validate_documents(docs, options=options)
        lap(f"validate: schemas, integrity, policy ({len(report.findings)} findings)")
        compare(Path(tmp) / "rendered", files)
        lap("compare with an empty folder")
        lap.total()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
