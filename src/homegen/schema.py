"""The JSON Schema of services.toml, exported from the models for editors (taplo, VS Code).

The pydantic models stay the source of truth: the schema is derived, deterministic, and
committed as ``services.schema.json`` so that `homegen schema --check` catches drift.
"""

from __future__ import annotations

import json
from typing import Any

from homegen.config.models import Config

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "services.schema.json"
TITLE = "homegen services.toml"


def schema_dict() -> dict[str, Any]:
    """The schema as a JSON-ready dict (Draft 2020-12)."""
    schema = Config.model_json_schema(mode="validation")
    # The model's title would be "Config"; editors show the title of the document.
    schema["title"] = TITLE
    schema["description"] = (
        "One file describing a homelab; `homegen render` turns it into the ArgoCD "
        "app-of-apps tree. Reference: the homegen README."
    )
    return {"$schema": DIALECT, **_strict_keys(schema)}


def _strict_keys(node: Any) -> Any:
    """Turn pydantic's ``patternProperties`` into ``propertyNames`` + ``additionalProperties``.

    pydantic writes a constrained dict key (a DNS-label app name) as patternProperties, which
    lets a key that does not match through unchecked; the models reject it, so must the schema.
    """
    if isinstance(node, list):
        return [_strict_keys(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict_keys(value) for key, value in node.items()}
    patterns = out.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "additionalProperties" not in out:
        ((pattern, values),) = patterns.items()
        del out["patternProperties"]
        out["propertyNames"] = {**out.get("propertyNames", {}), "pattern": pattern}
        out["additionalProperties"] = values
    return out


def schema_text() -> str:
    """The schema as canonical JSON text: sorted keys, 2-space indent, final newline."""
    return json.dumps(schema_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
