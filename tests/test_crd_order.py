"""CRD-derived ordering, skip_crds, ignore_differences and storage_classes, end to end."""

from __future__ import annotations

import pytest
import yaml

from homegen.config.loader import load_config
from homegen.crds import gateway_kinds, source_installs
from homegen.errors import ConfigError
from homegen.plan.build import build_plan
from homegen.plan.crd_order import derive_after
from homegen.plan.model import AppPlan, Plan
from homegen.render.tree import render_tree_bytes

BASE = """
[cluster]
repo_url = "https://git.example.com/lab"
domain = "lab.example.com"

[argocd]
version = "v2.11.3"
path = "/argocd"

[gateway]
class_name = "traefik"
controller_name = "traefik.io/gateway-controller"
name = "gw"
namespace = "edge"
listeners = [{ name = "web", port = 8000 }]

[apps.gateway-config]
namespace = "edge"

[apps.gateway-api-crds]
git = { repo_url = "https://github.com/kubernetes-sigs/gateway-api", revision = "v1.2.1", path = "config/crd/standard" }
manage_namespace = false
namespace = "default"
"""  # noqa: E501
TRAEFIK = """
[apps.traefik]
namespace = "edge"
helm = { repo_url = "https://helm.traefik.io/traefik", chart = "traefik", version = "33.2.1"%s }
"""


def plan_of(extra: str) -> Plan:
    return build_plan(load_config((BASE + extra).encode()))


def app(plan: Plan, name: str) -> AppPlan:
    return next(a for a in plan.apps if a.name == name)


def rendered(extra: str, path: str) -> dict[str, object]:
    files = render_tree_bytes(plan_of(extra))
    docs = list(yaml.safe_load_all(files[path].decode()))
    return docs[-1]  # type: ignore[no-any-return]


def test_argocd_grant_follows_the_gateway_api_crds() -> None:
    plan = plan_of("")
    argocd = app(plan, "argocd")
    assert argocd.derived_after == (("gateway-api-crds", ("ReferenceGrant",)),)
    assert argocd.wave > app(plan, "gateway-api-crds").wave
    gateway = app(plan, "gateway-config")
    assert gateway.derived_after == (
        ("gateway-api-crds", ("Gateway", "GatewayClass", "HTTPRoute")),
    )


def test_a_chart_that_ships_the_same_crds_is_a_second_installer_until_skip_crds() -> None:
    both = plan_of(TRAEFIK % "")
    assert dict(app(both, "argocd").derived_after) == {
        "gateway-api-crds": ("ReferenceGrant",),
        "traefik": ("ReferenceGrant",),
    }
    one = plan_of(TRAEFIK % ", skip_crds = true")
    assert dict(app(one, "argocd").derived_after) == {"gateway-api-crds": ("ReferenceGrant",)}


def test_skip_crds_is_rendered_on_the_helm_source() -> None:
    doc = rendered(TRAEFIK % ", skip_crds = true", "apps/traefik.yaml")
    helm = doc["spec"]["sources"][0]["helm"]  # type: ignore[index]
    assert helm["skipCrds"] is True
    plain = rendered(TRAEFIK % "", "apps/traefik.yaml")
    assert "skipCrds" not in plain["spec"]["sources"][0]["helm"]  # type: ignore[index]


def test_an_explicit_after_is_not_repeated_as_derived() -> None:
    config = BASE.replace(
        '[apps.gateway-config]\nnamespace = "edge"',
        '[apps.gateway-config]\nnamespace = "edge"\nafter = ["gateway-api-crds"]',
    )
    plan = build_plan(load_config(config.encode()))
    assert app(plan, "gateway-config").derived_after == ()
    assert app(plan, "gateway-config").after == ("gateway-api-crds",)


def test_objects_of_a_crd_kind_follow_the_app_whose_objects_define_it() -> None:
    plan = plan_of("""
[apps.widgets-crd]
namespace = "widgets"

[[apps.widgets-crd.objects]]
apiVersion = "apiextensions.k8s.io/v1"
kind = "CustomResourceDefinition"
metadata = { name = "widgets.example.com" }
spec = { group = "example.com", names = { kind = "Widget", plural = "widgets" }, scope = "Namespaced" }

[apps.widgets]
namespace = "widgets"

[[apps.widgets.objects]]
apiVersion = "example.com/v1"
kind = "Widget"
metadata = { name = "w" }
""")  # noqa: E501
    assert app(plan, "widgets").derived_after == (("widgets-crd", ("Widget",)),)
    assert app(plan, "widgets").wave == app(plan, "widgets-crd").wave + 1


