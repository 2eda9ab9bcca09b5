"""Policy for objects: secrets stay out of Git, images are pinned, labels are standard,
tokens are not mounted, namespaces enforce Pod Security."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from homegen.validate.findings import Finding, finding, register
from homegen.validate.reader.tree import (
    Obj,
    Tree,
    as_dict,
    as_list,
    from_chart,
    homegen_made,
    tree_check,
)
from homegen.validate.rules.policy_pods import ENFORCE, LEVELS, REASON
from homegen.validate.rules.workloads import own_pod_templates

IMAGE_TAG = register(
    "HG313", "image-pinned", "error",
    "pin the image to a version tag or a digest (image:1.2.3 or image@sha256:...)",
    """`latest` or no tag means every restart may run different code; rollbacks lie.""",
)  # fmt: skip
SECRET_LITERAL = register(
    "HG314", "secret-literal", "error",
    "keep secret values in 1Password: use a OnePasswordItem (or ExternalSecret) instead",
    """A Secret's data in the tree is a secret committed to Git (base64 is not encryption).""",
)  # fmt: skip
ENV_LITERAL = register(
    "HG315", "env-secret-literal", "error",
    "read the value from a Secret: env[].valueFrom.secretKeyRef",
    """An env var named like a password or token with a literal value is a secret in Git.""",
)  # fmt: skip
LABELS = register(
    "HG316", "standard-labels", "warning",
    "add the labels app, version, component and app.kubernetes.io/{name,instance,version,"
    "component,part-of,managed-by}",
    """Standard labels make `kubectl get -l`, dashboards and cost reports work across apps.""",
)  # fmt: skip
AUTOMOUNT = register(
    "HG317", "automount-token", "error",
    "set spec.template.spec.automountServiceAccountToken: false",
    """A mounted API token is a credential every compromised container can use.""",
)  # fmt: skip
NAMESPACE_PSS = register(
    "HG319", "namespace-pod-security", "error",
    "label the namespace pod-security.kubernetes.io/enforce: restricted (or give a "
    "homegen.dev/pod-security-reason annotation for a lower level)",
    """Pod Security is enforced per namespace: without the label nothing stops a privileged
    pod; a lower level must say why.""",
)  # fmt: skip

STANDARD_LABELS = (
    "app", "version", "component", "app.kubernetes.io/name", "app.kubernetes.io/instance",
    "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)  # fmt: skip
_SECRET_SUFFIXES = ("PASSWORD", "PASSWD", "TOKEN", "SECRET", "CREDENTIAL", "CREDENTIALS")
_SECRET_PARTS = frozenset({"KEY", "PASS", "PWD", "APIKEY", "PRIVATEKEY", "AUTH"})


def looks_secret(name: str) -> bool:
    """Whether an env var name looks like it holds a secret (TUNNEL_TOKEN, DB_PASSWORD, ...)."""
    parts = [p for p in re.split(r"[_\-.]", name.upper()) if p]
    return any(p in _SECRET_PARTS or p.endswith(_SECRET_SUFFIXES) for p in parts)


# argocd-vault-plugin fills these in at sync time: <path:vault/data/x#key>, <key>
_AVP_PLACEHOLDER = re.compile(r"^\s*<[^<>\s][^<>]*>\s*$")
_AVP_ANNOTATION = "avp.kubernetes.io/"
# kinds whose name a value may give instead of a secret (EXISTING_SECRET: db-credentials)
SECRET_KINDS = ("Secret", "ExternalSecret", "SealedSecret", "OnePasswordItem")


def placeholder(value: Any) -> bool:
    """Whether a value is an argocd-vault-plugin placeholder, not a secret."""
    return isinstance(value, str) and bool(_AVP_PLACEHOLDER.match(value))


# the last word of a name that says what the value is about, not the secret itself:
# METALLB_ML_SECRET_NAME, SECRET_KEY_PATH, AUTH_TYPE, TOKEN_ENDPOINT
_DESCRIBING = frozenset({"FILE", "NAME", "PATH", "DIR", "TYPE", "URL", "URI", "ENDPOINT", "MODE"})
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "enabled", "disabled"})


def _literal_secret(tree: Tree, namespace: str, name: str, value: Any) -> bool:
    """Whether an env var holds a secret as a literal: not a placeholder, not a path to a
    file holding it (``*_FILE``) or another word about it (``*_NAME``, ``*_URL``), not a
    flag (DISABLE_PASSWORD_AUTH: "true"), a path or a URL, not the name of a Secret of the
    tree."""
    if value in (None, "") or not looks_secret(name) or placeholder(value):
        return False
    text = str(value).strip()
    if re.split(r"[_\-.]", name.upper())[-1] in _DESCRIBING or text.lower() in _FLAGS:
        return False
    if text.startswith("/") or "://" in text:
        return False
    return not any(tree.get(kind, namespace, text) for kind in SECRET_KINDS)


