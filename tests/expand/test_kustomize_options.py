"""argocd-cm's kustomize.buildOptions: what homegen applies, what it notes, and kustomize's
messages made readable."""

from __future__ import annotations

import pytest

from homegen.expand.kustomize_errors import MAX_CHARS, kustomize_message
from homegen.expand.kustomize_options import (
    BuildOptions,
    find_build_options,
    option_notes,
    parse_build_options,
)
from homegen.validate.reader.documents import Document


def test_enable_helm_is_honoured_in_both_spellings() -> None:
    assert parse_build_options("--enable-helm").enable_helm
    assert parse_build_options("  --enable-helm=true ").enable_helm
    off = parse_build_options("--enable-helm=false")
    assert not off.enable_helm and off.ignored == ()


@pytest.mark.parametrize(
    "text", ["--load-restrictor LoadRestrictionsNone", "--load-restrictor=LoadRestrictionsNone"]
)
def test_load_restrictor_none_takes_its_value_either_way(text: str) -> None:
    options = parse_build_options(text + " --enable-helm")
    assert options.load_restrictor_none and options.enable_helm and options.ignored == ()
    assert options.flags() == ["--load-restrictor", "LoadRestrictionsNone"]


def test_the_default_restrictor_changes_nothing() -> None:
    options = parse_build_options("--load-restrictor LoadRestrictionsRootOnly")
    assert options == BuildOptions() and options.flags() == []


def test_flags_that_run_programs_are_noted_and_not_applied() -> None:
    options = parse_build_options(
        "--enable-alpha-plugins --enable-exec --helm-command /usr/bin/helm --frobnicate"
    )
    assert not options.enable_helm
    assert options.ignored == (
        "--enable-alpha-plugins not honoured: it runs plugins (programs) the tree names",
        "--enable-exec not honoured: it runs programs the tree names",
        # the value of a flag that takes one goes with it, never read as a flag of its own
        "--helm-command /usr/bin/helm not honoured: homegen inflates helmCharts with its own "
        "chart engine",
        "--frobnicate not honoured: homegen does not apply it",
    )


def _doc(file: str, obj: dict[str, object]) -> Document:
    return Document(file, 0, 1, obj, [])


def _cm(name: str, options: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "argocd"},
        "data": {"kustomize.buildOptions": options},
    }


def test_the_options_come_from_argocd_cm_only() -> None:
    docs = [
        _doc("a/other.yaml", _cm("other-cm", "--enable-helm")),
        _doc("argocd/cm.yaml", _cm("argocd-cm", "--enable-helm --enable-exec")),
    ]
    options = find_build_options(docs)
    assert options.enable_helm and options.source == "argocd/cm.yaml"
    assert option_notes(options) == [
        "argocd-cm (argocd/cm.yaml) kustomize.buildOptions: --enable-exec not honoured: "
        "it runs programs the tree names"
    ]
    assert find_build_options(docs[:1]) == BuildOptions()


def test_the_klog_prefix_of_every_line_is_stripped() -> None:
    stderr = (
        'E1207 12:00:00.000000   12345 run.go:74] "command failed" err="accumulating: x"\n'
        "W1207 12:00:00.000001   12345 warnings.go:70] also this\n"
    )
    assert kustomize_message(stderr) == "accumulating: x also this"


def test_a_failed_helm_command_loses_its_command_line_and_environment() -> None:
    stderr = (
        'E1207 12:00:00.000000   12345 run.go:72] "command failed" err="homegen-helm failed: '
        'execution error at (tiny/templates/bad.yaml:1:3): boom \\"quoted\\": unable to run: '
        "'/tmp/s/bin/helm template tiny /tmp/s/repo/web/charts/tiny --api-versions v1' with "
        "env=[HELM_CONFIG_HOME=/tmp/s/helm HELM_DATA_HOME=/tmp/s/.data] "
        "(is '/tmp/s/bin/helm' installed?): exit status 1\""
    )
    assert kustomize_message(stderr) == (
        'helm template: execution error at (tiny/templates/bad.yaml:1:3): boom "quoted"'
    )


def test_a_message_is_cut_just_over_the_limit() -> None:
    assert kustomize_message("x" * MAX_CHARS) == "x" * MAX_CHARS
    cut = kustomize_message("x" * (MAX_CHARS + 1))
    assert len(cut) == MAX_CHARS and cut.endswith("…")
