"""The benchmark's markdown table and the budget of DESIGN.md "Performance budget"."""

from __future__ import annotations

from measure import Sample

HELP_BUDGET = 0.100
HOMELAB_BUDGET = 0.300
THOUSAND_BUDGET = 1.5
FLOOR_RATIO_BUDGET = 2.5
CHECK_RATIO_BUDGET = 1.2  # issue 29: `render --check` of a current tree at most 1.2x the floor
VALIDATE_BUDGET = 3.0
GROWTH_BUDGET = 11.0  # issue 29: 10,000 services at most 11x the 1,000-service figure
MEMORY_BUDGET_MB = 500.0


def _floor(results: list[Sample], label: str) -> Sample | None:
    return next((s for s in results if s.label == label and s.command == "floor"), None)


def markdown_table(results: list[Sample]) -> str:
    """One row per figure: median and min wall time, peak RSS and the ratio to the floor."""
    rows = [
        "| input | command | median (s) | min (s) | runs | peak RSS (MiB) | x floor |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in results:
        floor = _floor(results, s.label)
        ratio = f"{s.median / floor.median:.2f}" if floor and s.command != "floor" else "-"
        rows.append(
            f"| {s.label} | {s.command} | {s.median:.3f} | {min(s.walls):.3f} | {len(s.walls)} "
            f"| {s.peak_mb:.1f} | {ratio} |"
        )
    return "\n".join(rows)


def _find(results: list[Sample], size: int, command: str) -> Sample | None:
    return next((s for s in results if s.size == size and s.command == command), None)


def _line(ok: bool, text: str) -> str:
    return f"- {'PASS' if ok else 'FAIL'}: {text}"


def _thousand(results: list[Sample]) -> list[str]:
    out = []
    floor = _find(results, 1000, "floor")
    for command in ("render", "render --check"):
        s = _find(results, 1000, command)
        if s and floor:
            ratio = s.median / floor.median
            most = CHECK_RATIO_BUDGET if command == "render --check" else FLOOR_RATIO_BUDGET
            ok = s.median <= THOUSAND_BUDGET and ratio <= most
            out.append(
                _line(
                    ok,
                    f"1,000 services `{command}` {s.median:.3f} s (≤ {THOUSAND_BUDGET} s), "
                    f"{ratio:.2f}x the floor (≤ {most}x)",
                )
            )
    s = _find(results, 1000, "validate")
    if s:
        ok = s.median <= VALIDATE_BUDGET
        out.append(_line(ok, f"1,000 services `validate` {s.median:.3f} s (≤ {VALIDATE_BUDGET} s)"))
    return out


def _growth(results: list[Sample]) -> list[str]:
    out = []
    for command in ("render", "render --check", "validate"):
        small, big = _find(results, 1000, command), _find(results, 10_000, command)
        if small and big:
            growth = big.median / small.median
            # MB as DESIGN.md says it: 10^6 bytes (the table's MiB are 2^20)
            ok = growth <= GROWTH_BUDGET and big.peak_kb * 1024 <= MEMORY_BUDGET_MB * 1e6
            out.append(
                _line(
                    ok,
                    f"10,000 services `{command}` {big.median:.3f} s = {growth:.1f}x the "
                    f"1,000 figure (≤ {GROWTH_BUDGET:g}x), peak {big.peak_mb:.0f} MiB = "
                    f"{big.peak_kb * 1024 / 1e6:.0f} MB (≤ {MEMORY_BUDGET_MB:g} MB)",
                )
            )
    return out


CHARTS_WARM_BUDGET = 0.1  # issue 29: warm chart expansion costs at most this much more


def budget_notes(results: list[Sample]) -> str:
    """PASS/FAIL lines for every budget the results can speak to."""
    lines = ["## Budget (DESIGN.md, Performance budget)", ""]
    help_ = _find(results, 0, "homegen --help")
    if help_:
        lines.append(
            _line(
                help_.median <= HELP_BUDGET,
                f"`homegen --help` {help_.median * 1000:.0f} ms (≤ {HELP_BUDGET * 1000:.0f} ms)",
            )
        )
    homelab = next(
        (s for s in results if s.label == "shipped homelab" and s.command == "render"), None
    )
    if homelab:
        lines.append(
            _line(
                homelab.median <= HOMELAB_BUDGET,
                f"shipped homelab `render` "
                f"{homelab.median * 1000:.0f} ms (≤ {HOMELAB_BUDGET * 1000:.0f} ms)",
            )
        )
    warm = next((s for s in results if s.label == "homelab + charts" and "warm" in s.command), None)
    if homelab and warm:
        extra = warm.median - homelab.median
        lines.append(
            _line(
                extra <= CHARTS_WARM_BUDGET,
                f"homelab `render --charts` with a warm cache {extra * 1000:+.0f} ms over the "
                f"render without charts (≤ {CHARTS_WARM_BUDGET * 1000:.0f} ms)",
            )
        )
    lines += _thousand(results) + _growth(results)
    k8s = next((s for s in results if s.command.startswith("kubernetes-validate")), None)
    ours = _find(results, 1000, "validate")
    if k8s and ours:
        lines.append(
            f"- `homegen validate` (schemas + integrity + policy, all kinds) is "
            f"{k8s.median / ours.median:.1f}x faster than kubernetes-validate's CLI on the "
            "core kinds alone of the same tree"
        )
    return "\n".join(lines)
