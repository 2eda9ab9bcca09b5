"""Issue 24, round 3: what running homegen on real public homelab repositories still got wrong,
each reduced to a small tree (docs/fidelity.md has the repositories and the numbers)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from fidelity_trees import (
    LAB,
    app_names,
    config_map,
    findings,
    lab_app,
    need_kustomize,
    rules_at,
    run,
)
from validate_trees import write_tree

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: argocd}\n"

# the root applied once by a bootstrap script lives in the folder of ArgoCD's own install,
# whose kustomization does not list it (listing it would make the argocd app own the root)
ROOT_BESIDE_INSTALL = {
    "argocd/kustomization.yaml": "resources: [ns.yaml]\n",
    "argocd/ns.yaml": NAMESPACE,
    "argocd/root.yaml": lab_app("root", "argocd/apps", "argocd"),
    "argocd/apps/kustomization.yaml": "resources: [argocd.yaml, web.yaml]\n",
    "argocd/apps/argocd.yaml": lab_app("argocd", "argocd", "argocd"),
    "argocd/apps/web.yaml": lab_app("web", "web", "web"),
    "web/cm.yaml": config_map("cfg"),
}


def test_a_file_a_kustomization_does_not_list_is_not_its_input(tmp_path: Path) -> None:
    """The build of ``argocd/`` reads ns.yaml only: root.yaml stays a file of the tree, the
    root it is (before: skipped as a build input, so no root and every app unreachable)."""
    need_kustomize()
    assert app_names(tmp_path, ROOT_BESIDE_INSTALL) == ["argocd", "root", "web"]
    found = rules_at(tmp_path, ROOT_BESIDE_INSTALL)
    assert not {rule for rule, _file in found} & {"HG203", "HG204", "HG222"}, found


def test_a_file_a_kustomization_patches_with_is_still_its_input(tmp_path: Path) -> None:
    """Just inside: a file the kustomization names as a patch is read by the build, not an
    object of its own (no HG222 'no Application syncs' on it)."""
    need_kustomize()
    files = {
        **ROOT_BESIDE_INSTALL,
        "argocd/kustomization.yaml": "resources: [ns.yaml]\npatches: [{path: label.yaml}]\n",
        "argocd/label.yaml": NAMESPACE.replace("{name: argocd}", "{name: argocd, labels: {a: b}}"),
    }
    found = rules_at(tmp_path, files)
    assert not [f for rule, f in found if f.endswith("label.yaml")], found
    assert app_names(tmp_path, files) == ["argocd", "root", "web"]


def _set(name: str, elements: str) -> str:
    """A bootstrap ApplicationSet of the lab repository over a list of (name, path)."""
    return f"""\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {{name: {name}, namespace: argocd}}
spec:
  generators: [{{list: {{elements: [{elements}]}}}}]
  template:
    metadata: {{name: "{{{{name}}}}"}}
    spec:
      project: default
      source: {{repoURL: "{LAB}.git", targetRevision: HEAD, path: "{{{{path}}}}"}}
      destination: {{server: "https://kubernetes.default.svc", namespace: "{{{{name}}}}"}}
