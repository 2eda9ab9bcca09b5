"""CEL rules (x-kubernetes-validations) and keyed lists of CRDs: HG120-HG123.

Hand-written objects that break the Gateway API v1.2.1 rules of the built-in catalog, each
reported with the rule's message; rules homegen cannot evaluate are named, never passed."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from validate_trees import write_tree

from conftest import Validate
from homegen.validate.engine import cel
from homegen.validate.engine.crd_rules import escape
from homegen.validate.findings import Finding, Report
from homegen.validate.reader.documents import load_tree
from homegen.validate.run import ValidateOptions, forget_validators, validate_documents
from tools import has_extra

ROUTE = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: web}
spec:
  parentRefs: [{name: gw, namespace: gw}]
  rules:
"""


def _route(rules: str) -> dict[str, str]:
    text = textwrap.dedent(ROUTE).lstrip() + textwrap.indent(textwrap.dedent(rules), "    ")
    return {"route.yaml": text}


def _cel(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.rule.startswith("HG12")]


@pytest.mark.extra("cel")
def test_a_clean_route_passes_every_rule(validate: Validate) -> None:
    report = validate(
        _route("""
        - matches: [{path: {type: PathPrefix, value: /web}, headers: [{name: a, value: b}]}]
          filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch,
                                                           replacePrefixMatch: /}}}]
          backendRefs: [{name: web, port: 80}]
          timeouts: {request: 10s, backendRequest: 5s}
        - backendRefs: [{name: web, port: 80}]  # matches defaulted to PathPrefix /
        """)
    )
    assert _cel(report) == []


BROKEN = {
    "path-not-absolute": (
        "- matches: [{path: {type: PathPrefix, value: web}}]\n",
        "HG120", "/spec/rules/0/matches/0/path", "must be an absolute path and start with '/'",
    ),
    "exact-path-with-dot-segment": (
        "- matches: [{path: {type: Exact, value: /a/../b}}]\n",
        "HG120", "/spec/rules/0/matches/0/path", "must not contain '/../'",
    ),
    "redirect-and-rewrite-in-one-rule": (
        """\
        - filters:
            - {type: RequestRedirect, requestRedirect: {scheme: https}}
            - {type: URLRewrite, urlRewrite: {hostname: x.example.com}}
        """,
        "HG120", "/spec/rules/0/filters", "either httpRouteFilterRequestRedirect or",
    ),
    "redirect-with-backends": (
        """\
        - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
          backendRefs: [{name: web, port: 80}]
        """,
        "HG120", "/spec/rules/0", "RequestRedirect filter must not be used together with backend",
    ),
    "two-rewrites": (
        """\
        - filters:
            - {type: URLRewrite, urlRewrite: {hostname: a.example.com}}
            - {type: URLRewrite, urlRewrite: {hostname: b.example.com}}
        """,
        "HG120", "/spec/rules/0/filters", "URLRewrite filter cannot be repeated",
    ),
    "filter-type-without-its-field": (
        "- filters: [{type: RequestHeaderModifier}]\n",
        "HG120", "/spec/rules/0/filters/0", "filter.requestHeaderModifier must be specified",
    ),
    "backend-timeout-over-request-timeout": (
        "- timeouts: {request: 5s, backendRequest: 10s}\n",
        "HG120", "/spec/rules/0/timeouts", "backendRequest timeout cannot be longer than request",
    ),
    "duplicate-header-matches": (
        "- matches: [{headers: [{name: X-A, value: '1'}, {name: X-A, value: '2'}]}]\n",
        "HG123", "/spec/rules/0/matches/0/headers/1", 'name="X-A"',
    ),
    "duplicate-query-param-matches": (
        "- matches: [{queryParams: [{name: q, value: '1'}, {name: q, value: '2'}]}]\n",
        "HG123", "/spec/rules/0/matches/0/queryParams/1", 'name="q"',
    ),
}  # fmt: skip


