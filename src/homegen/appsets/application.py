"""One parameter set and the set's template → one Application, as the controller renders it:
every string rendered, the resources finalizer added, ``templatePatch`` applied."""

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any

import yaml

from homegen.appsets import gotemplate
from homegen.appsets.gotemplate import OutOfTime, TemplateError, Unsupported
from homegen.appsets.settings import TEMPLATE_SECONDS_ENV, Settings

APPLICATION_API = "argoproj.io/v1alpha1"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
# fasttemplate runs only on strings with a {{...}} on one line (Go's "." stops at a newline)
_TEMPLATED = re.compile(r".*\{\{.*\}\}.*")
_KEPT_METADATA = ("name", "namespace", "labels", "annotations", "finalizers")


class Engine:
    """The set's template mode: ``{{param}}`` substitution or Go templates, per string."""

    def __init__(self, go: bool, options: list[str], settings: Settings) -> None:
        self.go = go
        missing = [o.partition("=")[2] for o in options if o.startswith("missingkey=")]
        mode = missing[-1] if missing else "default"  # Go applies the options in order
        self.missing_error = mode == "error"
        self.missing_zero = mode == "zero"
        self.seconds = settings.template_seconds
        self.deadline = time.monotonic() + settings.template_seconds

    def text(self, text: str, params: dict[str, Any], *, missing_error: bool | None = None) -> str:
        """One string rendered."""
        if not self.go:
            return fast_replace(text, params)
        if "{{" not in text:
            return text
        strict = self.missing_error if missing_error is None else missing_error
        try:
            return gotemplate.render(
                text,
                params,
                missing_error=strict,
                missing_zero=self.missing_zero,
                deadline=self.deadline,
            )
        except OutOfTime:
            raise OutOfTime(self.timeout_message()) from None

    def value(self, value: Any, params: dict[str, Any]) -> Any:
        """Every string (map keys too) of a value rendered; nulls in mappings dropped, other
        scalars kept."""
        if isinstance(value, str):
            return self.text(value, params)
        if isinstance(value, dict):
            return {
                self.text(str(k), params): self.value(v, params)
                for k, v in value.items()
                if v is not None
            }
        if isinstance(value, list):
            return [self.value(v, params) for v in value]
        return value

    def resolve(self, value: Any, params: dict[str, Any]) -> Any:
        """A matrix child's ``values`` entry pre-rendered with the first child's parameters:
        under goTemplate a missing key keeps the text for the child's own parameters."""
        if not isinstance(value, str) or not self.go:
            return self.value(value, params)
        try:
            return self.text(value, params, missing_error=True)
        except TemplateError as exc:
            if "map has no entry for key" in str(exc) or "can't evaluate field" in str(exc):
                return value
            raise

    def timeout_message(self) -> str:
        """The finding's message when the time ran out."""
        return (
            f"Go template evaluation ran past {self.seconds:g} s (homegen's limit per "
            f"ApplicationSet, {TEMPLATE_SECONDS_ENV}): expansion stopped"
        )


def fast_replace(text: str, params: dict[str, Any]) -> str:
    """fasttemplate as the controller calls it: ``{{ key }}`` becomes a string parameter;
    an unknown key, a non-string value or ``{{ }}`` stays as written; an unclosed ``{{``
    fails."""
    if "{{" not in text or not _TEMPLATED.search(text):
        return text
    out: list[str] = []
    position = 0
    while (start := text.find("{{", position)) != -1:
        end = text.find("}}", start + 2)
        if end == -1:
            raise TemplateError(f"invalid template: cannot find end tag '}}}}' in {text!r}")
        tag = text[start + 2 : end]
        key = tag.strip()
        value = params.get(key) if key else None
        out += [text[position:start], value if isinstance(value, str) else "{{" + tag + "}}"]
        position = end + 2
    out.append(text[position:])
    return "".join(out)


def fill(base: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """mergo.Merge: what ``base`` leaves empty (absent, "", 0, false, empty) taken from
    ``defaults``; nested mappings filled the same way (a generator's own template over the
    set's)."""
    for key, value in defaults.items():
        mine = base.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            fill(mine, value)
        elif not mine and mine is not True:
            base[key] = copy.deepcopy(value)
    return base


def application(
    params: dict[str, Any],
    template: dict[str, Any],
    spec: dict[str, Any],
    engine: Engine,
    namespace: str,
) -> dict[str, Any]:
    """The Application one parameter set makes (TemplateError when it fails)."""
    rendered = copy.deepcopy(template)
    if params:  # the controller renders nothing, and adds no finalizer, for an empty set
        rendered = engine.value(rendered, params)
        metadata = rendered.setdefault("metadata", {})
        policy = spec.get("syncPolicy") if isinstance(spec.get("syncPolicy"), dict) else {}
        assert isinstance(policy, dict)
        if policy.get("preserveResourcesOnDeletion") is not True and not metadata.get("finalizers"):
            metadata["finalizers"] = [RESOURCES_FINALIZER]
    app = _shaped(rendered, namespace)
    patch = spec.get("templatePatch")
    if isinstance(patch, str) and patch.strip():
        app = _patched(app, engine.text(patch, params))
    return app


def _shaped(rendered: dict[str, Any], namespace: str) -> dict[str, Any]:
    source = rendered.get("metadata") if isinstance(rendered.get("metadata"), dict) else {}
    assert isinstance(source, dict)
    metadata = {k: source[k] for k in _KEPT_METADATA if source.get(k) not in (None, "", [], {})}
    metadata.pop("namespace", None)
    if namespace:
        metadata["namespace"] = namespace
    spec = rendered.get("spec") if isinstance(rendered.get("spec"), dict) else {}
    return {"apiVersion": APPLICATION_API, "kind": "Application", "metadata": metadata,
            "spec": spec}  # fmt: skip


def _patched(app: dict[str, Any], text: str) -> dict[str, Any]:
    """templatePatch: JSON when it starts with ``{`` (tabs allowed), YAML otherwise; a
    strategic merge patch; ``spec.project`` restored afterwards, as the controller does."""
    try:
        patch = json.loads(text) if text.strip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(f"templatePatch is not JSON or YAML once rendered: {exc}") from exc
    if patch is None:
        return app
    if not isinstance(patch, dict):
        raise TemplateError(f"invalid templatePatch: a {type(patch).__name__}, not an object")
    project = (app.get("spec") or {}).get("project")
    merged = _strategic(copy.deepcopy(app), patch, ())
    merged.setdefault("spec", {})
    if project is None:
        merged["spec"].pop("project", None)
    else:
        merged["spec"]["project"] = project
    return {k: merged[k] for k in ("apiVersion", "kind", "metadata", "spec") if k in merged}


def _strategic(base: dict[str, Any], patch: dict[str, Any], path: tuple[str, ...]) -> Any:
    """A strategic merge patch on an Application: mappings merged, null deletes, lists
    replaced but ``metadata.finalizers`` (merged, as ObjectMeta declares it)."""
    for key, value in patch.items():
        here = (*path, str(key))
        if str(key).startswith("$"):
            # $patch, $retainKeys, $setElementOrder: directives homegen does not apply
            raise Unsupported(f"templatePatch directive {key} at {'.'.join(path) or 'top'}")
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _strategic(base[key], value, here)
        elif here == ("metadata", "finalizers") and isinstance(base.get(key), list):
            base[key] = base[key] + [v for v in value if v not in base[key]]
        else:
            base[key] = copy.deepcopy(value)
    return base
