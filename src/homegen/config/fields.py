"""Field types of services.toml: names, images, paths, references — each with a clear message."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema

from homegen.charts.semver import ConstraintError, is_range, parse_constraint

_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
# RFC 1123 labels may start with a digit (Namespaces, Applications); Service names may not.
_APP_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# Helm refuses release names longer than 53 characters (it suffixes them for its own objects).
_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_HOSTNAME = re.compile(
    r"^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"
)
_IMAGE = re.compile(
    r"^(?P<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
_PATH = re.compile(r"^/[-A-Za-z0-9/._~!$&'()*+,;=:@%]*$")
_QUANTITY = re.compile(
    r"^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|n|u|e[0-9]+)?$"
)
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_OP_REF = re.compile(
    r"^op://(?P<vault>[^/\x00-\x1f]+)/(?P<item>[^/\x00-\x1f]+)/(?:(?P<section>[^/\x00-\x1f]+)/)?"
    r"(?P<field>[^/\x00-\x1f]+)$"
)
_QUALIFIED = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
_CHART_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_SECRETISH = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I)


def _pattern(pattern: re.Pattern[str], longest: int, what: str) -> Callable[[str], str]:
    """A validator: ``value`` matches ``pattern`` and has at most ``longest`` characters."""

    def check(value: str) -> str:
        if len(value) > longest or not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


_dns_label = _pattern(
    _DNS_LABEL,
    63,
    "a DNS-1123 label: lower-case letters, digits and '-', starting with a letter, ending with "
    "a letter or digit, at most 63 characters",
)
_app_label = _pattern(
    _APP_LABEL,
    63,
    "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or "
    "digit, at most 63 characters",
)
_release_name = _pattern(
    _RELEASE,
    53,
    "a Helm release name: lower-case letters, digits, '-' and '.', starting and ending with a "
    "letter or digit, at most 53 characters",
)


def _project(value: str) -> str:
    if len(value) > 253 or not _DNS_SUBDOMAIN.fullmatch(value):
        raise ValueError(f"{value!r} is not an AppProject name (a DNS-1123 subdomain)")
    return value


def _value_file(value: str) -> str:
    if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError(f"{value!r} is not a value file path")
    return value


def _peer(value: str) -> str:
    """allow_from entries: a service's name, or app:NAME."""
    name = value.removeprefix("app:")
    if not _DNS_LABEL.fullmatch(name):
        raise ValueError(
            f"{value!r} is neither a service name nor app:NAME (names are DNS-1123 labels)"
        )
    return value


def _hostname(value: str) -> str:
    if len(value) > 253 or not _HOSTNAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid hostname (lower-case DNS name, '*.' allowed)")
    return value


def _image(value: str) -> str:
    match = _IMAGE.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not a valid image reference (registry/repository:tag)")
    tag, digest = match["tag"], match["digest"]
    if not digest and (tag is None or tag == "latest"):
        raise ValueError(
            f"image {value!r} is not pinned: give a version tag (not 'latest') or a digest"
        )
    return value


def http_path(value: str) -> str:
    """Validate an HTTP path prefix the way Gateway API's CEL rules would."""
    bad = ("//", "/./", "/../", "%2f", "%2F", "#")
    if (
        len(value) > 1024
        or not _PATH.fullmatch(value)
        or any(b in value for b in bad)
        or value.endswith(("/.", "/.."))
    ):
        raise ValueError(
            f"{value!r} is not a valid path prefix: it must start with '/' and contain no "
            "spaces, '//', '/./', '/../' or '#'"
        )
    return value


def _quantity(value: str) -> str:
    if not _QUANTITY.fullmatch(value):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 100m, 0.5, 128Mi, 1Gi)")
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid environment variable name")
    return value


def _op_ref(value: str) -> str:
    match = _OP_REF.fullmatch(value)
    if not match and value.startswith("op://"):
        raise ValueError(
            f"{value!r} is not a 1Password reference of the form op://vault/item/field"
        )
    if not match:  # never echo the value: it may be the secret itself
        raise ValueError(
            "secrets are never written in services.toml: give a 1Password reference "
            "'op://vault/item/field' (this value is not an op:// reference)"
        )
    if not _SECRET_KEY.fullmatch(match["field"]):
        raise ValueError(
            f"1Password field {match['field']!r} cannot be a Secret key: use letters, digits, "
            "'-', '_' and '.'"
        )
    if not secret_name(match["item"]):
        raise ValueError(f"1Password item {match['item']!r} gives no usable Secret name")
    return value


