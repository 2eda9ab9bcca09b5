"""HG250-HG253 on hand-written trees: CRD owners and order, storage classes, listener pods."""

from __future__ import annotations

from pathlib import Path

import pytest
from validate_trees import app, clean_files, dedent, rule_ids, write_tree

from conftest import Validate
from homegen.validate.findings import Finding, Report
from homegen.validate.reader.documents import load_tree
from homegen.validate.run import ValidateOptions, validate_documents


def chart_app(
    name: str,
    chart: str,
    version: str,
    *,
    wave: int = 0,
    namespace: str = "",
    skip_crds: bool = False,
    values_file: str = "",
) -> str:
    """An Application of one chart (plus the tree's repo as `$values` when values_file)."""
    helm = "      helm:\n        releaseName: " + name + "\n"
    if skip_crds:
        helm += "        skipCrds: true\n"
    if values_file:
        helm += f"        valueFiles: [$values/kubernetes/argocd/{values_file}]\n"
    values_ref = (
        "    - repoURL: https://github.com/TechDufus/home.io\n"
        "      targetRevision: main\n      ref: values\n"
        if values_file
        else ""
    )
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n"
        f"  name: {name}\n  namespace: argocd\n  annotations:\n"
        f'    argocd.argoproj.io/sync-wave: "{wave}"\n'
        "spec:\n  project: default\n  sources:\n"
        f"    - repoURL: https://charts.example.com\n      chart: {chart}\n"
        f"      targetRevision: {version}\n{helm}{values_ref}"
        "  destination:\n    server: https://kubernetes.default.svc\n"
        f"    namespace: {namespace or name}\n"
    )


