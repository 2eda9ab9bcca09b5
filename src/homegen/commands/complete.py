"""Shell completion of service names; stdlib only, so a TAB press stays fast."""

from __future__ import annotations

from pathlib import Path

import typer


def service_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """Names of ``[services.*]`` in the --config file (or ./services.toml) starting with incomplete.

    Reads the file with tomllib only: completion must not import pydantic, and an unreadable
    or broken file completes nothing rather than printing an error into the shell.
    """
    import tomllib  # here, not at the top: cli imports this module and --help must stay fast

    config = ctx.params.get("config") or Path("services.toml")
    try:
        data = tomllib.loads(Path(config).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    services = data.get("services")
    if not isinstance(services, dict):
        return []
    return sorted(name for name in services if name.startswith(incomplete))
