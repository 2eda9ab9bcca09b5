"""Gateway API integrity (HG207-HG213, HG217): each case changes the clean tree and expects
the exact findings, rule, file, object and message, so a rule that fires too widely, too
narrowly or says the wrong thing fails as surely as one that is mute."""

from __future__ import annotations

import pytest
from validate_trees import ROUTE, Edit, changed, clean_files

from conftest import Validate

ROUTE_FILE = "manifests/gateway/httproute-whoami.yaml"
GATEWAY_FILE = "manifests/gateway/gateway.yaml"
GRANT_FILE = "manifests/whoami/referencegrant.yaml"
SERVICE_FILE = "manifests/whoami/service.yaml"
ROUTE_OBJ = "HTTPRoute/traefik/whoami"
GATEWAY_REF = (
    "{group: gateway.networking.k8s.io, kind: Gateway, name: lab-gateway, sectionName: web}"
)
BACKEND_REF = '{group: "", kind: Service, name: whoami, namespace: whoami, port: 80, weight: 1}'
LISTENER = "    - name: web\n      protocol: HTTP\n      port: 8000\n"
SAME = "      allowedRoutes:\n        namespaces: {from: Same}\n"
WEBSECURE = (
    "    - name: websecure\n      protocol: HTTPS\n      port: 8443\n"
    "      tls: {certificateRefs: [{name: lab-tls}]}\n"
)
TCP = "    - name: tcp\n      protocol: TCP\n      port: 9000\n"
GRANT_FROM = "{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: traefik}"
GRANT_TO = '{group: "", kind: Service, name: whoami}'

Found = tuple[str, str, str, str]


def _found(validate: Validate, files: dict[str, str]) -> list[Found]:
    return [(f.rule, f.file, f.object, f.message) for f in validate(files).findings]


def _parents(*refs: str) -> Edit:
    return ROUTE_FILE, f"    - {GATEWAY_REF}\n", "".join(f"    - {r}\n" for r in refs)


def _backends(*refs: str) -> Edit:
    return ROUTE_FILE, f"        - {BACKEND_REF}\n", "".join(f"        - {r}\n" for r in refs)


def _listeners(*listeners: str) -> Edit:
    return GATEWAY_FILE, LISTENER + SAME, "".join(listeners)


def _route_in_whoami() -> list[Edit]:
    """The route moved to namespace whoami, still naming the Gateway in traefik."""
    return [
        (ROUTE_FILE, "  namespace: traefik\n", "  namespace: whoami\n"),
        (ROUTE_FILE, "name: lab-gateway,", "name: lab-gateway, namespace: traefik,"),
        (GRANT_FILE, "namespace: traefik}", "namespace: whoami}"),
    ]


def _route(name: str) -> tuple[str, str]:
    """A copy of the clean route named ``name``, in a file read after the clean route's."""
    return f"manifests/gateway/route-{name}.yaml", ROUTE.replace(
        "name: whoami\n", f"name: {name}\n", 1
    )


def _parent(message: str) -> Found:
    return ("HG207", ROUTE_FILE, ROUTE_OBJ, message)


def _listener(wanted: str) -> Found:
    message = f"Gateway traefik/lab-gateway has no listener {wanted}"
    return ("HG208", ROUTE_FILE, ROUTE_OBJ, message)


NOT_ADMITTED = (
    "HG209", ROUTE_FILE, ROUTE_OBJ,
    "no listener of Gateway traefik/lab-gateway admits HTTPRoute from namespace whoami",
)  # fmt: skip
SAME_NOT_ADMITTED = (*NOT_ADMITTED[:3], NOT_ADMITTED[3].replace("whoami", "traefik"))
MOVED_NOT_ADMITTED = ("HG209", ROUTE_FILE, "HTTPRoute/whoami/whoami", NOT_ADMITTED[3])

NAME_REQUIRED = ("HG104", ROUTE_FILE, ROUTE_OBJ, "'name' is a required property")  # the schema