def gateway_crds_app(wave: int) -> str:
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: gateway-api-crds
          namespace: argocd
          annotations:
            argocd.argoproj.io/sync-wave: "{wave}"
        spec:
          project: default
          source:
            repoURL: https://github.com/kubernetes-sigs/gateway-api
            targetRevision: v1.2.1
            path: config/crd/standard
          destination:
            server: https://kubernetes.default.svc
            namespace: default
    """)


def of(report: Report, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


# --- HG250 crd-two-owners ------------------------------------------------------------------


def test_a_chart_shipping_the_gateway_crds_beside_the_gateway_install(validate: Validate) -> None:
    files = {
        **clean_files(),
        "apps/gateway-api-crds.yaml": gateway_crds_app(-1),
        "apps/traefik.yaml": chart_app("traefik", "traefik", "33.2.1", namespace="traefik"),
    }
    found = of(validate(files), "HG250")
    assert {f.object for f in found} == {
        "Application/argocd/traefik",
        "Application/argocd/gateway-api-crds",
    }
    assert any("ReferenceGrant" in f.message and "chart traefik" in f.message for f in found)


def test_skip_crds_leaves_one_owner(validate: Validate) -> None:
    files = {
        **clean_files(),
        "apps/gateway-api-crds.yaml": gateway_crds_app(-1),
        "apps/traefik.yaml": chart_app(
            "traefik", "traefik", "33.2.1", namespace="traefik", skip_crds=True
        ),
    }
    assert "HG250" not in rule_ids(validate(files))


WIDGET_CRD = dedent("""
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
""")


def test_two_apps_with_the_same_crd_object(validate: Validate) -> None:
    files = {
        **clean_files(),
        "apps/one.yaml": app("one", "manifests/one", wave=-1, namespace="default"),
        "apps/two.yaml": app("two", "manifests/two", wave=-1, namespace="default"),
        "manifests/one/crd.yaml": WIDGET_CRD,
        "manifests/two/crd.yaml": WIDGET_CRD,
    }
    found = of(validate(files), "HG250")
    assert len(found) == 2
    assert "Widget (example.com)" in found[0].message


# --- HG251 crd-installed-later -------------------------------------------------------------


def test_gateway_objects_in_the_wave_of_their_crds(validate: Validate) -> None:
    files = {**clean_files(), "apps/gateway-api-crds.yaml": gateway_crds_app(0)}
    found = of(validate(files), "HG251")
    # gateway-config (wave 0) holds the GatewayClass, Gateway and HTTPRoute
    kinds = {f.object.split("/")[0] for f in found}
    assert kinds == {"GatewayClass", "Gateway", "HTTPRoute"}
    assert all("gateway-api-crds in wave 0" in f.message for f in found)


def test_crds_a_wave_earlier_are_clean(validate: Validate) -> None:
    files = {**clean_files(), "apps/gateway-api-crds.yaml": gateway_crds_app(-1)}
    report = validate(files)
    assert "HG251" not in rule_ids(report)
    assert "HG250" not in rule_ids(report)


def test_a_grant_in_a_later_installed_crd(validate: Validate) -> None:
    # whoami (wave 1) holds a ReferenceGrant; the CRDs come in wave 1 too
    files = {**clean_files(), "apps/gateway-api-crds.yaml": gateway_crds_app(1)}
    objects = {f.object for f in of(validate(files), "HG251")}
    assert "ReferenceGrant/whoami/traefik-to-whoami" in objects


def test_a_chart_that_creates_a_custom_resource_before_its_controller(validate: Validate) -> None:
    files = {
        **clean_files(),
        "apps/arc.yaml": chart_app("arc", "gha-runner-scale-set-controller", "0.13.0", wave=1),
        "apps/runners.yaml": chart_app("runners", "gha-runner-scale-set", "0.13.0", wave=1),
    }
    found = of(validate(files), "HG251")
    assert [f.object for f in found] == ["Application/argocd/runners"]
    assert "chart gha-runner-scale-set" in found[0].message


def test_crd_and_objects_in_one_app_are_ordered_by_argocd(validate: Validate) -> None:
    widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n"
    files = {
        **clean_files(),
        "apps/one.yaml": app("one", "manifests/one", namespace="default"),
        "manifests/one/crd.yaml": WIDGET_CRD,
        "manifests/one/widget.yaml": widget,
    }
    assert "HG251" not in rule_ids(validate(files))


WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: %s, namespace: default}\n"


def widget_tree(waves: dict[str, int], files: dict[str, str]) -> dict[str, str]:
    """The clean tree plus one app per entry of ``waves`` (its folder manifests/<name>)."""
    apps = {
        f"apps/{name}.yaml": app(name, f"manifests/{name}", wave=wave, namespace="default")
        for name, wave in waves.items()
    }
    return {**clean_files(), **apps, **files}


def test_three_owners_of_one_crd_each_named_with_where_it_comes_from(validate: Validate) -> None:
    crds = {f"manifests/{n}/crd.yaml": WIDGET_CRD for n in ("one", "two", "three")}
    found = of(validate(widget_tree({"one": -1, "two": -1, "three": -1}, crds)), "HG250")
    message = (
        "the CRD of Widget (example.com) is installed by 3 apps: one (manifests/one/crd.yaml), "
        "three (manifests/three/crd.yaml), two (manifests/two/crd.yaml)"
    )
    assert sorted((f.file, f.line, f.object, f.message) for f in found) == [
        (f"apps/{n}.yaml", 1, f"Application/argocd/{n}", message) for n in ("one", "three", "two")
    ]
    assert {f.severity for f in found} == {"error"}


GADGET_CRD = WIDGET_CRD.replace("Widget", "Gadget").replace("widget", "gadget")


def test_one_owner_of_a_crd_is_clean_and_does_not_hide_the_next(validate: Validate) -> None:
    files = {"manifests/one/gadget.yaml": GADGET_CRD, "manifests/one/crd.yaml": WIDGET_CRD}
    assert "HG250" not in rule_ids(validate(widget_tree({"one": -1}, files)))
    files["manifests/two/crd.yaml"] = WIDGET_CRD
    found = of(validate(widget_tree({"one": -1, "two": -1}, files)), "HG250")
    assert [f.message.split(" is ")[0] for f in found] == ["the CRD of Widget (example.com)"] * 2


@pytest.mark.parametrize(
    ("crd_wave", "object_wave", "expected"),
    [
        (0, 1, []),
        (0, 0, ["Widget (example.com) is synced by two in wave 0, but its CRD comes from one "
                "in wave 0"]),
        (2, 1, ["Widget (example.com) is synced by two in wave 1, but its CRD comes from one "
                "in wave 2"]),
    ],
    ids=["earlier", "same-wave", "later"],
)  # fmt: skip
def test_objects_of_a_crd_another_app_installs(
    validate: Validate, crd_wave: int, object_wave: int, expected: list[str]
) -> None:
    files = {
        "manifests/one/crd.yaml": WIDGET_CRD,
        "manifests/two/a.yaml": WIDGET % "a",
        "manifests/two/b.yaml": WIDGET % "b",  # one finding per CRD and installer is enough
    }
    found = of(validate(widget_tree({"one": crd_wave, "two": object_wave}, files)), "HG251")
    assert [f.message for f in found] == expected
    for item in found:
        where = (item.file, item.line, item.object, item.severity)
        assert where == ("manifests/two/a.yaml", 1, "Widget/default/a", "error")


def test_each_later_installer_of_a_crd_is_reported(validate: Validate) -> None:
    # installers in file order: four (later), one (earlier: fine), three (same wave)
    files = {f"manifests/{n}/crd.yaml": WIDGET_CRD for n in ("four", "one", "three")}
    files["manifests/two/a.yaml"] = WIDGET % "a"
    waves = {"four": 1, "one": -1, "two": 0, "three": 0}
    found = of(validate(widget_tree(waves, files)), "HG251")
    assert sorted(f.message for f in found) == [
        "Widget (example.com) is synced by two in wave 0, but its CRD comes from four in wave 1",
        "Widget (example.com) is synced by two in wave 0, but its CRD comes from three in wave 0",
    ]


def test_an_app_with_its_own_crd_is_still_checked_for_the_others(validate: Validate) -> None:
    files = {
        "manifests/one/crd.yaml": WIDGET_CRD,
        "manifests/two/crd.yaml": GADGET_CRD,
        "manifests/two/a.yaml": "apiVersion: example.com/v1\nkind: Gadget\n"
        "metadata: {name: g, namespace: default}\n",
        "manifests/two/b.yaml": WIDGET % "b",
    }
    found = of(validate(widget_tree({"one": 0, "two": 0}, files)), "HG251")
    assert [(f.object, f.message) for f in found] == [
        ("Widget/default/b",
         "Widget (example.com) is synced by two in wave 0, but its CRD comes from one in wave 0"),
    ]  # fmt: skip


def test_a_chart_custom_resource_is_reported_on_its_app_with_its_chart(
    validate: Validate,
) -> None:
    files = {
        **clean_files(),
        "apps/arc.yaml": chart_app("arc", "gha-runner-scale-set-controller", "0.13.0", wave=2),
        "apps/runners.yaml": chart_app("runners", "gha-runner-scale-set", "0.13.0", wave=1),
    }
    (found,) = of(validate(files), "HG251")
    assert (found.file, found.line, found.object) == (
        "apps/runners.yaml", 1, "Application/argocd/runners",
    )  # fmt: skip
    assert found.message == (
        "AutoscalingRunnerSet (actions.github.com) (created by chart gha-runner-scale-set) is "
        "synced by runners in wave 1, but its CRD comes from arc in wave 2"
    )


# --- HG252 storage-class-missing -----------------------------------------------------------

PVC = dedent("""
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
      namespace: whoami
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: {cls}
      resources:
        requests: {{storage: 1Gi}}
