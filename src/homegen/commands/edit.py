"""`homegen init`, `add-service` and `remove-service`: the I/O shell around homegen.editor.

An edit is validated in memory with the same pipeline as `render` (load, plan, render)
before services.toml is touched, then written atomically, then rendered.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from homegen import console
from homegen.config.loader import read_config
from homegen.editor import Splice, plan_add, plan_remove
from homegen.errors import EXIT_OK, ConfigError, ConfigProblem, InvalidTreeError, UsageError
from homegen.pipeline import render_bytes
from homegen.schema import schema_text as exported_schema_text

SCHEMA_FILE = "services.schema.json"


class RejectedEdit(UsageError):
    """The edited services.toml would be invalid; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    def lines(self) -> list[str]:
        return [*self.problems, "nothing was written"]


@dataclass(frozen=True)
class ServiceFlags:
    """The flags of add-service, as given on the command line."""

    image: str
    port: int
    path: str | None = None
    hosts: Sequence[str] = ()
    namespace: str | None = None
    replicas: int | None = None
    env: Sequence[str] = ()
    secret_env: Sequence[str] = ()
    after: Sequence[str] = ()


def parse_pairs(values: Sequence[str], flag: str) -> dict[str, str]:
    """``KEY=VALUE`` flags as a dict; a value without ``=`` is a usage error naming the flag."""
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise UsageError(f"{flag} {value!r}: expected KEY=VALUE")
        if key in pairs:
            raise UsageError(f"{flag} {key}: given twice")
        pairs[key] = rest
    return pairs


def service_spec(flags: ServiceFlags) -> dict[str, Any]:
    """The ``[services.NAME]`` table the flags describe, keys in the order they are written."""
    spec: dict[str, Any] = {"image": flags.image, "port": flags.port}
    if flags.namespace is not None:
        spec["namespace"] = flags.namespace
    if flags.replicas is not None:
        spec["replicas"] = flags.replicas
    if flags.after:
        spec["after"] = list(flags.after)
    route: dict[str, Any] = {}
    if flags.path is not None:
        route["path"] = flags.path
    if flags.hosts:
        route["hosts"] = list(flags.hosts)
    if route:
        spec["route"] = route
    env = parse_pairs(flags.env, "--env")
    secret_env = parse_pairs(flags.secret_env, "--secret-env")
    if env:
        spec["env"] = env
    if secret_env:
        spec["secret_env"] = secret_env
    return spec


def run_add(
    config: Path,
    out: Path,
    name: str,
    flags: ServiceFlags,
    *,
    render: bool,
    schema_locations: Sequence[str] | None = None,
) -> int:
    """Add ``[services.NAME]`` to config, then render into out; the exit code."""
    spec = service_spec(flags)
    text = _read(config)
    splice = plan_add(text, name, spec, str(config))
    _check_edit(text, splice, config, f"add-service {name}", out, schema_locations)
    _write_atomic(config, splice.apply(text).encode("utf-8"))
    _note(f"added [services.{name}] to {config}")
    return _render(config, out, schema_locations) if render else EXIT_OK


def run_remove(
    config: Path,
    out: Path,
    name: str,
    *,
    render: bool,
    schema_locations: Sequence[str] | None = None,
) -> int:
    """Remove ``[services.NAME]`` from config, then render into out (pruning its files)."""
    text = _read(config)
    splice = plan_remove(text, name, str(config))
    _check_edit(text, splice, config, f"remove-service {name}", out, schema_locations)
    _write_atomic(config, splice.apply(text).encode("utf-8"))
    _note(f"removed [services.{name}] from {config}")
    return _render(config, out, schema_locations) if render else EXIT_OK


def _read(config: Path) -> str:
    """The text of a services.toml that is valid as it stands (else the error render gives)."""
    read_config(config)  # missing, unreadable or invalid: the same message as render
    return config.read_bytes().decode("utf-8")


def _check_edit(
    text: str,
    splice: Splice,
    config: Path,
    command: str,
    out: Path,
    schema_locations: Sequence[str] | None,
) -> None:
    """Run render's whole pipeline and validation on the edited text, in memory.

    Problems are reported against the file on disk; nothing is written when there are any.
    """
    from homegen.commands.render import validate_rendered

    try:
        rendered = render_bytes(splice.apply(text).encode("utf-8"), str(config))
        validate_rendered(rendered, schema_locations or (), out)
    except ConfigError as exc:
        raise RejectedEdit([_locate(p, text, splice, command) for p in exc.problems]) from None
    except InvalidTreeError as exc:
        raise RejectedEdit([f"{command}: {line}" for line in exc.findings]) from None


def _locate(problem: ConfigProblem, text: str, splice: Splice, command: str) -> str:
    """A problem of the edited text, as a line of the file on disk or of the command."""
    line = splice.old_line(text, problem.line)
    if line is None:
        return f"{command}: {problem.key}: {problem.message}"
    return str(ConfigProblem(problem.file, line, problem.col, problem.key, problem.message))


def _render(config: Path, out: Path, schema_locations: Sequence[str] | None) -> int:
    from homegen.commands.render import run_render

    return run_render(
        config,
        out,
        check=False,
        show_diff=False,
        force=False,
        schema_locations=schema_locations or (),
    )


def run_init(folder: Path) -> int:
    """Write a starter services.toml and its schema into folder; never overwrites."""
    targets = {
        folder / "services.toml": starter_text().encode("utf-8"),
        folder / SCHEMA_FILE: schema_text().encode("utf-8"),
    }
    existing = [str(path) for path in targets if path.exists()]
    if existing:
        raise UsageError(
            f"{', '.join(existing)}: already exists; homegen init never overwrites a file"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for path, data in targets.items():
        _write_atomic(path, data)
        _note(f"created {path}")
    _note(f"next: edit {folder / 'services.toml'}, then run `homegen render`")
    return EXIT_OK


def starter_text() -> str:
    """The starter services.toml shipped with homegen."""
    return resources.files("homegen").joinpath("starter.toml").read_text(encoding="utf-8")


def schema_text() -> str:
    """The JSON Schema of services.toml, as `homegen schema` writes it."""
    return exported_schema_text()


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace path with data through a temp file in the same folder; keep its mode."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _note(message: str) -> None:
    console.warn(message)