"""


ONLY_SETS = {
    "k8s/apps/set.yaml": _set("apps", "{name: web, path: k8s/apps/web}, {name: db, path: k8s/db}"),
    "k8s/apps/web/cm.yaml": config_map("web"),
}


def test_at_a_checkouts_root_the_tree_is_the_repositorys_root(tmp_path: Path) -> None:
    """Only ApplicationSets, no Application with a plain path to say where the tree sits: at
    the root of a checkout the tree is the repository's root, so the generated paths are
    checked (before: HG221 "cannot tell where the tree sits", and the missing k8s/db unseen)."""
    tree = tmp_path / "lab"
    tree.mkdir()
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    subprocess.run(["git", "-C", str(tree), "remote", "add", "origin", LAB], check=True)
    found = rules_at(tree, ONLY_SETS)
    assert ("HG221", "k8s/apps/set.yaml") not in found
    assert ("HG201", "k8s/apps/set.yaml") in found  # db's path k8s/db does not exist
    assert app_names(tree, ONLY_SETS) == ["db", "web"]


def test_outside_a_checkout_the_place_stays_unknown(tmp_path: Path) -> None:
    """Just outside: the same folder with no git around it says it cannot tell."""
    found = rules_at(tmp_path, ONLY_SETS)
    assert ("HG221", "k8s/apps/set.yaml") in found
    assert ("HG201", "k8s/apps/set.yaml") not in found
    said = {f["msg"] for f in findings(tmp_path, ONLY_SETS) if f["rule"] == "HG221"}
    assert said == {"cannot tell where the tree sits in the repository; source paths not checked"}


BUNDLE = {
    "sets/kustomization.yaml": "resources: [infra.yaml, apps.yaml]\n",
    "sets/infra.yaml": lab_app("infrastructure", "infra", "argocd"),
    "sets/apps.yaml": lab_app("applications", "apps", "argocd"),
    "sets/old.yaml": lab_app("old", "a", "argocd"),  # the bundle does not list it
    "infra/a.yaml": lab_app("a", "a", "a"),
    "infra/b.yaml": lab_app("b", "b", "b"),
    "apps/web.yaml": lab_app("web", "web", "web"),
    "a/cm.yaml": config_map("a"),
    "b/cm.yaml": config_map("b"),
    "web/cm.yaml": config_map("web"),
}


def test_every_app_of_a_bootstrap_bundle_is_a_root(tmp_path: Path) -> None:
    """``kubectl apply -k sets`` creates both roots: the one reaching fewer apps is a root
    too (before: applications and web were never created, HG203 and HG222 on them)."""
    expected = ["a", "applications", "b", "infrastructure", "web"]
    assert app_names(tmp_path, BUNDLE) == expected
    found = rules_at(tmp_path, BUNDLE)
    assert {(r, f) for r, f in found if r in ("HG203", "HG222")} == {("HG203", "sets/old.yaml")}


def test_a_bundle_an_app_syncs_is_no_bootstrap_bundle(tmp_path: Path) -> None:
    """Just outside: once an app syncs the bundle's folder, that app is the root and
    reaches both; nothing is added beside it."""
    files = {**BUNDLE, "root.yaml": lab_app("root", "sets", "argocd")}
    assert app_names(tmp_path, files) == ["a", "applications", "b", "infrastructure", "root", "web"]
    files["sets/kustomization.yaml"] = "resources: [infra.yaml]\n"
    # apps.yaml is then a file nothing creates, not a second root
    assert "applications" not in app_names(tmp_path, files)


GATEWAY = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n" + (
    "metadata: {name: external, namespace: gateway}\n"
    "spec:\n  gatewayClassName: cilium\n"
    "  listeners: [{name: http, port: 80, protocol: HTTP,\n"
    "               allowedRoutes: {namespaces: {from: All}}}]\n"
)
ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: web}
spec:
  parentRefs: [{name: external, namespace: gateway}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: web}
spec: {ports: [{port: 80}], selector: {app: web}}
"""
# infra's build reads a folder with helmCharts (not inflated offline) and one with the Gateway
NETWORK = {
    "root.yaml": lab_app("root", "apps", "argocd"),
    "apps/network.yaml": lab_app("network", "network", "").replace("namespace: }", "}"),
    "apps/web.yaml": lab_app("web", "web", "web"),
    "network/kustomization.yaml": "resources: [cilium, gateway]\n",
    "network/cilium/kustomization.yaml": (
        "helmCharts: [{name: cilium, repo: 'https://helm.cilium.io', version: 1.16.0}]\n"
    ),
    "network/gateway/kustomization.yaml": "namespace: gateway\nresources: [gw.yaml]\n",
    "network/gateway/gw.yaml": GATEWAY,
    "web/route.yaml": ROUTE,
}