def test_known_charts_and_the_gateway_install() -> None:
    assert len(gateway_kinds("v1.2.1")) == 5
    assert len(gateway_kinds("v1.0.0")) == 4
    assert gateway_kinds("main") == ()
    repo = "https://github.com/kubernetes-sigs/gateway-api"
    assert source_installs(repo, None, "v1.2.1", "config/crd/experimental", skip_crds=False) == ()
    metallb = source_installs("https://x", "metallb", "0.14.8", None, skip_crds=True)
    assert ("metallb.io", "IPAddressPool") in metallb  # templates: skipCrds does not skip them
    assert source_installs("https://x", "unknown", "1.0.0", None, skip_crds=False) == ()


def test_scale_set_chart_follows_the_controller_chart() -> None:
    config = load_config(
        (
            BASE
            + """
[apps.arc]
namespace = "arc-systems"
helm = { repo_url = "oci://ghcr.io/actions/actions-runner-controller-charts", chart = "gha-runner-scale-set-controller", version = "0.13.0" }

[apps.runners]
namespace = "arc-runners"
helm = { repo_url = "oci://ghcr.io/actions/actions-runner-controller-charts", chart = "gha-runner-scale-set", version = "0.13.0" }
"""  # noqa: E501
        ).encode()
    )
    assert derive_after(config)["runners"] == {
        "arc": (("actions.github.com", "AutoscalingRunnerSet"),)
    }


IGNORE = """
[apps.lb]
namespace = "lb"
helm = { repo_url = "https://metallb.github.io/metallb", chart = "metallb", version = "0.14.8" }
sync_options = %s

[[apps.lb.ignore_differences]]
group = "apiextensions.k8s.io"
kind = "CustomResourceDefinition"
name = "bgppeers.metallb.io"
json_pointers = ["/spec/conversion/webhook/clientConfig/caBundle"]
jq_path_expressions = [".metadata.annotations"]
"""


@pytest.mark.parametrize("options", ["[]", '["RespectIgnoreDifferences=true"]'])
def test_ignore_differences_and_respect_once(options: str) -> None:
    doc = rendered(IGNORE % options, "apps/lb.yaml")
    spec = doc["spec"]  # type: ignore[index]
    assert spec["ignoreDifferences"] == [  # type: ignore[index]
        {
            "group": "apiextensions.k8s.io",
            "kind": "CustomResourceDefinition",
            "name": "bgppeers.metallb.io",
            "jsonPointers": ["/spec/conversion/webhook/clientConfig/caBundle"],
            "jqPathExpressions": [".metadata.annotations"],
        }
    ]
    options_out = spec["syncPolicy"]["syncOptions"]  # type: ignore[index]
    assert options_out.count("RespectIgnoreDifferences=true") == 1


def test_ignore_differences_in_an_applicationset_template() -> None:
    doc = rendered(
        """
[apps.runners]
namespace = "runners"
helm = { repo_url = "https://charts.example.com", chart = "runner", version = "1.0.0" }
generator = { elements = [{ name = "a" }, { name = "b" }] }
ignore_differences = [{ group = "apps", kind = "Deployment", jq_path_expressions = [".spec.replicas"] }]
""",  # noqa: E501
        "apps/runners.yaml",
    )
    template = doc["spec"]["template"]["spec"]  # type: ignore[index]
    assert template["ignoreDifferences"] == [  # type: ignore[index]
        {"group": "apps", "kind": "Deployment", "jqPathExpressions": [".spec.replicas"]}
    ]
    assert "RespectIgnoreDifferences=true" in template["syncPolicy"]["syncOptions"]  # type: ignore[index]


def test_no_ignore_differences_renders_no_key() -> None:
    doc = rendered("", "apps/gateway-config.yaml")
    assert "ignoreDifferences" not in doc["spec"]  # type: ignore[operator]


def test_storage_classes_are_loaded() -> None:
    config = load_config(BASE.replace(
        'domain = "lab.example.com"', 'domain = "lab.example.com"\nstorage_classes = ["ceph"]'
    ).encode())  # fmt: skip
    assert config.cluster.storage_classes == ["ceph"]