# (edits of the clean tree, the exact findings) for every parentRef and listener condition.
PARENTS: dict[str, tuple[list[Edit], list[Found]]] = {
    "gateway-name": (
        [(ROUTE_FILE, "name: lab-gateway", "name: lab-gw")],
        [_parent("Gateway traefik/lab-gw does not exist")],
    ),
    "gateway-namespace": (
        [(ROUTE_FILE, "name: lab-gateway,", "name: lab-gateway, namespace: whoami,")],
        [_parent("Gateway whoami/lab-gateway does not exist")],
    ),
    "defaulted-group-and-kind": (
        [_parents("{name: lab-gw}")], [_parent("Gateway traefik/lab-gw does not exist")]
    ),
    "no-name": (
        [_parents("{sectionName: web}")],
        [NAME_REQUIRED, _parent("Gateway traefik/ does not exist")],
    ),
    "each-parent": (
        [_parents("{name: lab-gw}", "{name: lab-gateway, sectionName: websecure}")],
        [
            _parent("Gateway traefik/lab-gw does not exist"),
            _listener("with sectionName websecure (listeners: web:8000)"),
        ],
    ),
    "section": (
        [(ROUTE_FILE, "sectionName: web", "sectionName: websecure")],
        [_listener("with sectionName websecure (listeners: web:8000)")],
    ),
    "port": (
        [(ROUTE_FILE, "sectionName: web", "port: 8443")],
        [_listener("with port 8443 (listeners: web:8000)")],
    ),
    "section-and-port": (
        [(ROUTE_FILE, "sectionName: web", "sectionName: web, port: 8443")],
        [_listener("with sectionName web, port 8443 (listeners: web:8000)")],
    ),
    "port-of-another-listener": (
        [_listeners(LISTENER + SAME, WEBSECURE + SAME),
         (ROUTE_FILE, "sectionName: web", "sectionName: web, port: 8443")],
        [_listener("with sectionName web, port 8443 (listeners: web:8000, websecure:8443)")],
    ),
    "namespace-not-admitted": ([*_route_in_whoami()], [MOVED_NOT_ADMITTED]),
    "kinds-not-admitted": (
        [_listeners(LISTENER + SAME + "        kinds: [{kind: GRPCRoute}]\n")], [SAME_NOT_ADMITTED]
    ),
    "tcp-not-admitted": (
        [_listeners(TCP + SAME), (ROUTE_FILE, "sectionName: web", "sectionName: tcp")],
        [SAME_NOT_ADMITTED],
    ),
    "selector-not-matching": (
        [*_route_in_whoami(),
         (GATEWAY_FILE, "{from: Same}", "{from: Selector, selector: {matchLabels: {a: b}}}")],
        [MOVED_NOT_ADMITTED],
    ),
    "selector-on-another-name": (
        [*_route_in_whoami(), (GATEWAY_FILE, "{from: Same}",
          "{from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: traefik}}}")],
        [MOVED_NOT_ADMITTED],
    ),
}  # fmt: skip

# Changes the rules must accept: no finding at all.
ADMITTED: dict[str, list[Edit]] = {
    "port-only": [(ROUTE_FILE, "sectionName: web", "port: 8000")],
    "section-and-port": [(ROUTE_FILE, "sectionName: web", "sectionName: web, port: 8000")],
    "no-section-nor-port": [(ROUTE_FILE, ", sectionName: web", "")],
    "second-listener": [
        _listeners(LISTENER + SAME, WEBSECURE + SAME),
        (ROUTE_FILE, "sectionName: web", "sectionName: websecure"),
    ],
    "one-of-two-matching-admits": [
        _listeners(TCP + SAME, LISTENER + SAME), (ROUTE_FILE, ", sectionName: web", "")
    ],
    "https-listener": [
        _listeners(WEBSECURE + SAME), (ROUTE_FILE, "sectionName: web", "sectionName: websecure")
    ],
    "no-allowed-routes": [_listeners(LISTENER)],
    "no-namespaces-from": [_listeners(LISTENER + "      allowedRoutes: {}\n")],
    "kinds-named": [_listeners(LISTENER + SAME + "        kinds: [{kind: HTTPRoute}]\n")],
    "tcp-listener-naming-http-routes": [
        _listeners(TCP + SAME + "        kinds: [{kind: TCPRoute}, {kind: HTTPRoute}]\n"),
        (ROUTE_FILE, "sectionName: web", "sectionName: tcp"),
    ],
    "from-all": [*_route_in_whoami(), (GATEWAY_FILE, "{from: Same}", "{from: All}")],
    "selector-on-namespace-labels": [
        *_route_in_whoami(),
        (GATEWAY_FILE, "{from: Same}", "{from: Selector, selector: {matchLabels: {gateway: lab}}}"),
        ("manifests/whoami/namespace.yaml", "  labels:\n", "  labels:\n    gateway: lab\n"),
    ],
    "selector-on-the-name-of-a-labelled-namespace": [
        *_route_in_whoami(), (GATEWAY_FILE, "{from: Same}",
         "{from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: whoami}}}"),
    ],
}  # fmt: skip


