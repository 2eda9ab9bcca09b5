"""`homegen secrets`: every Secret key made from 1Password, as a table or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from homegen import console
from homegen.config.loader import read_config
from homegen.errors import EXIT_OK, UsageError
from homegen.plan.build import build_plan
from homegen.plan.model import Plan

OUTPUTS = ("text", "json")
SCRIPT = "setup-secrets.sh"
COLUMNS = ("namespace", "secret", "key", "reference", "created_by")


@dataclass(frozen=True, order=True)
class SecretRow:
    """One key of a Kubernetes Secret, the 1Password reference it holds and who creates it."""

    namespace: str
    secret: str
    key: str
    reference: str
    created_by: str  # setup-secrets.sh, or the operator that services.toml chose


def secret_rows(plan: Plan) -> list[SecretRow]:
    """Every Secret key of the plan, sorted: the script's, plus the operator's if one is chosen."""
    rows = {
        SecretRow(k.namespace, k.secret, k.key, k.reference, SCRIPT) for k in plan.bootstrap_keys
    }
    if plan.secrets_provider != "script":
        rows |= {
            SecretRow(s.namespace, s.name, key, ref, plan.secrets_provider)
            for s in plan.all_secrets
            for key, ref in s.keys
        }
    return sorted(rows)


def format_text(rows: list[SecretRow]) -> str:
    """An aligned table with a header line."""
    table = [tuple(c.upper().replace("_", " ") for c in COLUMNS)]
    table += [(r.namespace, r.secret, r.key, r.reference, r.created_by) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n"
        for line in table
    )


def format_json(rows: list[SecretRow]) -> str:
    """A JSON list of objects, one per Secret key."""
    return json.dumps([asdict(r) for r in rows], indent=2) + "\n"


def run_secrets(config_path: Path, output: str) -> int:
    """Print the Secret keys of config_path's plan on stdout; the exit code."""
    if output not in OUTPUTS:
        raise UsageError(f"--output: {output!r} is not one of {', '.join(OUTPUTS)}")
    rows = secret_rows(build_plan(read_config(config_path)))
    if output == "json":
        console.out_json(format_json(rows))
    else:
        console.out(format_text(rows))
    return EXIT_OK