def test_a_derived_cycle_is_a_located_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(
            (
                BASE
                + """
[network]
pools = [{ name = "p", addresses = ["10.0.0.1-10.0.0.2"] }]

[apps.metallb]
namespace = "metallb-system"
helm = { repo_url = "https://metallb.github.io/metallb", chart = "metallb", version = "0.14.8" }
after = ["metallb-config"]

[apps.metallb-config]
namespace = "metallb-system"
"""
            ).encode()
        )
    assert "metallb-config uses IPAddressPool" in str(caught.value)


WIDGET_USER = """
[apps.widgets]
namespace = "widgets"

[[apps.widgets.objects]]
apiVersion = "example.com/v1"
kind = "Widget"
metadata = { name = "w" }

[apps.widgets-crd]
namespace = "widgets"

[[apps.widgets-crd.objects]]
apiVersion = "apiextensions.k8s.io/v1"
kind = "%s"
metadata = { name = "widgets.example.com" }
%s
"""


@pytest.mark.parametrize(
    "spec",
    [
        'spec = "example.com"',
        'spec = { group = "example.com" }',
        'spec = { group = "example.com", names = "Widget" }',
        'spec = { group = "example.com", names = { plural = "widgets" } }',
        'spec = { names = { kind = "Widget" } }',
        'spec = { group = 1, names = { kind = "Widget" } }',
        "",
    ],
    ids=["spec-string", "no-names", "names-string", "no-kind", "no-group", "group-number", "none"],
)
def test_a_malformed_crd_installs_nothing_and_is_no_error(spec: str) -> None:
    plan = plan_of(WIDGET_USER % ("CustomResourceDefinition", spec))
    assert app(plan, "widgets").derived_after == ()


def test_only_a_custom_resource_definition_installs_its_kind() -> None:
    spec = 'spec = { group = "example.com", names = { kind = "Widget" } }'
    assert app(plan_of(WIDGET_USER % ("Widget", spec)), "widgets").derived_after == ()
    installed = plan_of(WIDGET_USER % ("CustomResourceDefinition", spec))
    assert app(installed, "widgets").derived_after == (("widgets-crd", ("Widget",)),)


def test_argocd_in_the_gateway_namespace_needs_no_grant() -> None:
    config = BASE.replace('path = "/argocd"', 'path = "/argocd"\nnamespace = "edge"')
    argocd = app(build_plan(load_config(config.encode())), "argocd")
    assert argocd.derived_after == ()
    assert argocd.grants == ()


SECRET_CRD = """
[secrets]
provider = "%s"

[apps.secret-crds]
namespace = "secrets"

[[apps.secret-crds.objects]]
apiVersion = "apiextensions.k8s.io/v1"
kind = "CustomResourceDefinition"
metadata = { name = "crd" }
spec = { group = "%s", names = { kind = "%s" } }

[services.web]
image = "nginx:1.27"
port = 80
"""


@pytest.mark.parametrize(
    ("provider", "group", "kind"),
    [
        ("1password-operator", "onepassword.com", "OnePasswordItem"),
        ("external-secrets", "external-secrets.io", "ExternalSecret"),
    ],
)
@pytest.mark.parametrize(
    "reads",
    [
        'secret_env = { PW = "op://Lab/web/pw" }',
        'secret_files = { "/etc/pw" = "op://Lab/web/pw" }',
    ],
)
def test_what_reads_a_secret_follows_the_app_installing_the_operators_kind(
    provider: str, group: str, kind: str, reads: str
) -> None:
    extra = (
        SECRET_CRD % (provider, group, kind)
        + reads
        + """

[apps.tool]
secrets = ["op://Lab/tool/token"]

[apps.plain]
"""
    )
    plan = plan_of(extra)
    for name in ("web", "tool"):
        assert app(plan, name).derived_after == (("secret-crds", (kind,)),)
    assert app(plan, "plain").derived_after == ()
    script = plan_of((SECRET_CRD % ("script", group, kind)) + reads)
    assert app(script, "web").derived_after == ()


def test_a_route_in_the_gateway_namespace_needs_no_grant() -> None:
    plan = plan_of("""
[services.web]
image = "nginx:1.27"
port = 80
namespace = "edge"
route = { path = "/web" }
""")
    assert app(plan, "web").derived_after == ()
    assert app(plan, "web").grants == ()
