"""Report formats: text, json and junit in kubeconform's shapes, GitHub Actions annotations.

Each format is one function ``Report → str``; a new format is one more function. Each one
escapes what came from the tree in its own way (names, messages and paths are data): text
shows control characters as ``\x1b`` and starts no line with a workflow command, JSON keeps
kind, namespace and name apart, JUnit holds nothing XML 1.0 forbids, GitHub's commands are
escaped as the runner reads them.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from homegen.escape import terminal_line, visible, xml_text
from homegen.validate.findings import Finding, Report

# Findings that mean "could not be validated" (kubeconform's statusError), not "invalid".
_ERROR_STATUS_RULES = frozenset({"HG101", "HG102", "HG103", "HG105", "HG107"})


def _path(prefix: str, file: str) -> str:
    return posixpath.join(prefix, file) if prefix not in ("", ".") else file


def text_line(item: Finding, prefix: str = "") -> str:
    """``file:line: severity rule Kind/ns/name: message (fix: ...)``, escaped as one line."""
    where = f"{_path(prefix, item.file)}:{item.line}"
    subject = f" {item.object}" if item.object else ""
    at = f"{item.path}: " if item.path else ""
    return terminal_line(
        f"{where}: {item.severity} {item.rule}{subject}: {at}{item.message} {_tail(item)}"
    )


def _tail(item: Finding) -> str:
    """Why a suppressed finding is allowed, or how to fix an open one."""
    if item.suppressed_reason is not None:
        return f"(suppressed: {item.suppressed_reason})"
    return f"(fix: {item.fix})"


def format_text(report: Report, prefix: str = "", *, summary_only: bool = False) -> str:
    """One line per finding, then the summary line."""
    lines = [] if summary_only else [text_line(f, prefix) for f in report.findings]
    return "\n".join([*lines, terminal_line(report.summary())]) + "\n"


def _status(item: Finding) -> str:
    if item.suppressed_reason is not None:
        return "statusSuppressed"
    if item.severity == "warning":
        return "statusWarning"
    if item.severity == "info":
        return "statusNotChecked"
    return "statusError" if item.rule in _ERROR_STATUS_RULES else "statusInvalid"


def _summary(report: Report) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "valid": report.valid,
        "invalid": report.invalid,
        "errors": report.errors,
        "skipped": report.skipped,
        "warnings": report.warnings,
        "suppressed": report.suppressed,
        "resources": report.resources,
        "files": report.files,
    }
    coverage = report.coverage
    if coverage is not None:
        summary["coverage"] = {
            "applications": coverage.applications,
            "expanded": coverage.applications - len(coverage.not_expanded),
            "objects": coverage.objects,
            "notExpanded": [{"app": app, "why": why} for app, why in coverage.not_expanded],
        }
        if coverage.roots_unknown:  # a bootstrap chart's roots not known (a dependency absent)
            summary["coverage"]["rootsUnknown"] = list(coverage.roots_unknown)
    return summary


def _identity(report: Report) -> dict[tuple[str, str], str]:
    return {(file, obj): version for file, _line, obj, version, _subject in report.objects}


def format_json(report: Report, prefix: str = "", *, summary_only: bool = False) -> str:
    """kubeconform's JSON: ``resources`` (one per finding, with ``rule``) and ``summary``.

    The contract is in docs/rules.md (The JSON contract); ``json.dumps`` escapes every
    control character.
    """
    versions = _identity(report)
    resources: list[dict[str, Any]] = []
    for item in [] if summary_only else report.findings:
        kind, namespace, name = item.subject
        message = f"{item.path}: {item.message}" if item.path else item.message
        resources.append(
            {
                "filename": _path(prefix, item.file),
                "kind": kind,
                "name": name,
                "namespace": namespace,
                "object": item.object,
                "version": versions.get((item.file, item.object), ""),
                "status": _status(item),
                "msg": message,
                "rule": item.rule,
                "severity": item.severity,
                "line": item.line,
                "fix": item.fix,
                "suppressed": item.suppressed_reason,
                "validationErrors": [{"path": item.path, "msg": item.message}],
            }
        )
    return json.dumps({"resources": resources, "summary": _summary(report)}, indent=2) + "\n"


def format_junit(report: Report, prefix: str = "", *, summary_only: bool = False) -> str:
    """kubeconform's JUnit XML: a testsuite per file, a testcase per resource."""
    by_object: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in report.findings:
        by_object[(item.file, item.object)].append(item)
    cases: dict[str, list[tuple[str, str, list[Finding]]]] = defaultdict(list)
    for file, _line, obj, version, (kind, namespace, name) in report.objects:
        label = f"{namespace}/{name}" if namespace else name
        cases[file].append((label, f"{kind}@{version}", by_object.pop((file, obj), [])))
    for (file, obj), items in by_object.items():  # findings of no resource (YAML errors)
        cases[file].append((obj or posixpath.basename(file), "yaml", items))
    root = ET.Element(
        "testsuites",
        name="homegen",
        tests=str(report.resources),
        failures=str(report.invalid),
        disabled=str(report.skipped),
        errors="0",
    )
    for i, file in enumerate(sorted(cases), start=1):
        suite = ET.SubElement(root, "testsuite", name=xml_text(_path(prefix, file)), id=str(i))
        failures = 0
        for name, classname, items in cases[file]:
            case = ET.SubElement(
                suite, "testcase", name=xml_text(name), classname=xml_text(classname)
            )
            notes = []
            for item in items:
                if item.failing:
                    failures += 1
                    failure = ET.SubElement(
                        case, "failure", message=xml_text(item.message), type=item.rule
                    )
                    failure.text = text_line(item, prefix)
                else:
                    notes.append(text_line(item, prefix))
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
        suite.set("tests", str(len(cases[file])))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _escape(value: str, *, prop: bool = False) -> str:
    """As the runner unescapes: ``%``, CR and LF percent-encoded (``:`` and ``,`` too in a
    property); any other control character shown as ``\x1b`` first."""
    value = (
        visible(value, keep_newlines=True)
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
    )
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def format_github(report: Report, prefix: str = "", *, summary_only: bool = False) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,title=<rule>::message``."""
    lines = []
    for item in [] if summary_only else report.findings:
        command = (
            "notice"
            if item.suppressed_reason is not None or item.severity == "info"
            else item.severity
        )
        props = ",".join(
            f"{k}={_escape(v, prop=True)}"
            for k, v in (
                ("file", _path(prefix, item.file)),
                ("line", str(item.line)),
                ("title", item.rule),
            )
        )
        subject = f"{item.object}: " if item.object else ""
        at = f"{item.path}: " if item.path else ""
        text = f"{subject}{at}{item.message} {_tail(item)}"
        lines.append(f"::{command} {props}::{_escape(text)}")
    return "\n".join([*lines, terminal_line(report.summary())]) + "\n"


Formatter = Callable[..., str]
FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "junit": format_junit,
    "github": format_github,
}
