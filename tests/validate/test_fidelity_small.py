"""Issue 24, class 9: the smaller false positives on hand-written trees, each with its tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from fidelity_trees import config_map, findings, lab_app, rules_at

import homegen.config.checks as config_checks
import homegen.importer.argofields as importer_fields
import homegen.validate.rules.integrity_argocd as validate_argocd
from homegen.argocd_options import KNOWN_SYNC_OPTIONS

ROOT = {"app-of-apps.yaml": lab_app("root", "apps", "argocd")}


def test_duplicates_between_files_no_app_syncs_never_clash(tmp_path: Path) -> None:
    files = {
        **ROOT,
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/cm.yaml": config_map("cfg", "web"),
        "old/a.yaml": config_map("cfg", "web"),  # neither old/ file is applied
        "old/b.yaml": config_map("cfg", "web"),
    }
    found = rules_at(tmp_path, files)
    assert not [f for f in found if f[0] == "HG205"]
    # a second synced copy does clash
    files["web/copy.yaml"] = config_map("cfg", "web")
    assert ("HG205", "web/copy.yaml") in rules_at(tmp_path, files)


def test_duplicates_in_a_folder_of_plain_manifests_still_clash(tmp_path: Path) -> None:
    files = {"a.yaml": config_map("cfg", "web"), "b.yaml": config_map("cfg", "web")}
    assert ("HG205", "b.yaml") in rules_at(tmp_path, files)


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: "nginx:1.25"
          env:
            - {name: DB_PASSWORD, value: "<path:kv/data/web#db>"}
            - {name: API_TOKEN, value: "<token>"}
            - {name: DB_PASSWORD_FILE, value: /run/secrets/db}
            - {name: EXISTING_SECRET, value: web-credentials}
            - {name: ADMIN_PASSWORD, value: hunter2}
"""

SECRETS = """\
apiVersion: v1
kind: Secret
metadata: {name: web-credentials, namespace: web}
stringData: {password: "<path:kv/data/web#password>"}
---
apiVersion: v1
kind: Secret
metadata:
  name: web-avp
  namespace: web
  annotations: {avp.kubernetes.io/path: kv/data/web}
data: {password: cGFzcw==}
---
apiVersion: v1
kind: Secret
metadata: {name: web-literal, namespace: web}
stringData: {password: hunter2}
"""

BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-reader, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: web, namespace: web}]
"""


def _web(tmp_path: Path, extra: dict[str, str]) -> list[tuple[str, str, str]]:
    files = {**ROOT, "apps/web.yaml": lab_app("web", "web", "web"), **extra}
    return [(f["rule"], f["severity"], f["msg"]) for f in findings(tmp_path, files)]


def test_vault_placeholders_file_paths_and_secret_names_are_no_literals(tmp_path: Path) -> None:
    found = _web(tmp_path, {"web/deploy.yaml": DEPLOYMENT, "web/secrets.yaml": SECRETS})
    env = [msg for rule, _s, msg in found if rule == "HG315"]
    assert len(env) == 1 and "ADMIN_PASSWORD" in env[0]
    secrets = [msg for rule, _s, msg in found if rule == "HG314"]
    assert secrets == ["Secret has literal stringData"]  # only web-literal


def test_a_mounted_token_of_a_bound_account_is_a_note(tmp_path: Path) -> None:
    found = _web(tmp_path, {"web/deploy.yaml": DEPLOYMENT})
    assert [(r, s) for r, s, _m in found if r == "HG317"] == [("HG317", "error")]
    found = _web(tmp_path, {"web/deploy.yaml": DEPLOYMENT, "web/binding.yaml": BINDING})
    notes = [(s, m) for r, s, m in found if r == "HG317"]
    assert notes == [
        (
            "info",
            "/spec/template/spec/automountServiceAccountToken: the service account token is "
            "mounted: ServiceAccount web is bound by RoleBinding/web/web-reader, so the pod "
            "uses it",
        )
    ]


def _binding(kind: str, namespace: str, subject: str) -> str:
    """A binding of the Role "reader" (``namespace`` "": cluster-scoped) to ``subject``."""
    meta = f"{{name: web-reader, namespace: {namespace}}}" if namespace else "{name: web-reader}"
    return (
        BINDING.replace("kind: RoleBinding", f"kind: {kind}")
        .replace("metadata: {name: web-reader, namespace: web}", f"metadata: {meta}")
        .replace("[{kind: ServiceAccount, name: web, namespace: web}]", f"[{subject}]")
    )


@pytest.mark.parametrize(
    ("binding", "bound_by"),
    [
        (_binding("ClusterRoleBinding", "", "{kind: ServiceAccount, name: web, namespace: web}"),
         "ClusterRoleBinding/web-reader"),
        # a RoleBinding's subject without a namespace is in the binding's namespace
        (_binding("RoleBinding", "web", "{kind: ServiceAccount, name: web}"),
         "RoleBinding/web/web-reader"),
        # a RoleBinding elsewhere grants web's account that namespace's Role all the same
        (_binding("RoleBinding", "ops", "{kind: ServiceAccount, name: web, namespace: web}"),
         "RoleBinding/ops/web-reader"),
        (_binding("RoleBinding", "web", "{kind: ServiceAccount, name: other, namespace: web}"),
         None),
        (_binding("RoleBinding", "web", "{kind: ServiceAccount, name: web, namespace: ops}"),
         None),
        (_binding("RoleBinding", "ops", "{kind: ServiceAccount, name: web}"), None),
        (_binding("RoleBinding", "web", "{kind: User, name: web}"), None),
    ],
    ids=["cluster-binding", "subject-without-namespace", "binding-elsewhere", "other-account",
         "account-of-another-namespace", "subject-in-the-binding-namespace", "a-user"],
)  # fmt: skip
def test_which_bindings_bind_the_pods_account(
    tmp_path: Path, binding: str, bound_by: str | None
) -> None:
    found = _web(tmp_path, {"web/deploy.yaml": DEPLOYMENT, "web/binding.yaml": binding})
    notes = [(s, m.rpartition("mounted")[2]) for r, s, m in found if r == "HG317"]
    expected = f": ServiceAccount web is bound by {bound_by}, so the pod uses it"
    assert notes == [("info", expected) if bound_by else ("error", "")]


@pytest.mark.parametrize(
    ("data", "literal"),
    [
        ('data: {password: "<path:kv/data/web#password>"}', []),
        ('data: {password: "<path:kv/data/web#password>", user: d2Vi}', ["data"]),
        ('data: {password: "<path:kv/data/web#password>"}\nstringData: {user: web}',
         ["data and stringData"]),
    ],
    ids=["data-placeholders", "one-literal-in-data", "a-literal-in-stringData"],
)  # fmt: skip
def test_a_secret_is_a_vault_plugins_when_every_value_is_a_placeholder(
    tmp_path: Path, data: str, literal: list[str]
) -> None:
    secret = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: web, namespace: web}}\n{data}\n"
    found = _web(tmp_path, {"web/secret.yaml": secret})
    assert [m for r, _s, m in found if r == "HG314"] == [f"Secret has literal {x}" for x in literal]


def test_one_table_of_sync_options() -> None:
    assert config_checks.KNOWN_SYNC_OPTIONS is KNOWN_SYNC_OPTIONS
    assert validate_argocd.KNOWN_SYNC_OPTIONS is KNOWN_SYNC_OPTIONS
    assert importer_fields.KNOWN_SYNC_OPTIONS is KNOWN_SYNC_OPTIONS
    # the options the two tables disagreed on
    assert {"Force", "ClientSideApplyMigration"} <= set(KNOWN_SYNC_OPTIONS)
    assert "true" in KNOWN_SYNC_OPTIONS["Prune"]


def test_fixes_fit_a_hand_written_tree(tmp_path: Path) -> None:
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n"
    files = {**ROOT, "apps/web.yaml": lab_app("web", "web", "web")}
    files |= {"web/secrets.yaml": SECRETS, "web/namespace.yaml": namespace}
    fixes = {f["rule"]: f["fix"] for f in findings(tmp_path, files)}
    assert "1Password" not in fixes["HG314"] and "ExternalSecret" in fixes["HG314"]
    assert "homegen.dev" not in fixes["HG319"]


def _bound(subject: str) -> str:
    return _binding("RoleBinding", "web", f"{{kind: ServiceAccount, name: {subject}}}")


@pytest.mark.parametrize(("subject", "severity"), [("default", "info"), ("web", "error")])
def test_a_pod_without_an_account_runs_as_default(
    tmp_path: Path, subject: str, severity: str
) -> None:
    deployment = DEPLOYMENT.replace("      serviceAccountName: web\n", "")
    found = _web(tmp_path, {"web/deploy.yaml": deployment, "web/binding.yaml": _bound(subject)})
    notes = [(s, m.rpartition("mounted")[2]) for r, s, m in found if r == "HG317"]
    expected = ": ServiceAccount default is bound by RoleBinding/web/web-reader, so the pod uses it"
    assert notes == [(severity, expected if severity == "info" else "")]


def test_homegen_made_workloads_state_their_binding_with_an_exception(tmp_path: Path) -> None:
    # homegen's own tree grants a pod the API with an exception and its reason: no note
    made = DEPLOYMENT.replace(
        "metadata: {name: web, namespace: web}",
        "metadata: {name: web, namespace: web, labels: {app.kubernetes.io/managed-by: homegen}}",
    )
    found = _web(tmp_path, {"web/deploy.yaml": made, "web/binding.yaml": BINDING})
    assert [(r, s) for r, s, _m in found if r == "HG317"] == [("HG317", "error")]


def test_the_fix_of_a_homegen_made_secret_speaks_of_homegen(tmp_path: Path) -> None:
    made = SECRETS.replace(
        "metadata: {name: web-literal, namespace: web}",
        "metadata:\n  name: web-literal\n  namespace: web\n"
        "  labels: {app.kubernetes.io/managed-by: homegen}",
    )
    fixes = [
        f["fix"] for f in findings(tmp_path, {**ROOT, "web/s.yaml": made}) if f["rule"] == "HG314"
    ]
    assert len(fixes) == 1 and "1Password" in fixes[0] and "ExternalSecret" in fixes[0]
    assert "SealedSecret" not in fixes[0]  # the hand-written tree's fix names it


def test_the_fix_of_a_homegen_made_namespace_speaks_of_homegen(tmp_path: Path) -> None:
    made = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n"
    made += "  labels: {app.kubernetes.io/managed-by: homegen}\n"
    fixes = [
        f["fix"] for f in findings(tmp_path, {**ROOT, "web/ns.yaml": made}) if f["rule"] == "HG319"
    ]
    assert len(fixes) == 1 and "homegen.dev" in fixes[0]