@pytest.mark.extra("cel")
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_broken_rule_is_reported(validate: Validate, case: str) -> None:
    rules, rule_id, path, message = BROKEN[case]
    found = _cel(validate(_route(rules)))
    assert [(f.rule, f.path) for f in found] == [(rule_id, path)], found
    (only,) = found
    assert message in only.message
    assert (only.file, only.line, only.object) == ("route.yaml", 1, "HTTPRoute/web/web")
    assert only.severity == "error"


@pytest.mark.extra("cel")
def test_parent_refs_rules_read_the_escaped_namespace(validate: Validate) -> None:
    """`namespace` is a CEL keyword: the rules spell it __namespace__."""
    files = {
        "route.yaml": textwrap.dedent("""\
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: web}
            spec:
              parentRefs: [{name: gw, namespace: gw}, {name: gw, namespace: gw}]
            """)
    }
    found = _cel(validate(files))
    assert [f.rule for f in found] == ["HG120"]
    assert "sectionName must be unique when parentRefs includes 2" in found[0].message
    assert found[0].path == "/spec/parentRefs"


@pytest.mark.extra("cel")
def test_gateway_rules(validate: Validate) -> None:
    files = {
        "gateway.yaml": textwrap.dedent("""\
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: gw}
            spec:
              gatewayClassName: traefik
              listeners:
                - {name: web, port: 80, protocol: HTTP, tls: {mode: Terminate,
                   certificateRefs: [{name: cert}]}}
                - {name: web, port: 8080, protocol: HTTP}
            """)
    }
    messages = sorted(f.message for f in _cel(validate(files)))
    assert messages == [
        "Listener name must be unique within the Gateway",
        'duplicate entry name="web" in a list keyed by it',  # HG123: listeners keyed by name
        "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
    ]


def test_transition_rules_do_not_apply_to_a_tree(validate: Validate) -> None:
    """GatewayClass.spec.controllerName is immutable (self == oldSelf): only on update."""
    files = {
        "class.yaml": textwrap.dedent("""\
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: traefik}
            spec: {controllerName: traefik.io/gateway-controller}
            """)
    }
    assert _cel(validate(files)) == []


def _widget_schema(tmp_path: Path, rules: list[dict[str, Any]]) -> str:
    folder = tmp_path / "schemas" / "example.com"
    folder.mkdir(parents=True)
    schema = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "properties": {"url": {"type": "string"}, "size": {"type": "integer"}},
                "x-kubernetes-validations": rules,
            },
        },
    }
    (folder / "widget_v1.json").write_text(json.dumps(schema))
    return str(tmp_path / "schemas")


def _widgets(tmp_path: Path, location: str, *specs: str) -> Report:
    files = {
        f"w{i}.yaml": f"apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w{i}}}\n"
        f"spec: {spec}\n"
        for i, spec in enumerate(specs)
    }
    root = write_tree(tmp_path / "tree", files)
    options = ValidateOptions(schema_locations=[location], cache_dir=tmp_path / "cache")
    return validate_documents(load_tree(root), options=options)


@pytest.mark.extra("cel")
def test_a_kubernetes_only_function_is_not_checked_and_said_once(tmp_path: Path) -> None:
    location = _widget_schema(
        tmp_path,
        [{"rule": "isURL(self.url)", "message": "url must be a URL"},
         {"rule": "self.size > 0", "message": "size must be positive"}],
    )  # fmt: skip
    report = _widgets(tmp_path, location, "{url: x, size: 0}", "{url: y, size: 1}")
    found = [(f.rule, f.file, f.severity) for f in _cel(report)]
    assert found == [("HG120", "w0.yaml", "error"), ("HG121", "w0.yaml", "info")]
    note = next(f for f in report.findings if f.rule == "HG121")
    assert "isURL()" in note.message and "isURL(self.url)" in note.message
    assert report.summary().endswith(", 1 not checked")
    assert report.exit_code == 1  # the size rule, not the note


@pytest.mark.extra("cel")
def test_message_expression_and_evaluation_errors(tmp_path: Path) -> None:
    location = _widget_schema(
        tmp_path,
        [{"rule": "self.size < 10", "messageExpression": "'size is ' + string(self.size)"},
         {"rule": "self.missing == 1", "message": "never"}],
    )  # fmt: skip
    report = _widgets(tmp_path, location, "{size: 12}")
    found = {f.rule: f for f in _cel(report)}
    assert found["HG120"].message == "size is 12"
    assert found["HG122"].severity == "warning"
    assert "self.missing == 1" in found["HG122"].message


