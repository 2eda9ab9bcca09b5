"""Fake `op` and `kubectl` for the bootstrap script tests: they record, they never reach out.

Each call appends one JSON line to $FAKE_LOG: the program, its arguments, the standard input it
was given (only for `-f -`) and the bytes of every `--from-file=KEY=PATH` (read at call time,
since the script deletes its temporary files when it ends).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKE_OP = """
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({"prog": "op", "args": args}) + "\\n")
if args[:1] == ["whoami"]:
    sys.exit(1 if os.environ.get("FAKE_OP_SIGNED_OUT") else 0)
if args[:1] == ["read"]:
    values = json.loads(open(os.environ["FAKE_OP_VALUES"]).read())
    ref = args[-1]
    if ref not in values:
        sys.stderr.write(f"[ERROR] could not read secret '{ref}': item not found\\n")
        sys.exit(1)
    sys.stdout.write(values[ref])
    sys.exit(0)
sys.exit(3)
"""

FAKE_KUBECTL = """
import base64, json, os, sys
args = sys.argv[1:]
entry = {"prog": "kubectl", "args": args, "files": {}}
if "-f" in args and args[args.index("-f") + 1] == "-":
    entry["stdin"] = sys.stdin.read()
for arg in args:
    if arg.startswith("--from-file="):
        key, _, path = arg[len("--from-file="):].rpartition("=")
        entry["files"][key] = base64.b64encode(open(path, "rb").read()).decode()
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(entry) + "\\n")
if args[:1] == ["cluster-info"]:
    sys.exit(1 if os.environ.get("FAKE_KUBECTL_DOWN") else 0)
if "--dry-run=client" in args:
    kind, name = args[1], args[3] if args[1] == "secret" else args[2]
    sys.stdout.write(f"FAKE-MANIFEST {kind} {name}\\n")
    sys.exit(0)
# With $FAKE_CLUSTER (a JSON file) the fake keeps the objects a real cluster would: create
# refuses an object that exists, apply creates or configures it (runs share the cluster).
cluster = os.environ.get("FAKE_CLUSTER")
if cluster and (args[:1] == ["create"] or args[:3] == ["apply", "-f", "-"]):
    objects = json.load(open(cluster)) if os.path.exists(cluster) else []
    if args[0] == "create":
        kind, name = args[1], args[3] if args[1] == "secret" else args[2]
        created = f"{kind}/{name}"
        if created in objects:
            sys.stderr.write(f'Error from server (AlreadyExists): {created} already exists\\n')
            sys.exit(1)
    else:
        _, kind, name = entry["stdin"].split()
        created = f"{kind}/{name}"
        sys.stdout.write(f"{created} {'configured' if created in objects else 'created'}\\n")
    objects = sorted(set(objects) | {created})
    json.dump(objects, open(cluster, "w"))
"""


@dataclass
class Run:
    """One script run: exit code, output and the calls the fakes recorded."""

    code: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]

    def of(self, prog: str) -> list[list[str]]:
        """The argument lists of every call of prog, in order."""
        return [c["args"] for c in self.calls if c["prog"] == prog]

    def created_secrets(self) -> dict[tuple[str, str], dict[str, bytes]]:
        """(namespace, name) → {key: bytes} of every `kubectl create secret generic`."""
        found = {}
        for call in self.calls:
            args = call["args"]
            if call["prog"] == "kubectl" and args[:3] == ["create", "secret", "generic"]:
                ns = next(a.split("=", 1)[1] for a in args if a.startswith("--namespace="))
                files = {k: base64.b64decode(v) for k, v in call["files"].items()}
                found[(ns, args[3])] = files
        return found


def fake_bin(folder: Path, *, op: bool = True) -> Path:
    """A folder holding the fakes (op left out with op=False)."""
    folder.mkdir(parents=True, exist_ok=True)
    programs = {"kubectl": FAKE_KUBECTL, **({"op": FAKE_OP} if op else {})}
    for name, body in programs.items():
        path = folder / name
        path.write_text(f"#!{sys.executable}\n{body}")
        path.chmod(0o755)
    return folder


def run_script(
    script: Path,
    *args: str,
    work: Path,
    values: dict[str, str] | None = None,
    op: bool = True,
    env: dict[str, str] | None = None,
) -> Run:
    """Run script with bash, the fakes first on PATH; values are what `op read` returns."""
    bin_dir = fake_bin(work / "bin", op=op)  # creates work too
    log = work / "calls.jsonl"
    log.write_text("")
    (work / "values.json").write_text(json.dumps(values or {}))
    full_env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(work),
        "FAKE_LOG": str(log),
        "FAKE_OP_VALUES": str(work / "values.json"),
        "TMPDIR": str(work),
        **(env or {}),
    }
    proc = subprocess.run(
        ["bash", str(script), *args],
        capture_output=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        cwd=work,
        timeout=60,
        check=False,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode(), calls)
