"""argocd-cm's kustomize.buildOptions: what homegen applies, what it notes, and kustomize's
messages made readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from homegen.expand.kustomize_errors import MAX_CHARS, kustomize_message
from homegen.expand.kustomize_options import (
    BuildOptions,
    find_build_options,
    needed_build_options,
    option_notes,
    parse_build_options,
)
from homegen.treeread import TreeReader
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


def _argo_cd_kustomization(extra: str = "") -> dict[str, object]:
    chart = {"name": "argo-cd", "repo": "https://argoproj.github.io/argo-helm"}
    return {"helmCharts": [{**chart, "version": "9.5.15", "valuesFile": "values.yaml", **(
        {"valuesInline": {"configs": {"cm": {"kustomize.buildOptions": extra}}}} if extra else {}
    )}]}  # fmt: skip


def _argocd_tree(tmp_path: Path, values: str) -> list[Document]:
    (tmp_path / "argocd").mkdir()
    (tmp_path / "argocd" / "values.yaml").write_text(values)
    return [_doc("argocd/kustomization.yaml", _argo_cd_kustomization())]


def test_argocd_installed_from_helm_charts_gives_its_options_from_the_values(
    tmp_path: Path,
) -> None:
    docs = _argocd_tree(tmp_path, "configs:\n  cm:\n    kustomize.buildOptions: --enable-helm\n")
    reader = TreeReader.for_tree(tmp_path)
    options = find_build_options(docs, reader, tmp_path)
    assert options.enable_helm
    assert options.source == "argocd/kustomization.yaml helmCharts argo-cd"
    # the values file is only read with a reader: without one, no options
    assert find_build_options(docs) == BuildOptions()


def test_an_argocd_cm_written_out_wins_over_the_charts_values(tmp_path: Path) -> None:
    docs = _argocd_tree(tmp_path, "configs:\n  cm:\n    kustomize.buildOptions: --enable-helm\n")
    docs.append(_doc("z/cm.yaml", _cm("argocd-cm", "--load-restrictor LoadRestrictionsNone")))
    options = find_build_options(docs, TreeReader.for_tree(tmp_path), tmp_path)
    assert options.load_restrictor_none and not options.enable_helm


@pytest.mark.parametrize(
    ("values", "inline", "helm"),
    [
        ("configs: {cm: {create: false, kustomize.buildOptions: --enable-helm}}\n", "", False),
        ("configs: {cm: {url: x}}\n", "", False),
        ("configs: {cm: {url: x}}\n", "--enable-helm", True),
        ("configs: [not, a, map]\n", "", False),
        ("configs: {cm: {kustomize.buildOptions: '--enable-helm'}\n", "", False),  # bad YAML
    ],
)
def test_the_charts_values_off_or_inline(
    tmp_path: Path, values: str, inline: str, helm: bool
) -> None:
    (tmp_path / "argocd").mkdir()
    (tmp_path / "argocd" / "values.yaml").write_text(values)
    docs = [_doc("argocd/kustomization.yaml", _argo_cd_kustomization(inline))]
    options = find_build_options(docs, TreeReader.for_tree(tmp_path), tmp_path)
    assert options.enable_helm is helm


def test_a_missing_values_file_or_another_chart_gives_no_options(tmp_path: Path) -> None:
    docs = [_doc("argocd/kustomization.yaml", _argo_cd_kustomization())]
    assert find_build_options(docs, TreeReader.for_tree(tmp_path), tmp_path) == BuildOptions()
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "values.yaml").write_text(
        "configs:\n  cm:\n    kustomize.buildOptions: --enable-helm\n"
    )
    other = {"helmCharts": [{"name": "web", "valuesFile": "values.yaml"}]}
    docs = [_doc("web/kustomization.yaml", other)]
    assert find_build_options(docs, TreeReader.for_tree(tmp_path), tmp_path) == BuildOptions()


def test_options_are_looked_for_only_where_a_build_uses_them_or_looking_reads_a_file(
    tmp_path: Path,
) -> None:
    """The expand stage drops the options when no build runs: then it skips the search (a
    rendered tree of 7,000 documents), unless the tree has a kustomization, whose argo-cd
    values file the search reads (and the reader reports if it refuses it)."""
    cm = [_doc("argocd/cm.yaml", _cm("argocd-cm", "--enable-helm"))]
    assert needed_build_options(True, cm, None, None).enable_helm
    assert needed_build_options(False, cm, None, None) == BuildOptions()
    docs = _argocd_tree(tmp_path, "configs:\n  cm:\n    kustomize.buildOptions: --enable-helm\n")
    reader = TreeReader.for_tree(tmp_path)
    assert needed_build_options(False, docs, reader, tmp_path).enable_helm
    yml = [_doc("k/kustomization.yml", {"resources": []}), *cm]
    assert needed_build_options(False, yml, None, None).enable_helm


@pytest.mark.parametrize(
    ("err", "shown"),
    [
        (
            "loading KV pairs: literal sources [a=b LITERAL]: invalid literal source LITERAL, "
            "expected key=value",
            "loading KV pairs: literal sources: an entry is not key=value",
        ),
        (
            "loading KV pairs: env source files: [s.env]: line [255 76] has invalid utf8 "
            "bytes : \\xffLITERAL",
            "loading KV pairs: env source files [s.env]: a line is not UTF-8",
        ),
        (
            "loading KV pairs: file sources: [k=v.txt]: LITERAL went wrong",
            "loading KV pairs: file sources [k=v.txt]: cannot be loaded",
        ),
    ],
)
def test_a_generator_literal_a_kustomize_error_echoes_is_not_shown(err: str, shown: str) -> None:
    stderr = f'E1207 12:00:00.000000   12345 run.go:72] "command failed" err="{err}"\n'
    message = kustomize_message(stderr)
    assert "LITERAL" not in message
    assert message == shown + " (the generator's values are not shown)"


def test_an_error_naming_only_keys_is_kept_whole() -> None:
    assert kustomize_message("configmap creds illegally repeats the key `a`") == (
        "configmap creds illegally repeats the key `a`"
    )


def test_an_object_kustomize_dumps_whole_shows_only_its_kind_and_name() -> None:
    """A generated Secret kustomize cannot serialize (a key over YAML's 1024-character simple
    key) is dumped with its data: its base64 values are never shown."""
    dump = (
        'map[string]interface {}{\\"apiVersion\\":\\"v1\\", \\"data\\":map[string]interface '
        '{}{\\"a\\":\\"TElUU0VDUkVU\\", \\"b}{\\":\\"x\\"}, \\"kind\\":\\"Secret\\", '
        '\\"metadata\\":map[string]interface {}{\\"name\\":\\"creds-6c642h47c8\\"}}'
    )
    stderr = f'E1207 12:00:00.000000   1 run.go:72] "command failed" err="{dump}: yaml: bad"\n'
    assert kustomize_message(stderr) == (
        "Secret creds-6c642h47c8 (its content is not shown): yaml: bad"
    )
    cut = kustomize_message('x: map[string]interface {}{"data":{"a":"TElUU0VDUkVU"')
    assert cut == "x: an object (its content is not shown)"