def test_a_gateway_in_a_build_not_made_is_not_verified_not_missing(tmp_path: Path) -> None:
    """The network build needs Helm, so its Gateway is unknown: HG207 is a note naming the
    app (before: an error "Gateway gateway/external does not exist")."""
    need_kustomize()
    found = findings(tmp_path, NETWORK)
    hg207 = [f for f in found if f["rule"] == "HG207"]
    assert [(f["severity"], f["msg"].split(": ")[1]) for f in hg207] == [
        ("info", "app network was not expanded")
    ], hg207


def test_a_gateway_that_is_missing_where_everything_was_built_is_an_error(tmp_path: Path) -> None:
    """Just outside: with the network build made, a route to a Gateway nobody defines is
    HG207, an error."""
    need_kustomize()
    files = {**NETWORK, "network/kustomization.yaml": "resources: [gateway]\n"}
    files["web/route.yaml"] = ROUTE.replace("name: external, namespace", "name: other, namespace")
    hg207 = [f for f in findings(tmp_path, files) if f["rule"] == "HG207"]
    assert [f["severity"] for f in hg207] == ["error"], hg207


def test_a_gateway_a_plugin_app_deploys_is_not_verified(tmp_path: Path) -> None:
    """The gateway app runs a config management plugin into the argocd namespace; its own
    files put the Gateway in the gateway namespace, which is then not fully known."""
    plugin = lab_app("gateway", "gateway", "argocd").replace(
        "path: gateway}", "path: gateway, plugin: {name: kustomize-build-with-helm}}"
    )
    files = {
        "root.yaml": lab_app("root", "apps", "argocd"),
        "apps/gateway.yaml": plugin,
        "apps/web.yaml": lab_app("web", "web", "web"),
        "gateway/gw.yaml": GATEWAY,
        "web/route.yaml": ROUTE,
    }
    hg207 = [f for f in findings(tmp_path, files) if f["rule"] == "HG207"]
    assert hg207 == []  # the plugin's folder is read as written: the Gateway is there
    files["gateway/gw.yaml"] = GATEWAY.replace("name: external", "name: internal")
    hg207 = [f for f in findings(tmp_path, files) if f["rule"] == "HG207"]
    assert [(f["severity"], f["msg"].split(": ")[1]) for f in hg207] == [
        ("info", "app gateway was not expanded")
    ], hg207


def _commit(tree: Path, *args: str) -> None:
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, *args], check=True, capture_output=True)


def test_a_source_at_another_branch_is_not_expanded_and_said_so(tmp_path: Path) -> None:
    """Kargo's layout: apps sync a rendered branch. What ArgoCD applies is not in the
    checkout, so the source is not expanded (a line of coverage), and its path is not
    checked against the checkout (before: HG201 "does not exist", and the app counted as
    expanded with nothing in it)."""
    need_kustomize()
    tree = tmp_path / "lab"
    files = {
        "root.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web").replace("HEAD", "rendered"),
        "apps/db.yaml": lab_app("db", "db", "db").replace("HEAD", "main"),
        "apps/ui.yaml": lab_app("ui", "ui", "ui").replace("HEAD", "not-fetched"),
        "db/kustomization.yaml": "resources: [cm.yaml]\n",
        "db/cm.yaml": config_map("db"),
        "ui/cm.yaml": config_map("ui"),
    }
    write_tree(tree, files)
    subprocess.run(["git", "init", "-q", "-b", "main", str(tree)], check=True)
    subprocess.run(["git", "-C", str(tree), "remote", "add", "origin", LAB], check=True)
    _commit(tree, "add", "-A")
    _commit(tree, "commit", "-qm", "lab")
    _commit(tree, "branch", "rendered")
    write_tree(tree, {"db/cm2.yaml": config_map("db2")})
    _commit(tree, "add", "-A")
    _commit(tree, "commit", "-qm", "main moves on")
    assert app_names(tree, files) == ["db", "root", "ui", "web"]
    result = run(tree, {}, "--output", "json")
    report = json.loads(result.stdout)
    found = {(f["rule"], f["filename"].removeprefix(f"{tree}/")) for f in report["resources"]}
    assert ("HG201", "apps/web.yaml") not in found
    assert report["summary"]["coverage"]["notExpanded"] == [
        {"app": "web", "why": "revision rendered is not the checkout"}
    ]
    # main is the branch checked out, not-fetched is unknown to git: both read as the checkout
    assert ("HG201", "apps/db.yaml") not in found
    assert ("HG222", "db/cm.yaml") not in found
    assert ("HG222", "ui/cm.yaml") not in found