def _backend(rule: str, message: str) -> Found:
    return (rule, ROUTE_FILE, ROUTE_OBJ, message)


def _no_grant(service: str) -> Found:
    return _backend(
        "HG212", f"no ReferenceGrant in whoami lets HTTPRoute from traefik reach Service {service}"
    )


OTHER_BACKEND = "{name: other, namespace: whoami, port: 80}"
EXTERNAL = '  namespace: traefik\n  annotations:\n    homegen.dev/external-backends: "{}"\n'
BACKENDS: dict[str, tuple[list[Edit], list[Found]]] = {
    "service-name": (
        [(ROUTE_FILE, "name: whoami, namespace", "name: other, namespace")],
        [_backend("HG210", "Service whoami/other does not exist"), _no_grant("other")],
    ),
    "service-namespace": (
        [(ROUTE_FILE, "namespace: whoami, port", "namespace: traefik, port")],
        [_backend("HG210", "Service traefik/whoami does not exist")],
    ),
    "route-namespace-by-default": (
        [(ROUTE_FILE, "namespace: whoami, port", "port")],
        [_backend("HG210", "Service traefik/whoami does not exist")],
    ),
    "defaulted-group-and-kind": (
        [_backends("{name: other, port: 80}")],
        [_backend("HG210", "Service traefik/other does not exist")],
    ),
    "no-name": (
        [_backends("{port: 80}")],
        [NAME_REQUIRED, _backend("HG210", "Service traefik/ does not exist")],
    ),
    "port": (
        [(ROUTE_FILE, "port: 80,", "port: 8080,")],
        [_backend("HG211", "Service whoami/whoami has no port 8080 (ports: 80)")],
    ),
    "port-of-a-service-with-two": (
        [(ROUTE_FILE, "port: 80,", "port: 8080,"),
         (SERVICE_FILE, "targetPort: http}", "targetPort: http}\n    - {name: tls, port: 443}")],
        [_backend("HG211", "Service whoami/whoami has no port 8080 (ports: 80, 443)")],
    ),
    "port-of-a-service-with-none": (
        [(SERVICE_FILE, "  ports:\n    - {name: http, port: 80, targetPort: http}\n", "")],
        [_backend("HG211", "Service whoami/whoami has no port 80 (ports: none)")],
    ),
    "each-backend": (
        [_backends("{name: gone, port: 80}", "{name: whoami, namespace: whoami, port: 81}")],
        [_backend("HG210", "Service traefik/gone does not exist"),
         _backend("HG211", "Service whoami/whoami has no port 81 (ports: 80)")],
    ),
    "each-rule": (
        [(ROUTE_FILE, "  rules:\n", "  rules:\n    - backendRefs: [{name: gone, port: 80}]\n")],
        [_backend("HG210", "Service traefik/gone does not exist")],
    ),
    "external-backends-still-need-a-grant": (
        [(ROUTE_FILE, "  namespace: traefik\n", EXTERNAL.format("True")),
         (ROUTE_FILE, "name: whoami, namespace", "name: other, namespace")],
        [_no_grant("other")],
    ),
    "external-backends-only-when-true": (
        [(ROUTE_FILE, "  namespace: traefik\n", EXTERNAL.format("yes")),
         (ROUTE_FILE, "namespace: whoami, port", "namespace: traefik, port")],
        [_backend("HG210", "Service traefik/whoami does not exist")],
    ),
    "external-backends-each-need-a-grant": (
        [(ROUTE_FILE, "  namespace: traefik\n", EXTERNAL.format("true")),
         _backends("{name: a, namespace: whoami, port: 80}",
                   "{name: b, namespace: whoami, port: 80}")],
        [_no_grant("a"), _no_grant("b")],
    ),
    "no-grant": ([(GRANT_FILE, GRANT_FROM, GRANT_FROM.replace("traefik", "default"))],
                 [_no_grant("whoami")]),
    "grant-from-another-group": (
        [(GRANT_FILE, GRANT_FROM, GRANT_FROM.replace("gateway.networking", "example"))],
        [_no_grant("whoami")],
    ),
    "grant-from-another-kind": (
        [(GRANT_FILE, GRANT_FROM, GRANT_FROM.replace("HTTPRoute", "GRPCRoute"))],
        [_no_grant("whoami")],
    ),
    "grant-to-another-kind": (
        [(GRANT_FILE, GRANT_TO, '{group: "", kind: Secret}')], [_no_grant("whoami")]
    ),
    "grant-to-another-group": (
        [(GRANT_FILE, GRANT_TO, "{group: example.com, kind: Service, name: whoami}")],
        [_no_grant("whoami")],
    ),
    "grant-to-another-name": (
        [(GRANT_FILE, GRANT_TO, GRANT_TO.replace("whoami", "other"))], [_no_grant("whoami")]
    ),
    "grant-in-another-namespace": (
        [(GRANT_FILE, "  namespace: whoami\n", "  namespace: traefik\n")], [_no_grant("whoami")]
    ),
    "broad-grant": (
        [(GRANT_FILE, ", name: whoami}", "}")],
        [("HG213", GRANT_FILE, "ReferenceGrant/whoami/traefik-to-whoami",
          "allows every Service of the namespace")],
    ),
}  # fmt: skip

