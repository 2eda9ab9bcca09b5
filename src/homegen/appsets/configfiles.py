"""Config files of the git files generator (and ``elementsYaml``), read as ArgoCD reads them:
with a YAML parser (sigs.k8s.io/yaml) whatever the extension, numbers as float64."""

from __future__ import annotations

import json
from typing import Any

import yaml

from homegen.appsets.govalues import TemplateError


class _Loader(yaml.SafeLoader):
    """YAML 1.1 as go-yaml reads it into ``any``: a date stays a string."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_NODES = 1_000_000  # values in one file once YAML aliases are expanded (alias bombs)


def json_numbers(value: Any, budget: list[int] | None = None) -> Any:
    """Every number as a float, as Go decodes JSON into ``any`` (``1000000`` prints 1e+06);
    a copy, so YAML aliases are expanded: more than MAX_NODES values is a TemplateError."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise TemplateError(f"more than {MAX_NODES} values once YAML aliases are expanded")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {str(k): json_numbers(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [json_numbers(v, budget) for v in value]
    return value


def load_yaml(text: str) -> Any:
    """One YAML (or JSON) document; ValueError when it is neither."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        # JSON is YAML to Go's parser, tabs included; PyYAML refuses some tabs
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(str(exc).splitlines()[0]) from exc


def config_objects(
    file: str, data: bytes | None, *, only_list: bool = False
) -> list[dict[str, Any]]:
    """The parameter objects of one file: a mapping (an empty file is one empty mapping) or a
    list of mappings; anything else fails the generator, as in the controller."""
    if data is None:
        raise TemplateError(f"cannot read {file}")
    try:
        content = load_yaml(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TemplateError(f"{file}: unable to parse file: {exc}") from exc
    if content is None:
        return [] if only_list else [{}]
    if isinstance(content, dict) and not only_list:
        return [json_numbers(content)]
    if isinstance(content, list) and all(isinstance(item, dict) for item in content):
        return [json_numbers(item) for item in content]
    raise TemplateError(f"{file}: unable to parse file: not a mapping or a list of mappings")