def _qualified_name(value: str) -> str:
    if len(value) > 316 or not _QUALIFIED.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid label or annotation key")
    return value


def _label_value(value: str) -> str:
    if not _LABEL_VALUE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid label value (at most 63 letters, digits, '-', '_', '.')"
        )
    return value


def _chart_version(value: str) -> str:
    if _CHART_VERSION.fullmatch(value) or (is_range(value) and _constraint_ok(value)):
        return value  # a range needs an exception on its app (homegen.config.models.App)
    raise ValueError(
        f"chart version {value!r} is not pinned: give an exact version (1.2.3), or a range "
        "('*', '^1.2') with an exception for HG332 on the app"
    )


def _constraint_ok(value: str) -> bool:
    try:
        parse_constraint(value)
    except ConstraintError:
        return False
    return True


UNPINNED_CHART_KEYS = ("policy.homegen.dev/HG332", "policy.homegen.dev/chart-version-unpinned")


def unpinned_chart_excepted(version: str, annotations: dict[str, str]) -> bool:
    """Whether a chart ``version`` is exact, or a range the app's Application annotations
    except from HG332 with a reason (the owner's visible choice)."""
    if not is_range(version):
        return True
    return any(str(annotations.get(key, "")).strip() for key in UNPINNED_CHART_KEYS)


def require_pinned_or_excepted(version: str, annotations: dict[str, str]) -> None:
    """Refuse a chart version range the app does not except from HG332."""
    if not unpinned_chart_excepted(version, annotations):
        raise ValueError(
            f"helm.version {version!r} is a range: pin one version, or keep it with "
            'application.annotations."policy.homegen.dev/HG332" = "<why>" on the app'
        )


def _ip_address(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address") from None
    return value


_URL_USERINFO = re.compile(r"[A-Za-z][-A-Za-z0-9+.]*://[^/@?#]*@")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:")  # git@host:org/repo (ssh, no secret)


def _repo_url(value: str) -> str:
    # user:password@ or token@ in a URL would be committed to Git (and land in ArgoCD's
    # repository Secret); ssh:// names a user, the key lives elsewhere.
    schemeless = "://" not in value and not _SCP_LIKE.match(value)
    userinfo = bool(_URL_USERINFO.match(value)) or (schemeless and "@" in value.split("/")[0])
    if userinfo and not value.lower().startswith("ssh://"):
        raise ValueError(
            "a repository URL must not hold credentials (user:password@ or token@): they "
            "would be committed; give ArgoCD repository credentials outside services.toml"
        )
    return value


def _chart_repo_url(value: str) -> str:
    _repo_url(value)
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("https", "http", "oci") or not rest.strip("/"):
        raise ValueError(
            "a chart repository is an https:// (or http://) Helm repository or an oci:// "
            "registry, e.g. https://charts.example.com or oci://ghcr.io/org/charts"
        )
    return value


def _reason(value: str) -> str:
    if not value.strip():
        raise ValueError("a reason is required: say why this exception is needed")
    return value


def _address_range(value: str) -> str:
    address_range(value)
    return value


def address_range(value: str) -> tuple[int, int, int]:
    """(IP version, first, last) of a MetalLB pool entry: a CIDR or a 'first-last' range."""
    message = f"{value!r} is not an address range: use a CIDR (10.0.0.0/24) or 'first-last'"
    try:
        if "/" in value:
            network = ipaddress.ip_network(value, strict=False)
            return network.version, int(network[0]), int(network[-1])
        first, sep, last = value.partition("-")
        if not sep:
            raise ValueError(message)
        low, high = ipaddress.ip_address(first.strip()), ipaddress.ip_address(last.strip())
    except ValueError:
        raise ValueError(message) from None
    if low.version != high.version or int(low) > int(high):
        raise ValueError(message + " (first must not be above last, same IP version)")
    return low.version, int(low), int(high)


def secret_name(item: str) -> str:
    """The Kubernetes Secret name for a 1Password item: its name as a DNS-1123 subdomain."""
    slug = re.sub(r"[^a-z0-9.-]+", "-", item.lower()).strip("-.")
    return slug[:253] if _DNS_SUBDOMAIN.fullmatch(slug[:253]) else ""


_JSON_POINTER = re.compile(r"^(/([^~]|~[01])*)+$")
_JQ_PATH = re.compile(r"^\.\S.*$|^\.$")
_API_GROUP = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$")
_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def _json_pointer(value: str) -> str:
    if not _JSON_POINTER.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a JSON pointer: it starts with '/' and escapes '~' as '~0' "
            "(RFC 6901), e.g. /spec/replicas"
        )
    return value


