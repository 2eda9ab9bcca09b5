"""Synthetic services.toml files for the benchmark: the shipped homelab plus N services.

The platform part (cluster, argocd, gateway, network, secrets, apps) is the shipped
services.toml verbatim; its own services are replaced by N generated ones that look like a
real fleet: path and host routes, services sharing a namespace, services in the Gateway's
own namespace (no grant) and in their own (a ReferenceGrant each), plain env, op:// secret
env and secret files, HTTP/TCP probes, config files, persistent volumes and `after` chains.

Usage: ``python bench/synth.py N [OUT]`` (OUT defaults to stdout).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "services.toml"
GATEWAY_NAMESPACE = "traefik"


def platform_text() -> str:
    """The shipped services.toml up to its first [services.*] table."""
    text = SHIPPED.read_text(encoding="utf-8")
    cut = text.find("\n[services.")
    return text if cut < 0 else text[: cut + 1]


def _namespace(i: int) -> str | None:
    """Most services own a namespace; some share a team's, a few live next to the Gateway."""
    if i % 10 == 3:
        return GATEWAY_NAMESPACE
    if i % 4 == 1:
        return f"team-{i // 40:03d}"
    return None


def _route(i: int, name: str) -> str | None:
    """About 70% are routed: path prefixes on the lab domain, or hostnames of their own."""
    kind = i % 10
    if kind in (0, 2, 4, 6):
        rewrite = ', rewrite = "/"' if i % 20 == 0 else ""
        return f'route = {{ path = "/{name}"{rewrite} }}'
    if kind in (5, 7, 9):
        return f'route = {{ hosts = ["{name}.apps.example.net", "{name}.lab.techdufus.com"] }}'
    return None


def service_text(i: int) -> str:
    """One [services.svc-NNNNN] table."""
    name = f"svc-{i:05d}"
    port = 8000 + i % 1000
    lines = [
        f"[services.{name}]",
        f'description = "Synthetic service {i}"',
        f'image = "ghcr.io/example/{name}:1.{i % 50}.{i % 7}"',
        f"port = {port}",
        f"replicas = {1 + i % 3}",
    ]
    namespace = _namespace(i)
    if namespace:
        lines.append(f'namespace = "{namespace}"')
    if i % 8 == 0:
        lines.append('tier = "infra"')
        lines.append('after = ["traefik"]')
    elif i % 5 == 2 and i > 5:
        lines.append(f'after = ["svc-{i - 5:05d}"]')
    if i % 6 == 0:
        lines.append('args = ["--log-format", "json", "--listen", "0.0.0.0:' + str(port) + '"]')
    route = _route(i, name)
    if route:
        lines.append(route)
    lines.append(
        f'env = {{ LOG_LEVEL = "info", TZ = "Europe/Berlin", BASE_URL = "/{name}", '
        f'FEATURE_FLAGS = "a,b,{i % 13}", "WORKERS" = "{1 + i % 4}" }}'
    )
    secret = f'DATABASE_URL = "op://Homelab/{name}-db/url"'
    if i % 2 == 0:
        secret += f', API_TOKEN = "op://Homelab/{name}-api/token"'
    lines.append(f"secret_env = {{ {secret} }}")
    if i % 5 == 0:
        lines.append(f'secret_files = {{ "/etc/{name}/tls.key" = "op://Homelab/{name}-tls/key" }}')
    if i % 4 == 0:
        lines.append(
            f'config_files = {{ "/etc/{name}/config.yaml" = "listen: 0.0.0.0:{port}\\n'
            f'log:\\n  level: info\\nname: {name}\\n", "/etc/{name}/motd" = "on" }}'
        )
    if i % 3 == 0:
        lines.append(
            f'volumes = {{ data = {{ path = "/data", size = "{1 + i % 10}Gi" }}, '
            'cache = { path = "/cache", size = "512Mi", storage_class = "local-path" } }'
        )
        lines.append('writable_paths = ["/tmp", "/var/run"]')
    if i % 7 == 0:
        lines.append(f'probes.liveness = {{ type = "tcp", port = {port} }}')
    else:
        lines.append(f'probes.liveness = {{ type = "http", path = "/healthz", port = {port} }}')
        lines.append('probes.readiness = { type = "http", path = "/ready", initial_delay = 3 }')
    if i % 9 == 0:
        lines.append('resources = { cpu_request = "50m", memory_request = "64Mi", '
                     'cpu_limit = "1", memory_limit = "1Gi" }')  # fmt: skip
    return "\n".join(lines) + "\n"


def synth(count: int) -> str:
    """A whole services.toml with the shipped platform and count generated services."""
    parts = [platform_text(), f"# --- {count} synthetic services ---\n"]
    parts.extend("\n" + service_text(i) for i in range(count))
    return "".join(parts)


def main(argv: list[str]) -> int:
    """CLI: print or write a synthetic services.toml."""
    if not argv or not argv[0].isdigit():
        print("usage: synth.py N [OUT]", file=sys.stderr)
        return 2
    text = synth(int(argv[0]))
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