HELM_INSTALL = {
    "argocd/kustomization.yaml": (
        "resources: [argocd.yaml, appsets.yaml]\n"
        "helmCharts: [{name: argo-cd, repo: 'https://argoproj.github.io/argo-helm', "
        "version: 9.0.0}]\n"
    ),
    "argocd/argocd.yaml": lab_app("argocd", "argocd", "argocd"),
    "argocd/appsets.yaml": lab_app("appsets", "apps", "argocd"),
    "apps/web.yaml": lab_app("web", "web", "web"),
    "web/cm.yaml": config_map("web"),
}


def test_the_apps_of_a_build_not_made_stay_known(tmp_path: Path) -> None:
    """ArgoCD installed from helmCharts (not inflated offline) with the root beside it: the
    Applications the build lists are read as written, so the app graph stays (before: no
    Application at all, everything checked one by one)."""
    need_kustomize()
    assert app_names(tmp_path, HELM_INSTALL) == ["appsets", "argocd", "web"]
    found = rules_at(tmp_path, HELM_INSTALL)
    assert not {r for r, _f in found} & {"HG203", "HG204", "HG222"}, found


def test_the_apps_of_a_build_made_are_its_output(tmp_path: Path) -> None:
    """Just outside: without helmCharts the build is made, and its output (not the written
    files) holds the Applications."""
    need_kustomize()
    files = {
        **HELM_INSTALL,
        "argocd/kustomization.yaml": "resources: [argocd.yaml, appsets.yaml]\n",
    }
    assert app_names(tmp_path, files) == ["appsets", "argocd", "web"]
    listed = json.loads(run(tmp_path, files, "--list-apps", "-o", "json").stdout)
    assert {r["name"]: r["file"] for r in listed}["appsets"] == (
        "argocd/argocd.yaml::argocd/argocd/appsets.yaml"
    )


OMNI_TEMPLATE = "kind: Cluster\nname: lab\nkubernetes: {version: v1.31.0}\n"


def test_a_half_object_no_app_syncs_is_no_kubernetes_object(tmp_path: Path) -> None:
    """An Omni cluster template beside the manifests (kind, no apiVersion), synced by no app:
    skipped, not HG103 (before: an error per template)."""
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/cm.yaml": config_map("web"),
        "omni/cluster.yaml": OMNI_TEMPLATE,
    }
    assert ("HG103", "omni/cluster.yaml") not in rules_at(tmp_path, files)
    # just inside: in a folder an app syncs, the apply fails, so it is HG103
    files["web/cluster.yaml"] = OMNI_TEMPLATE
    assert ("HG103", "web/cluster.yaml") in rules_at(tmp_path, files)


def _env_deployment(env: dict[str, str]) -> str:
    items = ", ".join(f"{{name: {k}, value: {json.dumps(v)}}}" for k, v in env.items())
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: web}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "nginx:1.25", env: [{items}]}}]
"""


def test_names_paths_flags_and_urls_about_a_secret_are_no_literal_secret(tmp_path: Path) -> None:
    """Seen in metallb, opencode, karakeep: HG315 fired on what names, locates or switches a
    secret. A password itself still fires, and so does a token that only looks like a flag."""
    env = {
        "METALLB_ML_SECRET_NAME": "memberlist",
        "METALLB_ML_SECRET_KEY_PATH": "/etc/ml_secret_key",
        "FLATNOTES_AUTH_TYPE": "password",
        "DISABLE_PASSWORD_AUTH": "true",
        "GENERIC_TOKEN_ENDPOINT": "https://sso.example.com/token/",
        "SECRET_KEY": "/run/secrets/key",  # a path or a URL, whatever the name's last word
        "OIDC_SECRET": "vault://kv/oidc",
        "DB_PASSWORD": "hunter2",
        "API_TOKEN": "yesman",
    }
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/deploy.yaml": _env_deployment(env),
    }
    messages = [f["msg"] for f in findings(tmp_path, files) if f["rule"] == "HG315"]
    named = sorted(m.split("env ")[1].split(" ")[0] for m in messages)
    assert named == ["API_TOKEN", "DB_PASSWORD"], messages


def _route(name: str, namespace: str) -> str:
    return f"""\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  parentRefs: [{{name: external, namespace: gateway}}]
  hostnames: [web.example.com]
  rules: [{{backendRefs: [{{name: {name}, port: 80}}]}}]