def test_optional_old_self_rules_are_not_checked(tmp_path: Path) -> None:
    location = _widget_schema(
        tmp_path, [{"rule": "!has(oldSelf.size) || self.size == oldSelf.size",
                    "optionalOldSelf": True}],
    )  # fmt: skip
    (note,) = _cel(_widgets(tmp_path, location, "{size: 1}"))
    assert note.rule == "HG121" and "oldSelf" in note.message


def _without_the_runtime(validate: Validate, monkeypatch: pytest.MonkeyPatch) -> Report:
    """A route with a broken CEL rule, validated as if cel-expr-python were not installed."""

    def missing() -> Any:
        raise cel.NotCheckable(cel.MISSING_RUNTIME)

    monkeypatch.setattr(cel, "RUNTIME", cel._Runtime())
    monkeypatch.setattr(cel.RUNTIME, "_environment", missing)
    forget_validators()
    return validate(_route("- matches: [{path: {type: PathPrefix, value: web}}]\n"))


@pytest.mark.cel_notes
def test_without_the_cel_runtime_every_rule_is_not_checked(
    validate: Validate, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _without_the_runtime(validate, monkeypatch)
    (note,) = _cel(report)  # once for the kind, not once per rule
    assert note.rule == "HG121" and note.severity == "info"
    assert note.message == (
        "HTTPRoute CEL rules not checked: cel-expr-python is not installed"
        " (pip install 'homegen[cel]')"
    )
    assert report.exit_code == 1  # HG207 etc.; the rules are not claimed as passed


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("namespace", "__namespace__"), ("a.b", "a__dot__b"), ("x-y", "x__dash__y"),
     ("a/b", "a__slash__b"), ("a__b", "a__underscores__b"), ("port", "port")],
)  # fmt: skip
def test_escape(name: str, escaped: str) -> None:
    assert escape(name) == escaped


@pytest.mark.extra("cel")
def test_outcomes_are_memoized_per_rule_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cel, "RUNTIME", cel._Runtime())
    calls: list[Any] = []
    evaluate = cel.RUNTIME.evaluate

    def counted(expression: str, value: Any) -> Any:
        calls.append(value)
        return evaluate(expression, value)

    monkeypatch.setattr(cel.RUNTIME, "evaluate", counted)
    rule = "self.value.startsWith('/')"
    good, bad = {"value": "/a"}, {"value": "a"}
    assert cel.check(rule, good, cel.value_key(good)).passed
    assert cel.check(rule, dict(good), cel.value_key(dict(good))).passed  # equal: no evaluation
    assert not cel.check(rule, bad, cel.value_key(bad)).passed
    assert cel.value_key({"n": 1}) != cel.value_key({"n": 1.0}) != cel.value_key({"n": True})
    assert calls == [good, bad]


def test_the_suite_drops_only_the_missing_runtime_note_and_only_without_the_extra(
    validate: Validate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/conftest.py: without the cel extra the note goes (nothing else); with it, nothing."""
    report = _without_the_runtime(validate, monkeypatch)
    assert [f.rule for f in _cel(report)] == (["HG121"] if has_extra("cel") else [])
    assert report.exit_code == 1  # the route's other findings stay


@pytest.mark.extra("cel")
def test_the_memo_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    # the memo is bounded (a 10,000-service tree must fit the memory budget)
    monkeypatch.setattr(cel, "RUNTIME", cel._Runtime())
    monkeypatch.setattr(cel, "_OUTCOMES_MAX", 2)
    rule = "self.n > 0"
    for n in (1, 2):
        cel.check(rule, {"n": n}, cel.value_key({"n": n}))
    assert len(cel.RUNTIME.outcomes) == 2  # just at the limit: kept
    outcome = cel.check(rule, {"n": -3}, cel.value_key({"n": -3}))
    assert not outcome.passed and outcome.error == ""
    assert len(cel.RUNTIME.outcomes) == 1  # one past it: started over with the new one