def image_pinned(image: str) -> bool:
    """Whether an image reference names a digest or a tag other than ``latest``."""
    if "@" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def check_images_and_env(tree: Tree) -> Iterator[Finding]:
    """HG313/HG315: images are pinned; secret-looking env vars come from Secrets."""
    for template in own_pod_templates(tree):
        for path, container in template.containers():
            image = str(container.get("image", ""))
            if not image_pinned(image):
                yield finding(
                    IMAGE_TAG, template.owner.where, f"image {image!r} is not pinned", path=path
                )
            for i, env in enumerate(as_list(container.get("env"))):
                env = as_dict(env)
                name = str(env.get("name", ""))
                namespace = template.owner.namespace
                if _literal_secret(tree, namespace, name, env.get("value")):
                    yield finding(
                        ENV_LITERAL, template.owner.where,
                        f"env {name} of container {container.get('name')} has a literal value",
                        path=f"{path}/env/{i}",
                    )  # fmt: skip


def check_workload_metadata(tree: Tree) -> Iterator[Finding]:
    """HG316/HG317: standard labels on workloads; no automounted service account token."""
    for template in own_pod_templates(tree):
        owner = template.owner
        missing = [label for label in STANDARD_LABELS if label not in owner.labels]
        if missing:
            yield finding(
                LABELS, owner.where, f"missing labels {', '.join(missing)}", path="/metadata/labels"
            )
        if template.spec.get("automountServiceAccountToken") is not False:
            found = finding(
                AUTOMOUNT, owner.where, "the service account token is mounted",
                path=f"{template.path}/automountServiceAccountToken",
            )  # fmt: skip
            account = str(template.spec.get("serviceAccountName") or "default")
            binding = None if homegen_made(owner) else _binding_of(tree, owner.namespace, account)
            if binding is not None:
                # the pod talks to the API server with the permissions the tree grants it
                # (homegen's own tree states that with an exception and its reason)
                found = replace(
                    found, severity="info",
                    message=f"the service account token is mounted: ServiceAccount {account} "
                    f"is bound by {binding.where.object}, so the pod uses it",
                )  # fmt: skip
            yield found


def _binding_of(tree: Tree, namespace: str, account: str) -> Obj | None:
    """A RoleBinding or ClusterRoleBinding of the tree whose subject is the ServiceAccount."""
    for binding in tree.kind("RoleBinding", "ClusterRoleBinding"):
        for subject in as_list(binding.obj.get("subjects")):
            subject = as_dict(subject)
            if (
                subject.get("kind") == "ServiceAccount"
                and subject.get("name") == account
                and (subject.get("namespace") or binding.namespace) == namespace
            ):
                return binding
    return None


def _vault_managed(secret: Obj) -> bool:
    """argocd-vault-plugin fills the Secret at sync time: an avp annotation, or every value a
    placeholder."""
    if any(str(k).startswith(_AVP_ANNOTATION) for k in secret.annotations):
        return True
    values = [
        v for f in ("data", "stringData") for v in as_dict(secret.obj.get(f)).values()
    ]  # fmt: skip
    return bool(values) and all(placeholder(v) for v in values)


# fixes that fit a hand-written tree (the registered ones speak of homegen's own tree)
HAND_WRITTEN_SECRET_FIX = (
    "keep the value out of Git: an ExternalSecret, a SealedSecret or a vault plugin placeholder"
)
HAND_WRITTEN_PSS_FIX = f"label the namespace {ENFORCE}: restricted, or the level its workloads need"


def check_secrets(tree: Tree) -> Iterator[Finding]:
    """HG314: no Secret carries literal data in the tree."""
    for secret in tree.kind("Secret"):
        if from_chart(secret) or _vault_managed(secret):
            continue  # a chart's generated Secret (e.g. a webhook certificate) is no literal
        fields = [f for f in ("data", "stringData") if secret.obj.get(f)]
        if fields:
            yield finding(
                SECRET_LITERAL, secret.where, f"Secret has literal {' and '.join(fields)}",
                fix=None if homegen_made(secret) else HAND_WRITTEN_SECRET_FIX,
            )  # fmt: skip


def check_namespaces(tree: Tree) -> Iterator[Finding]:
    """HG319: namespaces enforce restricted, or a lower level with a reason."""
    for ns in tree.kind("Namespace"):
        if from_chart(ns):
            continue
        level = ns.labels.get(ENFORCE)
        if level is None:
            fix = None if homegen_made(ns) else HAND_WRITTEN_PSS_FIX
            yield finding(
                NAMESPACE_PSS, ns.where, f"no {ENFORCE} label", path="/metadata/labels", fix=fix
            )
        elif not isinstance(level, str) or level not in LEVELS:
            yield finding(NAMESPACE_PSS, ns.where, f"{ENFORCE}: {level!r} is no Pod Security level")
        elif level != "restricted" and not str(ns.annotations.get(REASON, "")).strip():
            found = finding(
                NAMESPACE_PSS, ns.where,
                f"enforces {level} without a {REASON} annotation",
                path="/metadata/annotations",
            )  # fmt: skip
            # in a hand-written tree the label is the owner's explicit choice: a note
            yield found if homegen_made(ns) else replace(found, severity="info")


# Registered by calls rather than a decorator: mutmut leaves decorated functions unmutated,
# and these bodies are the rules mutation testing must reach (tests/mutate.py).
tree_check(check_images_and_env)
tree_check(check_workload_metadata)
tree_check(check_secrets)
tree_check(check_namespaces)