"""


def test_a_stale_copy_no_app_syncs_clashes_with_nothing(tmp_path: Path) -> None:
    """A route moved to another folder, its old file left beside a kustomization that no
    longer lists it: nothing applies the old file, so no HG217 or HG232 with it."""
    need_kustomize()
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/kustomization.yaml": "resources: [route.yaml]\n",
        "web/route.yaml": _route("web", "web"),
        "web/old-route.yaml": _route("web", "web"),
    }
    found = rules_at(tmp_path, files)
    assert not {r for r, _f in found} & {"HG205", "HG217", "HG232"}, found
    # just inside: another app's route claiming the same hostname is a conflict
    files["apps/blog.yaml"] = lab_app("blog", "blog", "blog")
    files["blog/route.yaml"] = _route("blog", "blog")
    assert "HG217" in {r for r, _f in rules_at(tmp_path, files)}


def test_routes_and_services_no_app_applies_are_not_checked(tmp_path: Path) -> None:
    """An archived folder beside the synced ones: its route to a missing Service and its
    Service selecting nothing are never applied (HG222 says so), not HG210 or HG214."""
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: old, namespace: old}\n"
    service += "spec: {ports: [{port: 80}], selector: {app: old}}\n"
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/cm.yaml": config_map("web"),
        "archive/route.yaml": _route("old", "old").replace("{name: old, port", "{name: gone, port"),
        "archive/svc.yaml": service,
    }
    found = rules_at(tmp_path, files)
    assert not {r for r, _f in found} & {"HG210", "HG214"}, found
    assert ("HG222", "archive/route.yaml") in found
    # the synced ones after them are checked
    synced = {
        "web/route.yaml": files["archive/route.yaml"].replace("namespace: old", "namespace: web")
    }
    synced["web/svc.yaml"] = service.replace("namespace: old", "namespace: web")
    found = rules_at(tmp_path, {**files, **synced})
    assert {("HG210", "web/route.yaml"), ("HG214", "web/svc.yaml")} <= found, found
    assert not {f for r, f in found if r in ("HG210", "HG214") and f.startswith("archive/")}
    # just inside: the same files in a folder an app syncs are checked
    files = {**files, "apps/old.yaml": lab_app("old", "archive", "old")}
    assert {"HG210", "HG214"} <= {r for r, _f in rules_at(tmp_path, files)}


def test_a_grant_in_a_namespace_not_fully_known_is_not_verified(tmp_path: Path) -> None:
    """The auth app's build needs Helm: its ReferenceGrant is unknown, so HG212 is a note."""
    need_kustomize()
    route = _route("web", "web").replace(
        "{name: web, port: 80}", "{name: outpost, namespace: auth, port: 80}"
    )
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "apps/auth.yaml": lab_app("auth", "auth", "auth"),
        "web/route.yaml": route,
        "auth/kustomization.yaml": (
            "resources: [cm.yaml]\n"
            "helmCharts: [{name: authentik, repo: 'https://charts.goauthentik.io', "
            "version: 2025.1.0}]\n"
        ),
        "auth/cm.yaml": config_map("auth", "auth"),
    }
    hg212 = [f["severity"] for f in findings(tmp_path, files) if f["rule"] == "HG212"]
    assert hg212 == ["info"]
    # just outside: the build made and no grant in it is an error
    files["auth/kustomization.yaml"] = "resources: [cm.yaml]\n"
    hg212 = [f["severity"] for f in findings(tmp_path, files) if f["rule"] == "HG212"]
    assert hg212 == ["error"]


