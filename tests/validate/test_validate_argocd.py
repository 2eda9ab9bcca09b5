"""Integrity of the app-of-apps (HG201-HG206, HG218, HG219, HG221-HG223): each case changes the
clean tree and expects the exact findings (rule, file, object, message), so a rule that fires
too widely, too narrowly or says the wrong thing fails as surely as one that is mute."""

from __future__ import annotations

import pytest
from validate_trees import SERVICE, Edit, app, changed, clean_files, dedent, edit

from conftest import Validate
from homegen.argocd_options import KNOWN_SYNC_OPTIONS
from homegen.validate.run import ValidateOptions

ROOT = "app-of-apps.yaml"
APP = "apps/whoami.yaml"
GATEWAY_APP = "apps/gateway-config.yaml"
APP_OBJ = "Application/argocd/whoami"
ROOT_OBJ = "Application/argocd/app-of-apps"
SYNC_OPTIONS = "[CreateNamespace=true]"
WHOAMI = "kubernetes/argocd/manifests/whoami"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lost, namespace: whoami}\n"

Found = tuple[str, str, str, str]


def _found(validate: Validate, files: dict[str, str]) -> list[Found]:
    return [(f.rule, f.file, f.object, f.message) for f in validate(files).findings]


def _app(rule: str, message: str) -> Found:
    return (rule, APP, APP_OBJ, message)


def _whoami_objects(rule: str, message: str) -> list[Found]:
    """One finding on each object of manifests/whoami."""
    return [
        (rule, f"manifests/whoami/{file}.yaml", obj, message)
        for file, obj in (
            ("deployment", "Deployment/whoami/whoami"),
            ("namespace", "Namespace/whoami"),
            ("networkpolicy", "NetworkPolicy/whoami/default-deny-ingress"),
            ("referencegrant", "ReferenceGrant/whoami/traefik-to-whoami"),
            ("service", "Service/whoami/whoami"),
        )
    ]


def _orphans() -> list[Found]:
    return [
        ("HG222", f"manifests/whoami/{file}.yaml", obj,
         f"no Application syncs manifests/whoami/{file}.yaml")
        for file, obj in (
            ("deployment", "Deployment/whoami/whoami"),
            ("namespace", "Namespace/whoami"),
            ("networkpolicy", "NetworkPolicy/whoami/default-deny-ingress"),
            ("referencegrant", "ReferenceGrant/whoami/traefik-to-whoami"),
            ("service", "Service/whoami/whoami"),
        )
    ]  # fmt: skip


