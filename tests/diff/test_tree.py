"""A hand-written ArgoCD tree (no services.toml) in a git repository: a Secret's value
changes and a PVC is deleted; errors, escaping and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from diff_repos import GitRepo

ROOT = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: root, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://example.com/lab.git, path: apps, targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: argocd}
"""
APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: NAME, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://example.com/lab.git, path: manifests/NAME, targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: NAME}
  syncPolicy: {automated: {prune: true, selfHeal: true}}
"""
SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: VALUE, user: admin}
"""
PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.27", env: [{name: MODE, value: "a"}]}
      - {name: side, image: "busybox:1.36"}
"""
OLD_SECRET = "hunter2-old-value"
NEW_SECRET = "s3cr3t-new-value-longer"


def tree(repo: GitRepo, **extra: str) -> None:
    files = {
        "app-of-apps.yaml": ROOT,
        "apps/db.yaml": APP.replace("NAME", "db"),
        "manifests/db/secret.yaml": SECRET.replace("VALUE", OLD_SECRET),
        "manifests/db/pvc.yaml": PVC,
        "manifests/db/deployment.yaml": DEPLOYMENT,
    }
    files.update(extra)
    repo.write(files)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    made = GitRepo(tmp_path / "repo", tmp_path / "cache")
    tree(made)
    made.commit("base")
    return made


def test_secret_value_and_pvc_delete(repo: GitRepo) -> None:
    (repo.root / "manifests/db/pvc.yaml").unlink()
    tree(repo, **{"manifests/db/secret.yaml": SECRET.replace("VALUE", NEW_SECRET)})
    (repo.root / "manifests/db/pvc.yaml").unlink()
    repo.commit("rotate and drop the claim")
    outputs = {
        fmt: repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", fmt)
        for fmt in ("text", "markdown", "json")
    }
    for fmt, done in outputs.items():
        assert done.returncode == 1, (fmt, done.stderr)
        for value in (OLD_SECRET, NEW_SECRET, "aHVudGVy"):
            assert value not in done.stdout + done.stderr, fmt
    data = json.loads(outputs["json"].stdout)
    assert data["summary"]["review"] == "danger"
    assert [(r["kind"], r["name"]) for r in data["risks"]] == [("PersistentVolumeClaim", "data")]
    (app,) = data["apps"]
    by_kind = {o["kind"]: o for o in app["objects"]}
    assert by_kind["PersistentVolumeClaim"]["status"] == "removed"
    secret = by_kind["Secret"]
    assert secret["secret_keys"] == [
        {"key": "stringData.password", "status": "changed", "from_bytes": 17, "to_bytes": 23}
    ]
    assert secret["paths"] == [] and secret["noise_only"] is False
    assert "stringData.password" in outputs["text"].stdout
    assert "stringData.password" in outputs["markdown"].stdout


def test_named_list_items_matched_by_name(repo: GitRepo) -> None:
    changed = DEPLOYMENT.replace('value: "a"', 'value: "b"').replace(
        "- {name: web,", "- {name: init, image: 'busybox:1.36'}\n      - {name: web,"
    )
    tree(repo, **{"manifests/db/deployment.yaml": changed})
    repo.commit("env")
    done = repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json")
    (item,) = json.loads(done.stdout)["apps"][0]["objects"]
    assert item["paths"] == [  # BASE's order, then what HEAD adds
        "spec.template.spec.containers[name=web].env[name=MODE].value",
        "spec.template.spec.containers[name=init]",
    ]
    assert json.loads(done.stdout)["summary"]["review"] == "routine"


def test_same_tree_exits_0_and_working_tree_is_head(repo: GitRepo) -> None:
    assert repo.homegen("diff", "HEAD", "HEAD", "--tree", ".").returncode == 0
    assert repo.homegen("diff", "main", "--tree", ".").returncode == 0
    (repo.root / "manifests/db/pvc.yaml").unlink()  # not committed: the working tree counts
    done = repo.homegen("diff", "main", "--tree", ".")
    assert done.returncode == 1
    assert "PersistentVolumeClaim/db/data" in done.stdout


def test_move_between_apps_and_lost_prune(repo: GitRepo) -> None:
    tree(
        repo,
        **{
            "apps/web.yaml": APP.replace("NAME", "web").replace("prune: true, ", ""),
            "manifests/web/deployment.yaml": DEPLOYMENT.replace(
                "name: web}", "name: web, namespace: db}"
            ),
        },
    )
    (repo.root / "manifests/db/deployment.yaml").unlink()
    repo.commit("move web")
    data = json.loads(repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json").stdout)
    web = next(a for a in data["apps"] if a["name"] == "web")
    assert [(o["kind"], o["status"], o.get("moved_from")) for o in web["objects"]] == [
        ("Deployment", "moved", "db")
    ]
    assert not [a for a in data["apps"] if a["name"] == "db"]
    # a new app without prune is not a risk; an app that loses it is
    assert data["risks"] == []


def test_escapes_names_from_the_tree(repo: GitRepo) -> None:
    evil = "cm\x1b[31m"
    repo.write(
        {
            "manifests/db/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
            f'data: {{key: "{evil}\\n::error::pwned"}}\n'
        }
    )
    repo.commit("odd")
    for fmt in ("text", "markdown"):
        done = repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", fmt, "--unified")
        if fmt == "markdown":
            done = repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", fmt)
        assert "\x1b" not in done.stdout
        assert not any(line.lstrip().startswith("::") for line in done.stdout.splitlines())


def test_unreadable_side_exits_2_and_says_why(repo: GitRepo) -> None:
    repo.write({"services.toml": "[cluster]\nrepo_url = 1\n"})
    repo.commit("broken config")
    done = repo.homegen("diff", "HEAD~1", "HEAD", "-o", "json")
    assert done.returncode == 2
    data = json.loads(done.stdout)
    assert data["errors"] and data["errors"][0].startswith("HEAD: cannot be read")
    assert "services.toml" in data["errors"][0]


def test_bad_revision_is_a_usage_error(repo: GitRepo) -> None:
    done = repo.homegen("diff", "no-such-branch", "HEAD", "--tree", ".")
    assert done.returncode == 2
    assert "no-such-branch" in done.stderr and "Traceback" not in done.stderr


def test_findings_new_on_head_only(repo: GitRepo) -> None:
    api = DEPLOYMENT.replace("name: web}", "name: api}").replace("app: web", "app: api")
    tree(repo, **{"manifests/db/api.yaml": api})
    repo.commit("api")
    done = repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json", "--findings")
    data = json.loads(done.stdout)
    assert data["findings_new"], done.stderr
    assert all("Deployment/db/api" in line for line in data["findings_new"])
    # web has the same findings on both sides: none is new
    assert not any("/web" in line for line in data["findings_new"])
    plain = json.loads(repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json").stdout)
    assert plain["findings_new"] == []


def test_renamed_app(repo: GitRepo) -> None:
    (repo.root / "apps/db.yaml").unlink()
    renamed = APP.replace("NAME", "database").replace("manifests/database", "manifests/db")
    repo.write({"apps/database.yaml": renamed.replace("namespace: database}", "namespace: db}")})
    repo.commit("rename the app")
    data = json.loads(repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json").stdout)
    apps = {a["name"]: a for a in data["apps"]}
    assert apps["database"]["status"] == "renamed"
    assert apps["database"]["renamed_from"] == "db"
    assert apps["database"]["objects"] == []  # the same objects: nothing else to show
    assert "db" not in apps
    assert data["summary"]["apps"]["renamed"] == 1


def test_tree_without_applications_is_listed_by_folder(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo", tmp_path / "cache")
    repo.write({"guestbook/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    repo.commit("a")
    repo.write({"guestbook/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"})
    repo.commit("b")
    data = json.loads(repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json").stdout)
    assert [(a["name"], a["status"]) for a in data["apps"]] == [("guestbook/", "changed")]
    assert any(n.startswith("no Application at HEAD") for n in data["notes"])


def test_colour_only_when_asked_and_never_with_no_color(repo: GitRepo) -> None:
    (repo.root / "manifests/db/pvc.yaml").unlink()
    repo.commit("drop")
    forced = repo.homegen("--color", "always", "diff", "HEAD~1", "HEAD", "--tree", ".")
    assert forced.returncode == 1 and "\x1b[31m" in forced.stdout  # danger in red
    repo.env["NO_COLOR"] = "1"
    auto = repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".")
    assert auto.returncode == 1 and "\x1b[" not in auto.stdout


APPSET = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: teams, namespace: argocd}
spec:
  generators:
  - list:
      elements: ELEMENTS
  template:
    metadata: {name: "team-{{name}}"}
    spec:
      project: default
      source: {repoURL: https://example.com/lab.git, path: "teams/{{name}}", targetRevision: main}
      destination: {server: https://kubernetes.default.svc, namespace: "team-{{name}}"}
"""