def _jq_path(value: str) -> str:
    if not _JQ_PATH.fullmatch(value):
        raise ValueError(f"{value!r} is not a jq path: it starts with '.', e.g. .spec.replicas")
    return value


def _api_group(value: str) -> str:
    if not _API_GROUP.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an API group: a DNS subdomain like apps or metallb.io "
            "(empty for the core group, no version)"
        )
    return value


def _kind(value: str) -> str:
    if not _KIND.fullmatch(value):
        raise ValueError(f"{value!r} is not a kind: CamelCase like Deployment")
    return value


def _schema(pattern: str, **extra: object) -> WithJsonSchema:
    """What editors see (JSON Schema); the validators above stay the source of truth."""
    return WithJsonSchema({"type": "string", "pattern": pattern, **extra})


def looks_secret(name: str) -> bool:
    """Whether an env var name suggests its value is a secret."""
    return bool(_SECRETISH.search(name))


def parse_op_ref(value: str) -> tuple[str, str, str]:
    """(vault, item, field) of a validated op:// reference."""
    match = _OP_REF.fullmatch(value)
    assert match is not None
    return match["vault"], match["item"], match["field"]


Name = Annotated[str, AfterValidator(_dns_label), _schema(_DNS_LABEL.pattern, maxLength=63)]
AppName = Annotated[str, AfterValidator(_app_label), _schema(_APP_LABEL.pattern, maxLength=63)]
ReleaseName = Annotated[str, AfterValidator(_release_name), _schema(_RELEASE.pattern, maxLength=53)]
ProjectName = Annotated[
    str, AfterValidator(_project), _schema(_DNS_SUBDOMAIN.pattern, maxLength=253)
]
ValueFile = Annotated[str, AfterValidator(_value_file), Field(min_length=1)]
Peer = Annotated[str, AfterValidator(_peer), _schema(r"^(app:)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
Hostname = Annotated[str, AfterValidator(_hostname), _schema(_HOSTNAME.pattern, maxLength=253)]
Image = Annotated[str, AfterValidator(_image), _schema(r"^[a-z0-9][^\s]*[:@][^\s]+$")]
HttpPath = Annotated[str, AfterValidator(http_path), _schema(_PATH.pattern, maxLength=1024)]
Quantity = Annotated[str, AfterValidator(_quantity), _schema(_QUANTITY.pattern)]
EnvName = Annotated[str, AfterValidator(_env_name), _schema(_ENV_NAME.pattern)]
SecretRef = Annotated[str, AfterValidator(_op_ref), _schema(r"^op://[^/]+/[^/]+/([^/]+/)?[^/]+$")]
QualifiedName = Annotated[str, AfterValidator(_qualified_name)]
LabelValue = Annotated[str, AfterValidator(_label_value)]
ChartVersion = Annotated[
    str,
    AfterValidator(_chart_version),
    # or a range: digits, x and the operators of one (the validator parses it)
    _schema(
        rf"{_CHART_VERSION.pattern}|^[-0-9vxX.*^~<>=!|, +]*[*^~<>=!|, xX][-0-9vxX.*^~<>=!|, +]*$"
    ),
]
IPAddress = Annotated[str, AfterValidator(_ip_address)]
AddressRange = Annotated[str, AfterValidator(_address_range)]
Port = Annotated[int, Field(ge=1, le=65535)]
Reason = Annotated[str, AfterValidator(_reason)]
RepoUrl = Annotated[str, AfterValidator(_repo_url)]
ChartRepoUrl = Annotated[
    str, AfterValidator(_chart_repo_url), _schema(r"^([Hh][Tt][Tt][Pp][Ss]?|[Oo][Cc][Ii])://.+$")
]
JsonPointer = Annotated[str, AfterValidator(_json_pointer), _schema(_JSON_POINTER.pattern)]
JqPath = Annotated[str, AfterValidator(_jq_path), _schema(_JQ_PATH.pattern)]
ApiGroup = Annotated[str, AfterValidator(_api_group), _schema(_API_GROUP.pattern)]
Kind = Annotated[str, AfterValidator(_kind), _schema(_KIND.pattern)]


_RULE_SELECTOR = re.compile(r"HG[0-9]{0,3}")


def _rule_selector(value: str) -> str:
    if not _RULE_SELECTOR.fullmatch(value):
        raise ValueError(f"{value!r} is not a rule id or prefix (e.g. HG3, HG222)")
    return value


RuleSelector = Annotated[
    str, AfterValidator(_rule_selector), _schema(_RULE_SELECTOR.pattern, examples=["HG3"])
]
