"""Go text/template as the controller runs it: homegen's parser and evaluator against what Go
prints for the same template and data."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from homegen.appsets.gotemplate import OutOfTime, TemplateError, Unsupported, render
from tools import requires_extra

DATA: dict[str, Any] = {
    "name": "web",
    "tags": ["a", "b", "c"],
    "labels": {"z": "1", "a": "2"},
    "nothing": None,
    "n": 3.0,
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ range .tags }}{{ . }}{{ end }}", "abc"),
        ("{{ range $i, $t := .tags }}{{ $i }}={{ $t }} {{ end }}", "0=a 1=b 2=c "),
        ("{{ range $k, $v := .labels }}{{ $k }}{{ $v }}{{ end }}", "a2z1"),  # keys sorted
        ("{{ range 3 }}{{ . }}{{ end }}", "012"),
        ("{{ range until 2 }}x{{ end }}", "xx"),
        ("{{ range .missing }}x{{ else }}none{{ end }}", "none"),
        ('{{ range .tags }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', "a"),
        ('{{ range .tags }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', "ac"),
        ("{{ $x := .name }}{{ range .tags }}{{ $x }}{{ end }}", "webwebweb"),
        ("{{ $x := 1 }}{{ range .tags }}{{ $x = . }}{{ end }}{{ $x }}", "c"),
        ("{{ range .tags }}{{ $.name }}{{ end }}", "webwebweb"),
        ("{{ with $l := .labels }}{{ $l.a }}{{ end }}", "2"),
        ("{{ .missing.deeper }}", "<no value>"),
        ('{{ get (dict "k" .name) "k" }}', "web"),
        ("{{ .n }}", "3"),
        ('{{ if eq .n 3.0 }}y{{ end }}{{ if eq .missing "a" }}n{{ end }}', "y"),
        ('{{ if eq .name "x" "web" }}y{{ end }}{{ if ne .name "web" }}n{{ end }}', "y"),
        # Go's strings, not Python's
        ('{{ title "hELLO wORLD" }}', "HELLO WORLD"),
        ('{{ quote "é\t" nil }}', '"é\\t"'),
        ('{{ print 1 2 "a" 3 }}', "1 2a3"),
        ('{{ base "apps/web/" }}-{{ base "" }}', "web-."),
        ('{{ toJson (dict "b" .n "a" "<&>") }}', '{"a":"\\u003c\\u0026\\u003e","b":3}'),
        ("{{ toYaml .n }}", "3"),
    ],
)
def test_go_template_semantics(template: str, expected: str) -> None:
    assert render(template, DATA) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{{ if false }}{{ required "x" .name }}{{ end }}', 'function "required" not defined'),
        ("{{ include .name }}", 'function "include" not defined'),
        ('{{ env "HOME" }}', 'function "env" not defined'),
        ("{{ .nothing.deeper }}", "nil pointer evaluating interface {}.deeper"),
        ("{{ .name.deeper }}", "can't evaluate field deeper in type interface {}"),
        ("{{ range .n }}x{{ end }}", "range can't iterate over 3"),
        ("{{ $y }}", 'undefined variable "$y"'),
        # a float64 parameter against an int literal: Go refuses to compare
        ("{{ if eq .n 3 }}x{{ end }}", "incompatible types for comparison"),
        ("{{ if lt .n 4 }}x{{ end }}", "incompatible types for comparison"),
    ],
)
def test_go_template_errors(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(message)):
        render(template, DATA)


def test_missing_key_error_option_stops_at_the_first_missing_key() -> None:
    with pytest.raises(TemplateError, match='map has no entry for key "missing"'):
        render("{{ .missing.deeper }}", DATA, missing_error=True)


def test_named_templates_are_reported_not_evaluated() -> None:
    with pytest.raises(Unsupported):
        render('{{ define "x" }}y{{ end }}{{ template "x" }}', DATA)


def test_a_range_past_the_deadline_stops() -> None:
    with pytest.raises(OutOfTime):
        render("{{ range until 100000000 }}x{{ end }}", DATA, deadline=time.monotonic())


def test_a_sprig_function_homegen_lacks_gets_its_arguments_evaluated_by_homegen() -> None:
    requires_extra("charts")
    assert render('{{ printf "%05d" 42 }}-{{ .n | int }}', DATA) == "00042-3"
    # a float64 parameter under %s and %d prints as Go prints a wrong verb
    assert render('{{ printf "%s|%d|%v" .n .n .n }}', DATA) == "%!s(float64=3)|%!d(float64=3)|3"
    assert render("{{ upper (first .tags) }}", DATA) == "A"
    with pytest.raises(TemplateError):
        render('{{ fail "stop" }}', DATA)