UNRELATED_GRANT = (
    "kind: ReferenceGrant\nmetadata: {name: unrelated, namespace: whoami}\n"
    f"spec: {{from: [{GRANT_FROM.replace('traefik', 'default')}], to: [{GRANT_TO}]}}\n"
    "---\napiVersion: gateway.networking.k8s.io/v1beta1\n"
)
GRANTED: dict[str, list[Edit]] = {
    "second-grant": [
        (GRANT_FILE, "kind: ReferenceGrant\n", UNRELATED_GRANT + "kind: ReferenceGrant\n"),
    ],
    "second-from-and-to": [
        (GRANT_FILE, GRANT_FROM, f"{GRANT_FROM.replace('traefik', 'x')}\n    - {GRANT_FROM}"),
        (GRANT_FILE, f"- {GRANT_TO}", f"- {GRANT_TO.replace('whoami', 'x')}\n    - {GRANT_TO}"),
    ],
    "broad-grant-of-another-kind": [
        (GRANT_FILE, f"- {GRANT_TO}", f"- {GRANT_TO}\n    - {{group: \"\", kind: Secret}}")
    ],
    "external-backends": [
        (ROUTE_FILE, "  namespace: traefik\n", EXTERNAL.format("true")),
        (ROUTE_FILE, "namespace: whoami, port: 80", "namespace: whoami, port: 8080"),
    ],
}  # fmt: skip


BROKEN = {**{f"parent-{k}": v for k, v in PARENTS.items()},
          **{f"backend-{k}": v for k, v in BACKENDS.items()}}  # fmt: skip
CLEAN = {**{f"admitted-{k}": v for k, v in ADMITTED.items()},
         **{f"granted-{k}": v for k, v in GRANTED.items()}}  # fmt: skip