""")
STORAGE_CLASS = dedent("""
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: local-path
    provisioner: rancher.io/local-path
""")


def test_claim_naming_a_class_nothing_provides(validate: Validate) -> None:
    files = {**clean_files(), "manifests/whoami/pvc.yaml": PVC.format(cls="local-path")}
    (found,) = of(validate(files), "HG252")
    assert found.object == "PersistentVolumeClaim/whoami/data"
    assert found.path == "/spec/storageClassName"
    assert found.message == (
        "claims StorageClass 'local-path', which nothing provides (the tree has none)"
    )


def test_claim_whose_class_is_in_the_tree(validate: Validate) -> None:
    files = {
        **clean_files(),
        "manifests/whoami/pvc.yaml": PVC.format(cls="local-path"),
        "manifests/whoami/storageclass.yaml": STORAGE_CLASS,
    }
    assert "HG252" not in rule_ids(validate(files))


def test_claim_whose_class_the_cluster_declares(tmp_path: Path, options: ValidateOptions) -> None:
    files = {**clean_files(), "manifests/whoami/pvc.yaml": PVC.format(cls="ceph-block")}
    root = write_tree(tmp_path / "tree", files)
    options.storage_classes = ("ceph-block",)
    report = validate_documents(load_tree(root), options=options)
    assert "HG252" not in rule_ids(report)


def test_default_and_static_claims_are_not_checked(validate: Validate) -> None:
    files = {**clean_files(), "manifests/whoami/pvc.yaml": PVC.format(cls='""')}
    assert "HG252" not in rule_ids(validate(files))


def test_chart_values_naming_a_missing_class(validate: Validate) -> None:
    files = {
        **clean_files(),
        "apps/homarr.yaml": chart_app(
            "homarr", "homarr", "5.8.0", wave=1, values_file="values/homarr.yaml"
        ),
        "values/homarr.yaml": "persistence:\n  homarrDatabase:\n    storageClassName: local-path\n",
    }
    (found,) = of(validate(files), "HG252")
    assert found.object == "Application/argocd/homarr"
    assert "persistence.homarrDatabase.storageClassName" in found.message
    files["manifests/whoami/storageclass.yaml"] = STORAGE_CLASS
    assert "HG252" not in rule_ids(validate(files))


def stateful_set(*classes: str | None) -> str:
    """A StatefulSet in whoami with one claim template per class (None: no class set)."""
    templates = "".join(
        f"    - metadata: {{name: d{i}}}\n      spec: {{storageClassName: {c}}}\n"
        if c is not None
        else f"    - metadata: {{name: d{i}}}\n      spec: {{accessModes: [ReadWriteOnce]}}\n"
        for i, c in enumerate(classes)
    )
    return (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: whoami}\n"
        "spec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n"
        "  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: x}]}}\n"
        f"  volumeClaimTemplates:\n{templates}"
    )


def storage_class(name: str) -> str:
    return STORAGE_CLASS.replace("name: local-path", f"name: {name}")


@pytest.mark.parametrize(
    ("manifests", "expected"),
    [
        ({"pvc.yaml": PVC.format(cls="nvme"), "sc.yaml": storage_class("local-path")}, [
            ("PersistentVolumeClaim/whoami/data", "/spec/storageClassName",
             "claims StorageClass 'nvme', which nothing provides (known: ceph-block, "
             "local-path)"),
        ]),
        ({"sts.yaml": stateful_set("ceph-block", "nvme", None)}, [
            ("StatefulSet/whoami/db", "/spec/volumeClaimTemplates/1/spec/storageClassName",
             "claims StorageClass 'nvme', which nothing provides (known: ceph-block)"),
        ]),
        ({"sts.yaml": stateful_set("nvme")}, [
            ("StatefulSet/whoami/db", "/spec/volumeClaimTemplates/0/spec/storageClassName",
             "claims StorageClass 'nvme', which nothing provides (known: ceph-block)"),
        ]),
        ({"sts.yaml": stateful_set('""', None, "ceph-block")}, []),
        ({"pvc.yaml": PVC.format(cls="ceph-block")}, []),
        ({"pvc.yaml": PVC.format(cls="local-path"), "sc.yaml": storage_class("local-path")}, []),
        ({"pvc.yaml": PVC.format(cls="7")}, []),  # not a name: the schema's to refuse
        ({"pvc.yaml": PVC.replace("storageClassName: {cls}", "volumeName: pv1")}, []),
    ],
    ids=["claim", "second-template", "first-template", "templates-fine", "cluster-class",
         "tree-class", "not-a-string", "unset"],
)  # fmt: skip
def test_claims_and_claim_templates(
    tmp_path: Path,
    options: ValidateOptions,
    manifests: dict[str, str],
    expected: list[tuple[str, str, str]],
) -> None:
    files = {**clean_files(), **{f"manifests/whoami/{n}": t for n, t in manifests.items()}}
    options.storage_classes = ("ceph-block",)
    report = validate_documents(load_tree(write_tree(tmp_path / "tree", files)), options=options)
    found = of(report, "HG252")
    assert [(f.object, f.path, f.message) for f in found] == expected
    assert all(f.severity == "error" and f.file.startswith("manifests/") for f in found)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("storageClass: nvme\n", ["storageClass"]),
        ("persistence:\n  storageClassName: nvme\n", ["persistence.storageClassName"]),
        ("volumes:\n  - {size: 1Gi}\n  - {storageClass: nvme}\n", ["volumes[1].storageClass"]),
        ("a: {storageClass: {storageClassName: nvme}}\n", ["a.storageClass.storageClassName"]),
        ("a: {storageClass: nvme}\nb: {storageClassName: nvme}\n",
         ["a.storageClass", "b.storageClassName"]),
        ("storageClass: local-path\n", []),
        ('storageClass: "-"\n', []),  # Helm charts' "no class" convention
        ('storageClass: ""\n', []),
        ("storageClass: 3\n", []),
        ("storageClasses: nvme\n", []),
    ],
    ids=["top", "nested", "list", "under-a-class-key", "two", "provided", "dash", "empty",
         "number", "other-key"],
)  # fmt: skip
def test_chart_values_naming_a_class(validate: Validate, values: str, expected: list[str]) -> None:
    files = {
        **clean_files(),
        "manifests/whoami/storageclass.yaml": STORAGE_CLASS,
        "apps/homarr.yaml": chart_app(
            "homarr", "homarr", "5.8.0", wave=1, values_file="values/homarr.yaml"
        ),
        "values/homarr.yaml": values,
    }
    found = of(validate(files), "HG252")
    assert [f.message for f in found] == [
        f"chart homarr is given StorageClass 'nvme' ({key}), which nothing provides "
        "(known: local-path)"
        for key in expected
    ]
    assert all((f.file, f.line, f.object) == ("apps/homarr.yaml", 1, "Application/argocd/homarr")
               for f in found)  # fmt: skip


# --- HG253 controller-pod-security ---------------------------------------------------------

ARC_NAMESPACE = dedent("""
    apiVersion: v1
    kind: Namespace
    metadata:
      name: arc-systems
      labels:
        pod-security.kubernetes.io/enforce: {level}
