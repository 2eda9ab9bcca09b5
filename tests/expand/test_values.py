"""Values arithmetic (layers, --set parameters) and the values-key check, without Helm."""

from __future__ import annotations

from homegen.expand.setvalues import merge_values, set_parameter
from homegen.expand.valuekeys import template_paths, unknown_keys


def test_later_layers_win_and_maps_merge() -> None:
    merged = merge_values({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}}, {"d": [1]})
    assert merged == {"a": {"b": 3, "c": 2}, "d": [1]}


def test_parameters_are_typed_as_helm_types_them() -> None:
    values: dict[str, object] = {}
    set_parameter(values, "a.b", "2", False)
    set_parameter(values, "a.c", "true", False)
    set_parameter(values, "a.d", "2", True)
    set_parameter(values, "list[1].x", "y", False)
    set_parameter(values, r"ann.example\.com/key", "v", False)
    assert values == {
        "a": {"b": 2, "c": True, "d": "2"},
        "list": [None, {"x": "y"}],
        "ann": {"example.com/key": "v"},
    }


DEFAULTS = {"image": {"tag": "1", "repository": "x"}, "labels": {}, "resources": None}


def test_a_key_missing_under_a_filled_default_map_is_a_warning_with_a_hint() -> None:
    [problem] = unknown_keys({"image": {"tga": "2"}}, DEFAULTS, None, [])
    assert problem.path == "image.tga" and not problem.error
    assert "did you mean image.tag?" in problem.message


def test_empty_default_maps_and_global_and_subcharts_take_any_key() -> None:
    user = {"labels": {"a": "b"}, "global": {"x": 1}, "sub": {"y": 2}, "resources": {"z": 1}}
    assert unknown_keys(user, DEFAULTS, None, ["sub"]) == []


def test_a_key_the_schema_lists_nowhere_is_an_error() -> None:
    schema = {"properties": {"image": {"properties": {"tag": {}, "repository": {}}}}}
    [problem] = unknown_keys({"image": {"tga": "2"}}, DEFAULTS, schema, [])
    assert problem.error


def test_keys_the_templates_read_or_pass_on_whole_are_known() -> None:
    templates = [
        "{{ range .Values.flags.excludePrefixes }}{{ end }}",
        "{{- with .Values.podSecurityContext }}\n  {{- toYaml . | nindent 8 }}\n{{- end }}",
    ]
    defaults = {"flags": {"logLevel": "debug"}, "podSecurityContext": {"runAsNonRoot": True}}
    user = {"flags": {"excludePrefixes": ["a"]}, "podSecurityContext": {"fsGroup": 1}}
    assert unknown_keys(user, defaults, None, [], templates) == []
    read, whole = template_paths(templates)
    assert "flags.excludePrefixes" in read and whole == {"podSecurityContext"}
