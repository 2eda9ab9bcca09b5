"""When each step of one `homegen render` happens, in the parent and in its validation child.

Usage (in the folder of a services.toml): ``python bench/timeline.py [render options]``.
Runs the real CLI with a few of its functions wrapped to print ``pid seconds step`` on
stderr: the fork, the child's warm-up, the parent's plan, the moment the parent asks for
the verdict, the child's checks and the exit. `make bench` times whole processes; this
shows where in a render the two processes overlap and which one the other waits for.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

START = time.perf_counter()


def mark(step: str) -> None:
    """One line: the process, the seconds since start, the step."""
    sys.stderr.write(f"{os.getpid()} {time.perf_counter() - START:6.3f} {step}\n")


def main() -> None:
    """Wrap the steps, then run `homegen` with this script's arguments."""
    import homegen.cli as cli
    import homegen.validate.background as background
    import homegen.validate.render_checks as checks

    real_fork, real_warm_up = os.fork, background.warm_up
    real_check, real_exit = background.check_documents, cli._exit_now
    real_expand, real_split = checks._expand, checks.in_two_processes
    real_planned = background.ForkedValidation.planned
    real_verdict = background.ForkedValidation.verdict

    def fork() -> int:
        mark("fork")
        pid = real_fork()
        if pid == 0:
            mark("child: started")
        return pid

    def warm_up(guess: Any) -> None:
        mark("child: warm-up starts")
        real_warm_up(guess)
        mark("child: warm-up done")

    def check(docs: Any, settings: Any, **options: Any) -> Any:
        mark(f"child: {len(docs):,} documents parsed, checking")
        verdict = real_check(docs, settings, **options)
        mark("child: checked")
        return verdict

    def expand(docs: Any, settings: Any, options: Any) -> Any:
        result = real_expand(docs, settings, options)
        mark("child: expand stage done")
        return result

    def split(first: Any, second: Any, *rest: Any, **options: Any) -> Any:
        mark("child: loaded, pinned; grandchild forked for the schemas")

        def schemas(*indices: Any) -> Any:
            result = first(*indices)
            mark("schemas (a share) checked")  # the grandchild's pid, or the child's share
            return result

        def whole_tree() -> Any:
            result = second()
            mark("child: tree built, whole-tree checks done")
            return result

        answer = real_split(schemas, whole_tree, *rest, **options)
        mark("child: schema findings merged")
        return answer

    def planned(self: Any, config: Any, plan: Any) -> None:
        mark("parent: planned, rendering")
        real_planned(self, config, plan)

    def verdict(self: Any) -> Any:
        mark("parent: rendered and staged, waiting for the verdict")
        answer = real_verdict(self)
        mark("parent: verdict received")
        return answer

    def exit_now(code: object) -> Any:
        mark("parent: exit")
        return real_exit(code)

    os.fork = fork  # type: ignore[assignment]
    background.warm_up = warm_up
    background.check_documents = check
    checks._expand = expand
    checks.in_two_processes = split
    background.ForkedValidation.planned = planned  # type: ignore[method-assign]
    background.ForkedValidation.verdict = verdict  # type: ignore[method-assign]
    cli._exit_now = exit_now  # type: ignore[assignment]
    sys.argv = ["homegen", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