""")
LISTENER_OK = dedent("""
    controllerServiceAccount: {name: arc-gha-rs-controller, namespace: arc-systems}
    listenerTemplate:
      spec:
        securityContext:
          runAsNonRoot: true
          runAsUser: 65532
          seccompProfile: {type: RuntimeDefault}
        containers:
          - name: listener
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
""")


def arc_files(level: str, runner_values: str) -> dict[str, str]:
    return {
        **clean_files(),
        "apps/arc.yaml": chart_app(
            "arc", "gha-runner-scale-set-controller", "0.13.0", namespace="arc-systems"
        ),
        "apps/arc-namespace.yaml": app("arc-namespace", "manifests/arc", namespace="arc-systems"),
        "manifests/arc/namespace.yaml": ARC_NAMESPACE.format(level=level),
        "apps/runners.yaml": chart_app(
            "runners",
            "gha-runner-scale-set",
            "0.13.0",
            wave=1,
            values_file="values/runners.yaml",
        ),
        "values/runners.yaml": runner_values,
    }


def test_listener_without_template_in_a_restricted_namespace(validate: Validate) -> None:
    (found,) = of(validate(arc_files("restricted", "minRunners: 0\n")), "HG253")
    assert found.object == "Application/argocd/runners"
    assert "arc-systems (enforces restricted)" in found.message
    for rule in ("HG301", "HG302", "HG303", "HG304"):
        assert rule in found.message


def test_restricted_listener_template_is_clean(validate: Validate) -> None:
    assert "HG253" not in rule_ids(validate(arc_files("restricted", LISTENER_OK)))


def test_baseline_namespace_needs_only_baseline(validate: Validate) -> None:
    assert "HG253" not in rule_ids(validate(arc_files("baseline", "minRunners: 0\n")))
    privileged = "listenerTemplate:\n  spec:\n    hostNetwork: true\n"
    (found,) = of(validate(arc_files("baseline", privileged)), "HG253")
    assert "hostNetwork" in found.message and "HG306" in found.message


def test_autoscaling_runner_set_object_is_checked_too(validate: Validate) -> None:
    runner_set = dedent("""
        apiVersion: actions.github.com/v1alpha1
        kind: AutoscalingRunnerSet
        metadata:
          name: home-io
          namespace: whoami
        spec:
          githubConfigUrl: https://github.com/TechDufus/home.io
          listenerTemplate:
            spec:
              containers:
                - name: listener
                  securityContext: {privileged: true}
    """)
    files = {
        **arc_files("restricted", LISTENER_OK),
        "manifests/whoami/autoscalingrunnerset.yaml": runner_set,
    }
    (found,) = of(validate(files), "HG253")
    assert found.object == "AutoscalingRunnerSet/whoami/home-io"
    assert found.path == "/spec/listenerTemplate/spec"
    assert "privileged" in found.message