def test_applicationset_element_adds_an_application(repo: GitRepo) -> None:
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
    repo.write(
        {"apps/teams.yaml": APPSET.replace("ELEMENTS", "[{name: a}]"), "teams/a/cm.yaml": cm}
    )
    repo.commit("team a")
    repo.write({"apps/teams.yaml": APPSET.replace("ELEMENTS", "[{name: a}, {name: b}]"),
                "teams/b/cm.yaml": cm})  # fmt: skip
    repo.commit("team b")
    data = json.loads(repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "json").stdout)
    apps = {a["name"]: a for a in data["apps"]}
    assert apps["team-b"]["status"] == "added"
    assert [(o["kind"], o["namespace"]) for o in apps["team-b"]["objects"]] == [
        ("ConfigMap", "team-b")
    ]
    root = [(o["kind"], o["name"], o["status"]) for o in apps["root"]["objects"]]
    assert ("Application", "team-b", "added") in root
    assert ("ApplicationSet", "teams", "changed") in root


def test_markdown_keeps_tree_text_inside_code(repo: GitRepo) -> None:
    import re

    name = "x*[y](http://e.example)@someone<b>"
    odd = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: '{name}'}}\n"
    repo.write({"manifests/db/odd.yaml": odd})
    repo.commit("odd name")
    done = repo.homegen("diff", "HEAD~1", "HEAD", "--tree", ".", "-o", "markdown")
    assert done.returncode == 1
    outside = re.sub(r"(?s)(`{3,})[^\n]*\n.*?\n\1\n", "", done.stdout)
    outside = re.sub(r"(?s)<code>.*?</code>", "", outside)
    assert "e.example" not in outside and "someone" not in outside, outside
    assert "<b>" not in outside and "@someone&lt;b&gt;</code>" in done.stdout