@pytest.mark.parametrize(("edits", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_parents_listeners_backends_and_grants(
    validate: Validate, edits: list[Edit], expected: list[Found]
) -> None:
    assert _found(validate, changed(*edits)) == expected


@pytest.mark.parametrize("edits", CLEAN.values(), ids=CLEAN.keys())
def test_routes_admitted_with_backends_granted(validate: Validate, edits: list[Edit]) -> None:
    assert _found(validate, changed(*edits)) == []


COPY_FILE, COPY = _route("copy")
HEADERS = "          headers: [{name: x-beta, value: b}]\n"
COPY_MATCH = "        - path: {type: PathPrefix, value: /whoami}\n"


def _conflict(message: str) -> list[Found]:
    return [("HG217", COPY_FILE, "HTTPRoute/traefik/copy",
             f"{message} is also claimed by {ROUTE_OBJ}")]  # fmt: skip


def _both(old: str, new: str) -> list[Edit]:
    """The same change to the clean route and to its copy."""
    return [(ROUTE_FILE, old, new), (COPY_FILE, old, new)]


CONFLICTS: dict[str, tuple[list[Edit], list[Found]]] = {
    "same-host-and-path": ([], _conflict("hostname lab.techdufus.com path /whoami")),
    "reported-once-per-route": (
        [(COPY_FILE, "hostnames: [lab.techdufus.com]",
          "hostnames: [lab.techdufus.com, www.techdufus.com]"),
         (COPY_FILE, COPY_MATCH, COPY_MATCH * 2)],
        _conflict("hostname lab.techdufus.com path /whoami"),
    ),
    "no-hostnames": (
        _both("  hostnames: [lab.techdufus.com]\n", ""), _conflict("hostname * path /whoami")
    ),
    "no-matches": (
        _both("    - matches:\n" + COPY_MATCH + "      backendRefs:", "    - backendRefs:"),
        _conflict("hostname lab.techdufus.com path /"),
    ),
    "path-type-defaults-to-prefix": (
        [(COPY_FILE, "{type: PathPrefix, value", "{value")],
        _conflict("hostname lab.techdufus.com path /whoami"),
    ),
    "path-value-defaults-to-root": (
        [(COPY_FILE, "{type: PathPrefix, value: /whoami}", "{type: PathPrefix}"),
         (ROUTE_FILE, "value: /whoami}", "value: /}")],
        _conflict("hostname lab.techdufus.com path /"),
    ),
    "same-other-matches-written-in-another-order": (
        [(ROUTE_FILE, COPY_MATCH, COPY_MATCH + "          method: GET\n" + HEADERS),
         (COPY_FILE, COPY_MATCH, COPY_MATCH + HEADERS + "          method: GET\n")],
        _conflict("hostname lab.techdufus.com path /whoami"),
    ),
    "same-other-matches": (
        _both(COPY_MATCH, COPY_MATCH + "          method: GET\n"),
        _conflict("hostname lab.techdufus.com path /whoami"),
    ),
}  # fmt: skip

NO_CONFLICT: dict[str, list[Edit]] = {
    "exact-and-prefix": [(COPY_FILE, "type: PathPrefix", "type: Exact")],
    "another-path": [(COPY_FILE, "value: /whoami", "value: /whoareyou")],
    "another-hostname": [(COPY_FILE, "[lab.techdufus.com]", "[www.techdufus.com]")],
    "another-match": [(COPY_FILE, COPY_MATCH, COPY_MATCH + "          method: GET\n")],
    "a-match-twice-in-one-route": [
        (ROUTE_FILE, COPY_MATCH, COPY_MATCH * 2), (COPY_FILE, "value: /whoami", "value: /other")
    ],
}  # fmt: skip


@pytest.mark.parametrize(("edits", "expected"), CONFLICTS.values(), ids=CONFLICTS.keys())
def test_routes_claiming_the_same_host_and_path(
    validate: Validate, edits: list[Edit], expected: list[Found]
) -> None:
    assert _found(validate, changed(*edits, added={COPY_FILE: COPY})) == expected


@pytest.mark.parametrize("edits", NO_CONFLICT.values(), ids=NO_CONFLICT.keys())
def test_routes_that_do_not_conflict(validate: Validate, edits: list[Edit]) -> None:
    assert _found(validate, changed(*edits, added={COPY_FILE: COPY})) == []


def test_routes_on_other_gateways_do_not_conflict(validate: Validate) -> None:
    files = {**clean_files(), COPY_FILE: COPY.replace("name: lab-gateway", "name: other-gateway")}
    assert [f[0] for f in _found(validate, files)] == ["HG207"]


def test_listener_without_protocol_fails_its_schema_only(validate: Validate) -> None:
    """The Gateway schema requires the protocol; the routes rules take it as HTTP."""
    files = changed(_listeners(LISTENER.replace("      protocol: HTTP\n", "") + SAME))
    assert [f[0] for f in _found(validate, files)] == ["HG104"]


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("{name: argocd-server, namespace: argocd, port: 443}", []),
        # only argocd-server is ArgoCD's own: another name in its namespace must exist
        ("{name: argocd-web, namespace: argocd, port: 443}",
         ["Service argocd/argocd-web does not exist"]),
        ("{name: argocd-server, namespace: web, port: 443}",
         ["Service web/argocd-server does not exist"]),
    ],
    ids=["argocd-server", "another-name-in-argocd", "argocd-server-elsewhere"],
)  # fmt: skip
def test_argocd_server_is_known_where_argocd_runs(
    validate: Validate, backend: str, expected: list[str]
) -> None:
    files = changed(_backends(backend))
    assert [f.message for f in validate(files).findings if f.rule == "HG210"] == expected


@pytest.mark.parametrize("made", [True, False], ids=["homegen-made", "hand-written"])
def test_a_missing_backends_fix_fits_who_wrote_the_route(validate: Validate, made: bool) -> None:
    label = "  labels: {app.kubernetes.io/managed-by: homegen}\n" if made else ""
    files = changed(
        (ROUTE_FILE, "name: whoami, namespace", "name: other, namespace"),
        (ROUTE_FILE, "  namespace: traefik\n", f"  namespace: traefik\n{label}"),
    )
    (fix,) = [f.fix for f in validate(files).findings if f.rule == "HG210"]
    assert ("homegen.dev/external-backends" in fix) is made
    assert ("check its name, namespace and the app creating it" in fix) is not made