def test_a_build_that_needs_the_network_is_a_line_of_coverage(tmp_path: Path) -> None:
    """A remote base is fetched by ArgoCD, not offline: the app counts as not expanded (before:
    a note on stderr, and the summary counted it as expanded)."""
    need_kustomize()
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/db.yaml": lab_app("db", "db", "db"),
        "db/kustomization.yaml": ("resources: [cm.yaml, 'https://127.0.0.1:9/x.yaml']\n"),
        "db/cm.yaml": config_map("db", "db"),
    }
    result = run(tmp_path, files, "--output", "json")
    coverage = json.loads(result.stdout)["summary"]["coverage"]
    assert coverage["notExpanded"] == [
        {"app": "db", "why": "kustomize:db not built: needs network"}
    ], coverage


def test_a_key_set_to_null_is_unset_not_a_value(tmp_path: Path) -> None:
    """``targetPort: null`` (kenlasko's plex Service): the API server reads it as unset; the
    int-or-string schema matched null twice and said so (HG104). A required key set to null
    is still missing."""
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: web}\n"
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/svc.yaml": service + "spec: {ports: [{port: 80, targetPort: null}]}\n",
    }
    assert ("HG104", "web/svc.yaml") not in rules_at(tmp_path, files)
    files["web/svc.yaml"] = service + "spec: {ports: [{port: null}]}\n"
    assert ("HG104", "web/svc.yaml") in rules_at(tmp_path, files)


def test_an_app_its_kustomization_leaves_out_is_a_warning_saying_so(tmp_path: Path) -> None:
    """kdwils comments out the Applications it turns off: ArgoCD never creates them, which
    HG203 says as a warning naming the kustomization. Just outside: an Application file in a
    folder no app syncs stays an error."""
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/kustomization.yaml": "resources: [web.yaml]  # old.yaml turned off\n",
        "apps/web.yaml": lab_app("web", "web", "web"),
        "apps/old.yaml": lab_app("old", "web", "old"),
        "web/cm.yaml": config_map("web"),
        "stray/other.yaml": lab_app("other", "web", "other"),
    }
    found = [f for f in findings(tmp_path, files) if f["rule"] == "HG203"]
    hg203 = {f["filename"].removeprefix(f"{tmp_path}/"): (f["severity"], f["msg"]) for f in found}
    assert hg203 == {
        "apps/old.yaml": (
            "warning",
            "apps/kustomization.yaml does not list this file: ArgoCD never creates this "
            "Application",
        ),
        "stray/other.yaml": ("error", "no app syncs the file of this Application"),
    }
    fixes = {f["filename"].removeprefix(f"{tmp_path}/"): f["fix"] for f in found}
    assert fixes["apps/old.yaml"] == "list the file in the kustomization's resources, or delete it"
    assert fixes["stray/other.yaml"] != fixes["apps/old.yaml"]


def test_an_app_the_build_of_an_unreached_app_makes_is_unreached_too(tmp_path: Path) -> None:
    """An app no app syncs still has its kustomization built: the Application the build
    makes (a file ``…::…``, in no folder of the tree) is an error as its maker, not a crash."""
    need_kustomize()
    files = {
        "app-of-apps.yaml": lab_app("root", "apps", "argocd"),
        "apps/web.yaml": lab_app("web", "web", "web"),
        "web/cm.yaml": config_map("web"),
        "stray/sets.yaml": lab_app("sets", "sets", "argocd"),
        "sets/kustomization.yaml": "resources: [base.yaml]\n",
        "sets/base.yaml": lab_app("built", "built", "built"),
    }
    hg203 = {
        f["filename"].removeprefix(f"{tmp_path}/"): (f["severity"], f["msg"])
        for f in findings(tmp_path, files)
        if f["rule"] == "HG203"
    }
    unreached = ("error", "no app syncs the file of this Application")
    assert hg203 == {
        "stray/sets.yaml": unreached,
        "stray/sets.yaml::sets/sets/base.yaml": unreached,
    }
