"""Kustomize builds: ``kubectl kustomize`` (or ``kustomize build``), whichever is present."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homegen.treeread import Refusal, Refused, TreeReader
from homegen.validate.reader.tree import as_dict

TIMEOUT_SECONDS = 120


class BuildFailed(Exception):
    """The build failed; the message is kustomize's own."""


def kustomize_command() -> list[str] | None:
    """The command that builds a folder, or None when neither tool is installed."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


def _offline_env() -> dict[str, str]:
    """The build's environment: remote resources were refused before it ran
    (``check_inputs``); should kustomize still reach for one, git may use no remote
    transport and HTTP goes to a closed local port (Go proxies all but loopback)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    closed = "http://127.0.0.1:9"
    env.update(
        HTTP_PROXY=closed, HTTPS_PROXY=closed, ALL_PROXY=closed, NO_PROXY="",
        GIT_ALLOW_PROTOCOL="file", GIT_TERMINAL_PROMPT="0",
    )  # fmt: skip
    return env


def build(folder: Path, flags: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
    """The YAML a kustomization folder builds to (with ``flags``, and ``env`` added to the
    offline environment); raises BuildFailed."""
    command = kustomize_command()
    if command is None:
        raise FileNotFoundError("neither kubectl nor kustomize is installed")
    try:
        done = subprocess.run(
            [*command, str(folder), *flags],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            env={**_offline_env(), **(env or {})},
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildFailed(f"no result after {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        raise BuildFailed(done.stderr.strip() or f"exit status {done.returncode}")
    return done.stdout


KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# kustomization fields that name local files or folders (a remote one only in _REMOTE_KEYS)
_REMOTE_KEYS = ("resources", "bases", "components")
_PATH_LISTS = (
    "crds", "configurations", "generators", "transformers", "validators",
    "patchesStrategicMerge",
)  # fmt: skip
_GENERATORS = ("configMapGenerator", "secretGenerator")


class NeedsNetwork(Exception):
    """The build needs a remote resource (the message is its URL): not built offline."""


@dataclass
class BuildInputs:
    """What a build reads: its folders and files (checked), and what else it asks for."""

    paths: list[Path] = field(default_factory=list)
    absolute: list[str] = field(default_factory=list)  # entries given as absolute paths
    helm_charts: bool = False  # a kustomization of the build has helmCharts


def check_inputs(reader: TreeReader, folder: Path) -> BuildInputs:
    """Check everything a build of ``folder`` reads, through the reader, before kustomize
    runs: every local path (resources, bases, components, patches, generator files, ...,
    recursively through the kustomizations they name) resolves inside the repository root
    and holds nothing the reader refuses. Raises BuildFailed naming the entry, or
    NeedsNetwork for a remote resource (kustomize would fetch it)."""
    seen: set[str] = set()
    queue = [folder]
    inputs = BuildInputs()
    while queue:
        current = queue.pop()
        if str(current) in seen:
            continue
        seen.add(str(current))
        inputs.paths.append(current)
        refused = _refusals_in(reader, current)
        if refused:
            names = ", ".join(f"{r.path} ({r.message})" for r in refused)
            raise BuildFailed(f"not built: {names}")
        spec = _kustomization(reader, current)
        inputs.helm_charts |= bool(_list(spec.get("helmCharts")))
        for entry, remote in _entries(spec):
            if os.path.isabs(entry):
                inputs.absolute.append(entry)
            queue += _check_entry(reader, current, entry, remote, inputs.paths)
    _refuse_over_limits(reader, inputs.paths)
    return inputs


def _refuse_over_limits(reader: TreeReader, paths: list[Path]) -> None:
    """Raise BuildFailed for an input over a tree file's limits (an alias bomb, nested too
    deep): kustomize expands every alias of a resource, whatever its file is named, and would
    run out of memory."""
    from homegen.validate.reader.documents import parse_with_yaml

    files = [p for p in paths if not p.is_dir()]
    files += [d / name for d in paths if d.is_dir() for name in KUSTOMIZATIONS]
    for path in files:
        try:
            text = reader.read_text(path)
        except (Refused, OSError, UnicodeDecodeError):
            continue  # refused or missing: kustomize fails on it, as it does offline
        name = Path(os.path.relpath(path, reader.base)).as_posix()
        for doc in parse_with_yaml(name, text):
            over = [p.message for p in doc.problems if p.message.endswith("not read")]
            if over:
                raise BuildFailed(f"not built: {name}:{doc.line}: {over[0]}")


def _refusals_in(reader: TreeReader, folder: Path) -> list[Refusal]:
    before = set(reader.refusals)
    reader.walk(folder, hidden=True, into_links=True)
    return [r for p, r in reader.refusals.items() if p not in before]


def _kustomization(reader: TreeReader, folder: Path) -> dict[str, Any]:
    import yaml

    for name in KUSTOMIZATIONS:
        try:
            loaded = yaml.safe_load(reader.read_text(folder / name))
        except FileNotFoundError:
            continue
        except (Refused, OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise BuildFailed(f"{name}: {exc}") from exc
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _entries(spec: dict[str, Any]) -> list[tuple[str, bool]]:
    """(path, may be remote) of every file or folder a kustomization names."""
    found = [(str(e), True) for key in _REMOTE_KEYS for e in _list(spec.get(key))]
    found += [(str(e), False) for key in _PATH_LISTS for e in _list(spec.get(key))]
    for key in ("patches", "patchesJson6902", "replacements"):
        found += [(str(p["path"]), False) for p in _list(spec.get(key)) if _has_path(p)]
    for key in _GENERATORS:
        for generator in _list(spec.get(key)):
            if isinstance(generator, dict):
                files = _list(generator.get("files")) + _list(generator.get("envs"))
                files += [generator["env"]] if generator.get("env") else []
                found += [(str(f).rpartition("=")[2], False) for f in files]
    for chart in _list(spec.get("helmCharts")):
        if isinstance(chart, dict):  # value files may be URLs: kustomize's loader fetches them
            files = [chart["valuesFile"]] if chart.get("valuesFile") else []
            found += [(str(f), True) for f in files + _list(chart.get("additionalValuesFiles"))]
    home = as_dict(spec.get("helmGlobals")).get("chartHome")
    if home:
        found.append((str(home), False))
    openapi = spec.get("openapi")
    if isinstance(openapi, dict) and openapi.get("path"):
        found.append((str(openapi["path"]), False))
    return found


def _has_path(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("path"), str)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _remote_form(entry: str) -> bool:
    """Whether kustomize would fetch ``entry`` when no such local path exists: a git
    shorthand (``git@host:org/repo``, ``git::...``) or ``host.tld/org/repo...``."""
    if entry.startswith(("git@", "git::")):
        return True
    host, slash, _rest = entry.partition("/")
    return bool(slash) and "." in host.strip(".") and host not in (".", "..")


def _check_entry(
    reader: TreeReader, folder: Path, entry: str, remote: bool, files: list[Path]
) -> list[Path]:
    """The folder to check next (a local base), after checking one entry (a file is added
    to ``files``)."""
    if remote and "://" in entry:
        raise NeedsNetwork(entry)
    try:
        path = reader.resolve(folder, entry, what="kustomize path")
        st = reader.check(path)
    except Refused as exc:
        raise BuildFailed(exc.refusal.message) from exc
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        if missing and remote and _remote_form(entry):  # kustomize would clone it
            raise NeedsNetwork(entry) from exc
        return []  # kustomize fails on it, offline
    if stat.S_ISDIR(st.st_mode):
        return [path]
    files.append(path)
    return []