LOST_APP = app("lost", "manifests/whoami", wave=3)
PATHS: dict[str, tuple[list[Edit], dict[str, str], list[Found]]] = {
    "source-missing": (
        [(APP, WHOAMI, WHOAMI + "-gone")], {},
        [_app("HG201", f"source path '{WHOAMI}-gone' does not exist"), *_orphans()],
    ),
    "source-of-subfolders-only": (
        [(APP, WHOAMI, "kubernetes/argocd/manifests")], {},
        [_app("HG202", "source path 'kubernetes/argocd/manifests' holds no manifests directly "
                       "(only subfolders)"), *_orphans()],
    ),
    "source-of-another-repository": (
        [(APP, "https://github.com/TechDufus/home.io", "https://github.com/someone/else"),
         (APP, WHOAMI, WHOAMI + "-gone")], {}, _orphans(),
    ),
    "unreachable-app": (
        [], {"extra/lost.yaml": LOST_APP},
        [("HG203", "extra/lost.yaml", "Application/argocd/lost",
          "no app syncs the file of this Application"),
         *_whoami_objects("HG206", "synced by Applications lost, whoami")],
    ),
    "orphan-reported-once-per-file": (
        [], {"manifests/lost/cm.yaml": CONFIGMAP + "---\n" + CONFIGMAP.replace("lost", "lost-2")},
        [("HG222", "manifests/lost/cm.yaml", "ConfigMap/whoami/lost",
          "no Application syncs manifests/lost/cm.yaml")],
    ),
    "objects-beside-the-root-app-are-applied-with-it": (
        [], {ROOT: clean_files()[ROOT] + "---\n" + CONFIGMAP}, [],
    ),
    "duplicate-object": (
        [], {"manifests/whoami/service-copy.yaml": SERVICE},
        [("HG205", "manifests/whoami/service.yaml", "Service/whoami/whoami",
          "also defined at manifests/whoami/service-copy.yaml:1")],
    ),
    "each-duplicate": (
        [], {"manifests/whoami/service.yaml": SERVICE + "---\n" + SERVICE + "---\n" + SERVICE},
        [("HG205", "manifests/whoami/service.yaml", "Service/whoami/whoami",
          "also defined at manifests/whoami/service.yaml:1")] * 2,
    ),
    "folder-of-two-apps": (
        [], {"apps/whoami-again.yaml": app("whoami-again", "manifests/whoami", wave=2)},
        _whoami_objects("HG206", "synced by Applications whoami, whoami-again"),
    ),
    "apps-folder-synced-again-by-an-app-in-it": (
        [], {"apps/apps-again.yaml": app("apps-again", "apps", namespace="argocd")},
        [("HG206", f"apps/{name}.yaml", f"Application/argocd/{name}",
          "synced by Applications app-of-apps, apps-again")
         for name in ("apps-again", "gateway-config", "whoami")],
    ),
    "folder-twice-in-one-app": (
        [(APP, f"    path: {WHOAMI}\n",
          f"    path: {WHOAMI}\n  sources:\n"
          f"    - {{repoURL: https://github.com/TechDufus/home.io, path: {WHOAMI}}}\n")],
        {}, [],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("edits", "added", "expected"), PATHS.values(), ids=PATHS.keys())
def test_source_paths_reachability_and_ownership(
    validate: Validate, edits: list[Edit], added: dict[str, str], expected: list[Found]
) -> None:
    assert _found(validate, changed(*edits, added=added)) == expected


def test_tree_without_root_app_notes_a_root_elsewhere(validate: Validate) -> None:
    """The apps' own paths tell the repository and the tree's place in it: the root lives in
    another repository (a note), and the paths are checked all the same."""
    files = clean_files()
    del files[ROOT]
    (found,) = validate(files).findings
    assert (found.rule, found.file, found.object, found.severity, found.message) == (
        "HG204", GATEWAY_APP, "Application/argocd/gateway-config", "info",
        "no Application in the tree syncs the others: the root is taken to live in another "
        "repository; which apps ArgoCD creates (HG203) is not checked",
    )  # fmt: skip
    assert found.fix == "none needed when the root lives elsewhere; --root names it when it is here"


@pytest.mark.parametrize("repo_url", ["", "https://github.com/TechDufus/home.io"])
def test_tree_without_root_whose_paths_tell_nothing_warns(
    validate: Validate, options: ValidateOptions, repo_url: str
) -> None:
    """Without the tree's place in the repository no path can be checked: a warning, even
    when the repository itself is given."""
    options.repo_url = repo_url
    files = clean_files()
    del files[ROOT]
    for name in (GATEWAY_APP, "apps/whoami.yaml"):
        files[name] = files[name].replace("path: kubernetes/argocd/manifests/", "path: x/y")
    found = [(f.file, f.severity, f.message) for f in validate(files).findings if f.rule == "HG204"]
    assert found == [(GATEWAY_APP, "warning", "no root Application found")]


def test_root_app_path_that_is_no_folder_is_missing(validate: Validate) -> None:
    """The other apps' paths place the tree: the root's own path is a missing folder."""
    files = edit(clean_files(), ROOT, "path: kubernetes/argocd/apps", "path: kubernetes/argocd/x")
    assert _found(validate, files)[0] == (
        "HG201",
        ROOT,
        ROOT_OBJ,
        "source path 'kubernetes/argocd/x' does not exist",
    )


APPSET = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: ApplicationSet
    metadata: {name: whoamis, namespace: argocd}
    spec:
      goTemplate: true
      generators:
    GENERATORS
      template:
        metadata: {name: "whoami-{{ .name }}"}
        spec:
          project: default
          source: {repoURL: "REPO", targetRevision: main, path: "PATH"}
          destination: {server: "https://kubernetes.default.svc", namespace: whoami}
""")
HOME_IO = "https://github.com/TechDufus/home.io"


def _appset(generators: list[list[str]], path: str = WHOAMI, repo: str = HOME_IO) -> str:
    lists = "".join(
        "    - list:\n        elements:\n"
        + "".join(f"          - {{name: {name}}}\n" for name in names)
        for names in generators
    )
    return APPSET.replace("GENERATORS\n", lists).replace("PATH", path).replace("REPO", repo)


def _shared(count: int) -> list[Found]:
    return [("HG223", "apps/whoamis.yaml", "ApplicationSet/argocd/whoamis",
             f"its {count} generated Applications all sync '{WHOAMI}'")]  # fmt: skip


SETS: dict[str, tuple[str, list[Found]]] = {
    "two-elements": (_appset([["a", "b"]]), _shared(2)),
    "elements-of-two-generators": (_appset([["a"], ["b"], ["c"]]), _shared(3)),
    "one-element": (_appset([["a"]]), []),
    "each-set": (
        _appset([["a"]]) + "---\n"
        + _appset([["b", "c"]]).replace("whoamis", "others").replace("whoami-{{", "other-{{"),
        [("HG223", "apps/whoamis.yaml", "ApplicationSet/argocd/others", _shared(2)[0][3])],
    ),
    "templated-path": (_appset([["a", "b"]], path=WHOAMI + "-{{ .name }}"), []),
    "another-repository": (_appset([["a", "b"]], repo="https://github.com/someone/else"), []),
}  # fmt: skip


@pytest.mark.parametrize(("appset", "expected"), SETS.values(), ids=SETS.keys())
def test_appset_generating_apps_of_one_fixed_path(
    validate: Validate, appset: str, expected: list[Found]
) -> None:
    files = clean_files()
    del files[APP]
    found = _found(validate, {**files, "apps/whoamis.yaml": appset})
    assert [f for f in found if f[0] == "HG223"] == expected


def _wave(name: str, wave: str, after: str = "") -> Edit:
    path = f"apps/{name}.yaml"
    new = f'sync-wave: "{wave}"' + (f'\n    homegen.dev/after: "{after}"' if after else "")
    if name == "whoami":
        return path, 'sync-wave: "1"\n    homegen.dev/after: "gateway-config"', new
    return path, 'sync-wave: "0"', new


GATEWAY_OBJ = "Application/argocd/gateway-config"
WAVES: dict[str, tuple[list[Edit], list[Found]]] = {
    "same-wave": (
        [_wave("whoami", "0", "gateway-config")],
        [_app("HG218", "sync-wave 0 is not after gateway-config (wave 0)")],
    ),
    "earlier-wave": (
        [_wave("whoami", "-1", "gateway-config")],
        [_app("HG218", "sync-wave -1 is not after gateway-config (wave 0)")],
    ),
    "not-an-integer": (
        [_wave("whoami", "one")], [_app("HG218", "sync-wave 'one' is not an integer")]
    ),
    "dependency-not-an-integer": (
        [_wave("gateway-config", "first")],
        [("HG218", GATEWAY_APP, GATEWAY_OBJ, "sync-wave 'first' is not an integer")],
    ),
    "each-app": (
        [_wave("gateway-config", "first"), _wave("whoami", "1", "nothing")],
        [("HG218", GATEWAY_APP, GATEWAY_OBJ, "sync-wave 'first' is not an integer"),
         _app("HG218", "is after 'nothing', which is no app of the tree")],
    ),
    "unknown-dependency": (
        [_wave("whoami", "1", "gateway-confg")],
        [_app("HG218", "is after 'gateway-confg', which is no app of the tree")],
    ),
    "each-dependency": (
        [_wave("whoami", "1", "nothing, gateway-config, app-of-apps")],
        [_app("HG218", "is after 'nothing', which is no app of the tree"),
         _app("HG218", "sync-wave 1 is not after gateway-config (wave 1)")],
    ),
}  # fmt: skip
WAVES["each-dependency"][0].append(_wave("gateway-config", "1"))

IN_ORDER: dict[str, list[Edit]] = {
    "later-wave": [_wave("whoami", "5", "gateway-config")],
    "spaces-and-empty-names": [_wave("whoami", " 1 ", " gateway-config ,, app-of-apps,")],
    "no-wave-is-wave-0": [(GATEWAY_APP, '\n    argocd.argoproj.io/sync-wave: "0"', "")],
}


@pytest.mark.parametrize(("edits", "expected"), WAVES.values(), ids=WAVES.keys())
def test_sync_waves_out_of_order(
    validate: Validate, edits: list[Edit], expected: list[Found]
) -> None:
    assert _found(validate, changed(*edits)) == expected


@pytest.mark.parametrize("edits", IN_ORDER.values(), ids=IN_ORDER.keys())
def test_sync_waves_in_order(validate: Validate, edits: list[Edit]) -> None:
    assert _found(validate, changed(*edits)) == []


UNKNOWN = "use a sync option ArgoCD knows (see its sync-options documentation)"
COMPARE_FIX = (
    "remove it from syncOptions; set annotation argocd.argoproj.io/compare-options: {} instead"
)
# (option, message, fix) for each way a sync option can be wrong
BAD_OPTIONS = [
    ("ServerSideDiff=true", "'ServerSideDiff=true' is a compare option, not a sync option",
     COMPARE_FIX.format("ServerSideDiff=true")),
    ("IgnoreExtraneous", "'IgnoreExtraneous' is a compare option, not a sync option",
     COMPARE_FIX.format("IgnoreExtraneous")),
    ("IncludeMutationWebhook=true",
     "'IncludeMutationWebhook=true' is a compare option, not a sync option",
     COMPARE_FIX.format("IncludeMutationWebhook=true")),
    ("Zzzz=true", "unknown sync option 'Zzzz=true'", UNKNOWN),
    ("PruneLas=true", "unknown sync option 'PruneLas=true'", "did you mean PruneLast?"),
    ("createnamespace=true", "unknown sync option 'createnamespace=true'",
     "did you mean CreateNamespace?"),
    ("CreateNamespace", "sync option 'CreateNamespace' has no valid value",
     "use CreateNamespace=false|true"),
    ("CreateNamespace=", "sync option 'CreateNamespace=' has no valid value",
     "use CreateNamespace=false|true"),
    ("CreateNamespace=yes", "sync option 'CreateNamespace=yes' has no valid value",
     "use CreateNamespace=false|true"),
    ("Prune=maybe", "sync option 'Prune=maybe' has no valid value",
     "use Prune=confirm|false|true"),
    ("PrunePropagationPolicy=true", "sync option 'PrunePropagationPolicy=true' has no valid value",
     "use PrunePropagationPolicy=background|foreground|orphan"),
]  # fmt: skip
GOOD_OPTIONS = [
    f"{key}={value}" for key, values in KNOWN_SYNC_OPTIONS.items() for value in sorted(values)
]


@pytest.mark.parametrize(("option", "message", "fix"), BAD_OPTIONS)
def test_sync_option_in_an_application(
    validate: Validate, option: str, message: str, fix: str
) -> None:
    files = edit(clean_files(), APP, SYNC_OPTIONS, f"[CreateNamespace=true, {option!r}]")
    assert [(f.rule, f.file, f.object, f.message, f.fix) for f in validate(files).findings] == [
        ("HG219", APP, APP_OBJ, message, fix)
    ]


def test_every_known_sync_option_is_accepted(validate: Validate) -> None:
    files = edit(clean_files(), APP, SYNC_OPTIONS, f"[{', '.join(GOOD_OPTIONS)}]")
    assert _found(validate, files) == []


DEPLOY = "manifests/whoami/deployment.yaml"
DEPLOY_OBJ = "Deployment/whoami/whoami"


def _annotated(path: str, value: str) -> dict[str, str]:
    return edit(
        clean_files(), path, "  namespace: whoami\n",
        f"  namespace: whoami\n  annotations:\n    argocd.argoproj.io/sync-options: {value!r}\n",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        ("Prune=false,Replace=true", []),
        (" Prune=false , Replace=true ,", []),
        ("Prune=false,Replace=sometimes", ["sync option 'Replace=sometimes' has no valid value"]),
        ("Prune=maybe, Delet=false", ["sync option 'Prune=maybe' has no valid value",
                                      "unknown sync option ' Delet=false'"]),
    ],
)  # fmt: skip
def test_sync_options_annotation_on_any_object(
    validate: Validate, value: str, messages: list[str]
) -> None:
    assert _found(validate, _annotated(DEPLOY, value)) == [
        ("HG219", DEPLOY, DEPLOY_OBJ, message) for message in messages
    ]


def test_sync_options_of_an_appset_template(validate: Validate) -> None:
    appset = _appset([["a"]]).replace(
        "      destination:", "      syncPolicy: {syncOptions: [Prune=maybe]}\n      destination:"
    )
    files = clean_files()
    del files[APP]
    found = _found(validate, {**files, "apps/whoamis.yaml": appset})
    assert [f for f in found if f[0] == "HG219"] == [
        ("HG219", "apps/whoamis.yaml", obj, "sync option 'Prune=maybe' has no valid value")
        for obj in ("Application/argocd/whoami-a", "ApplicationSet/argocd/whoamis")
    ]  # the generated Application as well


def test_sync_options_and_the_annotation_of_one_application(validate: Validate) -> None:
    wave = 'argocd.argoproj.io/sync-wave: "1"'
    files = changed(
        (APP, wave, f"{wave}\n    argocd.argoproj.io/sync-options: Replace=sometimes"),
        (APP, SYNC_OPTIONS, "[CreateNamespace=maybe]"),
    )
    assert _found(validate, files) == [
        _app("HG219", f"sync option '{option}' has no valid value")
        for option in ("CreateNamespace=maybe", "Replace=sometimes")
    ]
