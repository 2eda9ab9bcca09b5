"""Small charts and trees written by the tests: every test shows its whole input."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tools import requires_extra


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path → dedented text) below ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


DEMO_CHART = {
    "Chart.yaml": """
        apiVersion: v2
        name: demo
        version: 1.0.0
    """,
    "values.yaml": """
        replicas: 1
        image:
          repository: nginx
          tag: "1.27"
        service:
          port: 80
        extraLabels: {}
        podSecurityContext:
          runAsNonRoot: true
        containerSecurityContext: {}
        failWith: ""
    """,
    "templates/deployment.yaml": """
        {{- if .Values.failWith }}{{ fail .Values.failWith }}{{ end }}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
          labels:
            app: {{ .Release.Name }}
            {{- with .Values.extraLabels }}
            {{- toYaml . | nindent 4 }}
            {{- end }}
        spec:
          replicas: {{ .Values.replicas }}
          selector:
            matchLabels: {app: {{ .Release.Name }}}
          template:
            metadata:
              labels: {app: {{ .Release.Name }}}
            spec:
              {{- with .Values.podSecurityContext }}
              securityContext:
                {{- toYaml . | nindent 8 }}
              {{- end }}
              containers:
                - name: web
                  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
                  {{- with .Values.containerSecurityContext }}
                  securityContext:
                    {{- toYaml . | nindent 12 }}
                  {{- end }}
                  ports: [{containerPort: 8080, name: http}]
    """,
    "templates/service.yaml": """
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ .Release.Name }}
        spec:
          selector: {app: {{ .Release.Name }}}
          ports: [{name: http, port: {{ .Values.service.port }}, targetPort: http}]
    """,
    "templates/capabilities.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Release.Name }}-capabilities
        data:
          kube: {{ .Capabilities.KubeVersion.Version | quote }}
          pdb: {{ .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" | quote }}
          widget: {{ .Capabilities.APIVersions.Has "example.com/v1/Widget" | quote }}
          lookup: {{ lookup "v1" "Namespace" "" "kube-system" | toJson | quote }}
    """,
    "crds/widgets.yaml": """
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
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      properties:
                        size: {type: integer}
    """,
}


def demo_chart(folder: Path, **overrides: str) -> Path:
    """The demo chart as ``folder/demo-1.0.0/`` (files replaced by ``overrides``)."""
    files = {**DEMO_CHART, **{k.replace("__", "/"): v for k, v in overrides.items()}}
    return write(folder / "demo-1.0.0", files)


ROOT_APP = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: app-of-apps, namespace: argocd}
    spec:
      project: default
      source: {repoURL: "https://github.com/me/lab", targetRevision: main, path: tree/apps}
      destination: {server: "https://kubernetes.default.svc", namespace: argocd}
"""


def chart_app(
    name: str = "web", namespace: str = "web", values_file: bool = True, helm: tuple[str, ...] = ()
) -> str:
    """An Application with the demo chart and (by default) values from the tree; ``helm``
    adds lines to its helm block."""
    lines = [f"releaseName: {name}"]
    if values_file:
        lines.append(f'valueFiles: ["$values/tree/values/{name}.yaml"]')
    block = ("\n" + " " * 16).join([*lines, *helm])
    return f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: {name}, namespace: argocd}}
        spec:
          project: default
          sources:
            - repoURL: https://charts.example.com
              chart: demo
              targetRevision: 1.0.0
              helm:
                {block}
            - repoURL: https://github.com/me/lab
              targetRevision: main
              ref: values
          destination: {{server: "https://kubernetes.default.svc", namespace: {namespace}}}
    """


def need_engine() -> None:
    """Skip without the charts extra, except in CI (where `make setup` installs it)."""
    requires_extra("charts")
