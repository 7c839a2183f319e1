#!/usr/bin/env python3
"""Offline checks of the Helm chart helm/ocpizza (no cluster, no helm binary).

Lints the chart strictly and renders it with helm-python-sdk (Helm as a library), validates every
rendered manifest against the Kubernetes 1.30 schemas with kubernetes-validate, asserts the
security and wiring facts the chart promises, and checks that values missing a required setting
are refused with a message naming it. Prints one line per check with its duration; exits 1 if
any check fails.

Needs, in the Python that runs it: helm-python-sdk==0.2.2 (module helm_python) and
kubernetes-validate (its CLI next to this Python, or on PATH). scripts/test.sh installs both in
a virtual environment; by hand:

    python3 -m venv /tmp/helmvenv
    /tmp/helmvenv/bin/pip install helm-python-sdk==0.2.2 kubernetes-validate
    /tmp/helmvenv/bin/python scripts/check-helm.py
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:
    import helm_python
    from helm_python import chart as hc
except ImportError:
    sys.exit(
        "check-helm: the module helm_python is missing: pip install helm-python-sdk==0.2.2 "
        f"(in the environment of {sys.executable})"
    )
import yaml  # a dependency of kubernetes-validate

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm" / "ocpizza"
CI = ROOT / "helm" / "ci"
KUBE_VERSION = "1.30.0"
NAMESPACE = "ocpizza"
RELEASE = "ocpizza"
MIGRATE_HOOK = "pre-install,pre-upgrade"
COMPONENTS = ("app", "admin", "worker", "migrate")


class CheckFailed(Exception):
    """A check's finding, with the details to print."""


# ---------------------------------------------------------------------------------------------
# Helpers


def load_values(name: str) -> dict[str, Any]:
    path = CI / name
    return helm_python.values_from_yaml(path.read_text())


def kubernetes_validate() -> str:
    """The kubernetes-validate executable: beside this Python (same venv), else on PATH."""
    beside = Path(sys.executable).parent / "kubernetes-validate"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("kubernetes-validate")
    if found:
        return found
    raise CheckFailed(
        f"kubernetes-validate not found beside {sys.executable} nor on PATH: pip install kubernetes-validate"
    )


def render(values: dict[str, Any], *, upgrade: bool = False) -> dict[str, str]:
    with hc.Chart.load(CHART) as chart:
        return chart.render(values, name=RELEASE, namespace=NAMESPACE,
                            is_install=not upgrade, is_upgrade=upgrade)


def documents(manifests: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(template path, object) for every non-empty YAML document; NOTES.txt is not a manifest."""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                yield path, doc


def objects(manifests: dict[str, str], kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents(manifests) if doc.get("kind") == kind]


def component_of(obj: dict[str, Any]) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


def one(manifests: dict[str, str], kind: str, component: str) -> dict[str, Any]:
    found = [o for o in objects(manifests, kind) if component_of(o) == component]
    if len(found) != 1:
        raise CheckFailed(f"expected one {kind} of component {component!r}, found {len(found)}")
    return found[0]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def env_names(container: dict[str, Any]) -> set[str]:
    return {e["name"] for e in container.get("env", [])}


def error_text(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# ---------------------------------------------------------------------------------------------
# Checks: each returns a short summary or raises CheckFailed.


def check_lint(values_file: str) -> str:
    report = hc.lint(
        CHART,
        load_values(values_file),
        strict=True,
        kube_version=f"v{KUBE_VERSION}",
        namespace=NAMESPACE,
    )
    # Severity: 1 info, 2 warning, 3 error; strict makes warnings fail too.
    problems = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    if report.get("errors") or problems:
        lines = [f"{m.get('path')}: {m.get('error', '').strip()}" for m in problems]
        lines += [e.strip() for e in report.get("errors", []) if e.strip() not in " ".join(lines)]
        raise CheckFailed("helm lint --strict:\n" + "\n".join(lines))
    infos = [m.get("error", "") for m in report.get("messages", []) if m.get("severity") == 1]
    return "no warnings or errors" + (f" (info: {'; '.join(infos)})" if infos else "")


def check_validate(manifests: dict[str, str]) -> str:
    """One kubernetes-validate run over every document; its messages name each failing resource."""
    docs = [doc for _, doc in documents(manifests)]
    stream = "".join("---\n" + yaml.safe_dump(doc, sort_keys=False) for doc in docs)
    run = subprocess.run(
        [kubernetes_validate(), "-k", KUBE_VERSION, "--strict", "--quiet", "-"],
        input=stream,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise CheckFailed(
            f"kubernetes-validate -k {KUBE_VERSION} --strict:\n" + (run.stdout + run.stderr).strip()
        )
    return f"{len(docs)} manifests valid against Kubernetes {KUBE_VERSION} (strict)"


def check_app_database_urls(manifests: dict[str, str]) -> str:
    app = one(manifests, "Deployment", "app")
    for container in pod_spec(app)["containers"] + pod_spec(app).get("initContainers", []):
        names = env_names(container)
        if "OCPIZZA_DATABASE__ADMIN_URL" in names:
            raise CheckFailed(f"the app container {container['name']!r} gets OCPIZZA_DATABASE__ADMIN_URL")
        if "OCPIZZA_DATABASE__URL" not in names:
            raise CheckFailed("the app container has no OCPIZZA_DATABASE__URL")
        if container.get("envFrom"):
            raise CheckFailed("the app container uses envFrom: it could receive any key of a Secret")
    worker = one(manifests, "Deployment", "worker")
    if "OCPIZZA_DATABASE__ADMIN_URL" not in env_names(pod_spec(worker)["containers"][0]):
        raise CheckFailed("the worker has no OCPIZZA_DATABASE__ADMIN_URL")
    return "app gets OCPIZZA_DATABASE__URL only; the worker gets the owner URL"


def check_pod_security(manifests: dict[str, str]) -> str:
    workloads = [d for _, d in documents(manifests) if d.get("kind") in ("Deployment", "Job", "StatefulSet", "DaemonSet")]
    problems = []
    for obj in workloads:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = pod_spec(obj)
        pod_sc = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: automountServiceAccountToken is not false")
        if spec.get("enableServiceLinks") is not False:
            # OCPIZZA_APP_PORT & co. would be refused by the strict configuration as unknown keys.
            problems.append(f"{name}: enableServiceLinks is not false")
        if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: pod seccompProfile is not RuntimeDefault")
        if pod_sc.get("fsGroup") != 10001:
            problems.append(f"{name}: fsGroup is not 10001")
        tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for c in spec["containers"] + spec.get("initContainers", []):
            sc = c.get("securityContext", {})
            where = f"{name} container {c['name']}"
            wanted = {
                "runAsNonRoot": sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True,
                "runAsUser 10001": sc.get("runAsUser", pod_sc.get("runAsUser")) == 10001,
                "runAsGroup 10001": sc.get("runAsGroup", pod_sc.get("runAsGroup")) == 10001,
                "readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem") is True,
                "allowPrivilegeEscalation false": sc.get("allowPrivilegeEscalation") is False,
                "capabilities drop ALL": "ALL" in sc.get("capabilities", {}).get("drop", []),
                "seccomp RuntimeDefault": sc.get("seccompProfile", pod_sc.get("seccompProfile", {})).get("type") == "RuntimeDefault",
                "an emptyDir at /tmp": any(
                    m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in c.get("volumeMounts", [])
                ),
                "resources requests and limits": bool(c.get("resources", {}).get("requests"))
                and bool(c.get("resources", {}).get("limits")),
            }
            problems += [f"{where}: not {what}" for what, ok in wanted.items() if not ok]
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{len(workloads)} pod specs: non-root 10001, read-only root + /tmp emptyDir, no privilege escalation, drop ALL, seccomp RuntimeDefault, no token, no service links, bounded resources"


def check_probes(manifests: dict[str, str]) -> str:
    wanted = {"app": "/readyz", "admin": "/readyz", "worker": "/healthz"}
    problems = []
    for component, readiness in wanted.items():
        c = pod_spec(one(manifests, "Deployment", component))["containers"][0]
        live = c.get("livenessProbe", {}).get("httpGet", {}).get("path")
        ready = c.get("readinessProbe", {}).get("httpGet", {}).get("path")
        if live != "/healthz":
            problems.append(f"{component}: liveness probe path {live!r}, want /healthz")
        if ready != readiness:
            problems.append(f"{component}: readiness probe path {ready!r}, want {readiness}")
    worker = one(manifests, "Deployment", "worker")
    app = one(manifests, "Deployment", "app")
    if pod_spec(worker)["terminationGracePeriodSeconds"] <= pod_spec(app)["terminationGracePeriodSeconds"]:
        problems.append("the worker's terminationGracePeriodSeconds is not longer than the app's")
    for d in objects(manifests, "Deployment"):
        notes = d["spec"]["template"]["metadata"].get("annotations", {})
        if not {"checksum/config", "checksum/secret"} <= notes.keys():
            problems.append(f"Deployment/{d['metadata']['name']}: no checksum/config and checksum/secret annotations")
    if problems:
        raise CheckFailed("\n".join(problems))
    return "liveness /healthz, readiness /readyz (worker /healthz), config checksums, worker grace > app grace"


def check_labels(manifests: dict[str, str]) -> str:
    keys = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
            "app.kubernetes.io/managed-by", "helm.sh/chart")
    problems = []
    count = 0
    for path, doc in documents(manifests):
        count += 1
        labels = doc["metadata"].get("labels", {})
        missing = [k for k in keys if k not in labels]
        if missing:
            problems.append(f"{path}: {doc['kind']}/{doc['metadata']['name']} lacks {', '.join(missing)}")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{count} objects carry the app.kubernetes.io/* labels"


def check_migrate_hook(manifests: dict[str, str], existing_secret: bool) -> str:
    job = one(manifests, "Job", "migrate")
    notes = job["metadata"].get("annotations", {})
    problems = []
    if notes.get("helm.sh/hook") != MIGRATE_HOOK:
        problems.append(f"helm.sh/hook is {notes.get('helm.sh/hook')!r}, want {MIGRATE_HOOK!r}")
    if "helm.sh/hook-weight" not in notes:
        problems.append("no helm.sh/hook-weight")
    if set(notes.get("helm.sh/hook-delete-policy", "").split(",")) != {"before-hook-creation", "hook-succeeded"}:
        problems.append(f"helm.sh/hook-delete-policy is {notes.get('helm.sh/hook-delete-policy')!r}")
    container = pod_spec(job)["containers"][0]
    command = container.get("command", []) + container.get("args", [])
    if command[-3:] != ["ocpizza-admin", "migrate", "up"] and command[-2:] != ["migrate", "up"]:
        problems.append(f"the job runs {command}, not `ocpizza-admin migrate up`")
    names = env_names(container)
    for needed in ("OCPIZZA_DATABASE__ADMIN_URL", "OCPIZZA_BACKUP__DIR", "OCPIZZA_PROFILE"):
        if needed not in names:
            problems.append(f"the job lacks {needed}")
    # Everything the job reads must exist before it: hook objects of a lower weight, or an existingSecret.
    job_weight = int(notes.get("helm.sh/hook-weight", "0"))
    hooks = {(d["kind"], d["metadata"]["name"]): d for _, d in documents(manifests)
             if "helm.sh/hook" in d["metadata"].get("annotations", {})}
    refs = {("ServiceAccount", pod_spec(job)["serviceAccountName"])}
    for e in container.get("env", []):
        source = e.get("valueFrom", {})
        if "configMapKeyRef" in source:
            refs.add(("ConfigMap", source["configMapKeyRef"]["name"]))
        if "secretKeyRef" in source:
            refs.add(("Secret", source["secretKeyRef"]["name"]))
    for kind, name in sorted(refs):
        if kind == "Secret" and existing_secret:
            continue
        hook = hooks.get((kind, name))
        if hook is None:
            problems.append(f"the job reads {kind}/{name}, which is not a hook: it does not exist yet on install")
            continue
        hook_notes = hook["metadata"]["annotations"]
        if "pre-install" not in hook_notes["helm.sh/hook"] or int(hook_notes.get("helm.sh/hook-weight", "0")) >= job_weight:
            problems.append(f"{kind}/{name} is not a pre-install hook weighted before the job")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{MIGRATE_HOOK} hook running `ocpizza-admin migrate up`; its ConfigMap/Secret/ServiceAccount are earlier hooks"


def check_production_shape(manifests: dict[str, str]) -> str:
    problems = []
    hpa = one(manifests, "HorizontalPodAutoscaler", "app")
    if hpa["apiVersion"] != "autoscaling/v2" or hpa["spec"]["minReplicas"] < 3:
        problems.append("the app HPA is not autoscaling/v2 with at least 3 replicas")
    if "replicas" in one(manifests, "Deployment", "app")["spec"]:
        problems.append("the app Deployment sets replicas while the HPA owns them")
    one(manifests, "PodDisruptionBudget", "app")
    ingresses = objects(manifests, "Ingress")
    if {component_of(i) for i in ingresses} != {"app", "admin"}:
        problems.append(f"want an Ingress for app and admin, got {[component_of(i) for i in ingresses]}")
    for ing in ingresses:
        hosts = {r["host"] for r in ing["spec"]["rules"]}
        tls_hosts = {h for t in ing["spec"].get("tls", []) for h in t.get("hosts", [])}
        if not hosts <= tls_hosts:
            problems.append(f"Ingress/{ing['metadata']['name']}: hosts {sorted(hosts - tls_hosts)} have no TLS")
        if ing["spec"].get("ingressClassName") != "nginx":
            problems.append(f"Ingress/{ing['metadata']['name']}: ingressClassName is not the configured one")
    if objects(manifests, "Secret"):
        problems.append("a Secret is rendered although secrets.existingSecret is set")
    policies = objects(manifests, "NetworkPolicy")
    if {component_of(p) for p in policies} != set(COMPONENTS):
        problems.append(f"want a NetworkPolicy per component, got {[component_of(p) for p in policies]}")
    if problems:
        raise CheckFailed("\n".join(problems))
    return "HPA (autoscaling/v2, no fixed replicas), PDB, TLS Ingresses for app and admin, existingSecret only, a NetworkPolicy per component"


def render_templates_only(values: dict[str, Any]) -> dict[str, str]:
    """Render a copy of the chart without values.schema.json: the templates' own checks alone.

    (Linting with skip_schema_validation does not do: lint mode turns `required` into a warning.)
    """
    with tempfile.TemporaryDirectory(prefix="check-helm-") as tmp:
        copy_dir = Path(tmp) / CHART.name
        shutil.copytree(CHART, copy_dir)
        (copy_dir / "values.schema.json").unlink()
        with hc.Chart.load(copy_dir) as chart:
            return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def expect_refused(values: dict[str, Any], needle: str, *, templates_only: bool = False) -> str:
    """Rendering these values must fail with a message naming `needle`."""
    try:
        (render_templates_only if templates_only else render)(values)
    except helm_python.HelmError as exc:
        message = error_text(exc)
    else:
        raise CheckFailed(f"the chart rendered values lacking {needle}")
    if needle not in message:
        raise CheckFailed(f"refused, but the message does not name {needle}: {message}")
    # The schema's findings start at "- at '/path'"; a template's message follows "(file:line:col): ".
    if "- at " in message:
        message = message[message.index("- at "):]
    elif "): " in message:
        message = message.split("): ", 1)[1]
    return f"refused: {message[:220]}"


def without(values: dict[str, Any], *dotted: str) -> dict[str, Any]:
    out = copy.deepcopy(values)
    for path in dotted:
        *parents, leaf = path.split(".")
        node = out
        for p in parents:
            node = node[p]
        node.pop(leaf, None)
    return out


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


# Other value combinations that must render valid manifests: (name, overrides, extra assertion).
VARIANTS: list[tuple[str, dict[str, Any], Callable[[dict[str, str]], str | None] | None]] = [
    ("persistence off", {"persistence": {"enabled": False}},
     lambda m: None if not objects(m, "PersistentVolumeClaim") else "a claim is rendered"),
    ("existingClaim, no storage class", {"persistence": {"existingClaim": "ocpizza-backups", "storageClass": "-"}},
     lambda m: None if not objects(m, "PersistentVolumeClaim") else "a claim is rendered for an existingClaim"),
    ("admin off, ingress on", {"admin": {"enabled": False}, "ingress": {"enabled": True}},
     lambda m: None if [component_of(i) for i in objects(m, "Ingress")] == ["app"] else "want the app Ingress only"),
    ("no service account", {"serviceAccount": {"create": False, "name": "ocpizza-runner"}},
     lambda m: None if not objects(m, "ServiceAccount") else "a ServiceAccount is rendered"),
    ("image digest", {"image": {"digest": "sha256:" + "0" * 64}},
     lambda m: None if pod_spec(one(m, "Deployment", "app"))["containers"][0]["image"].endswith("@sha256:" + "0" * 64)
     else "the image is not pinned by digest"),
    ("strict egress", {"networkPolicy": {"egress": {"allowAll": False}}},
     lambda m: None if all(p["spec"]["egress"] != [{}] for p in objects(m, "NetworkPolicy")) else "egress still open"),
    ("S3 for backups and images", {
        "config": {"backup": {"s3": {"endpoint": "http://minio:9000", "region": "eu", "bucket": "b", "pathStyle": True}},
                   "images": {"s3": {"endpoint": "http://minio:9000", "region": "eu", "bucket": "i", "pathStyle": True}}},
        "secrets": {"backupS3": {"accessKey": "ak", "secretKey": "sk"}, "imagesS3": {"accessKey": "ak", "secretKey": "sk"}}},
     lambda m: None if "OCPIZZA_BACKUP__S3__ENDPOINT" not in env_names(pod_spec(one(m, "Deployment", "app"))["containers"][0])
     and "OCPIZZA_ADMIN__IMAGES__S3__ACCESS_KEY" in env_names(pod_spec(one(m, "Deployment", "app"))["containers"][0])
     else "the app must get the images bucket and not the backup bucket"),
]


def check_variants(base: dict[str, Any]) -> str:
    problems = []
    for name, override, extra in VARIANTS:
        try:
            manifests = render(merged(base, override))
            check_validate(manifests)
            check_pod_security(manifests)
            check_app_database_urls(manifests)
            problem = extra(manifests) if extra else None
        except (CheckFailed, helm_python.HelmError) as exc:
            problem = error_text(exc)
        if problem:
            problems.append(f"{name}: {problem}")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{len(VARIANTS)} value combinations render valid, secure manifests: " + "; ".join(v[0] for v in VARIANTS)


def check_upgrade_mounts_claim(values: dict[str, Any]) -> str:
    """On upgrade the claim exists, so the migration job keeps its backup on it (on a first install
    it cannot: the claim is made after pre-install hooks)."""
    job = one(render(values, upgrade=True), "Job", "migrate")
    data = [v for v in pod_spec(job)["volumes"] if v["name"] == "data"]
    if not data or "persistentVolumeClaim" not in data[0]:
        raise CheckFailed(f"on upgrade the migration job's data volume is {data}, not the claim")
    return f"on upgrade the job writes its pre-migration backup to claim {data[0]['persistentVolumeClaim']['claimName']}"


def check_values_documented() -> str:
    """Every leaf of values.yaml has a `## @param <path>` line; every @param names a real value."""
    text = (CHART / "values.yaml").read_text()
    documented = set(re.findall(r"^\s*## @param (\S+) \S", text, re.MULTILINE))
    leaves: set[str] = set()

    def walk(node: Any, prefix: str) -> None:
        # A value is a scalar, a list, an empty map, or a map documented as a whole (resources…).
        if prefix in documented or not isinstance(node, dict) or not node:
            leaves.add(prefix)
            return
        for key, child in node.items():
            walk(child, f"{prefix}.{key}" if prefix else key)

    walk(yaml.safe_load(text), "")
    undocumented = sorted(leaves - documented)
    unknown = sorted(documented - leaves)
    if undocumented or unknown:
        raise CheckFailed(
            (f"values without a ## @param comment: {', '.join(undocumented)}\n" if undocumented else "")
            + (f"@param lines naming no value: {', '.join(unknown)}" if unknown else "")
        )
    return f"{len(leaves)} values, each with a ## @param comment"


def check_schema() -> str:
    import jsonschema  # a dependency of kubernetes-validate

    schema = json.loads((CHART / "values.schema.json").read_text())
    if schema.get("$schema") != "http://json-schema.org/draft-07/schema#":
        raise CheckFailed("values.schema.json does not declare draft-07")
    jsonschema.Draft7Validator.check_schema(schema)
    problems = []
    if schema.get("additionalProperties") is not False:
        problems.append("the top level allows additional properties")
    for key, sub in schema["properties"].items():
        if sub.get("type") == "object" and sub.get("properties") and sub.get("additionalProperties") is not False:
            problems.append(f"{key} allows additional properties")
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    top = set(schema["properties"])
    if set(defaults) != top:
        problems.append(f"values.yaml and the schema differ at the top level: {sorted(set(defaults) ^ top)}")
    if problems:
        raise CheckFailed("\n".join(problems))
    return "draft-07, valid, closed objects, same top-level keys as values.yaml"


def check_chart_metadata() -> str:
    with hc.Chart.load(CHART) as chart:
        meta = chart.metadata
    problems = []
    if meta.get("apiVersion") != "v2":
        problems.append("apiVersion is not v2")
    if meta.get("kubeVersion") != ">=1.27.0-0":
        problems.append(f"kubeVersion is {meta.get('kubeVersion')!r}")
    if not meta.get("appVersion"):
        problems.append("no appVersion")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{meta['name']} {meta['version']}, appVersion {meta['appVersion']}, kubeVersion {meta['kubeVersion']}"


# ---------------------------------------------------------------------------------------------


def main() -> int:
    results: list[bool] = []

    def check(name: str, fn: Callable[[], str]) -> Any:
        start = time.monotonic()
        try:
            summary = fn()
        except CheckFailed as exc:
            ok, summary = False, str(exc)
        except Exception as exc:  # noqa: BLE001 - any crash of a check is its failure
            ok, summary = False, f"{type(exc).__name__}: {error_text(exc)}"
        else:
            ok = True
        elapsed = time.monotonic() - start
        first, *rest = summary.splitlines() or [""]
        print(f"{'ok  ' if ok else 'FAIL'} {elapsed:6.2f}s  {name}: {first}", flush=True)
        for line in rest:
            print(f"{'':15}{line}", flush=True)
        results.append(ok)
        return ok

    started = time.monotonic()
    print(f"checking {CHART.relative_to(ROOT)} (Kubernetes {KUBE_VERSION}, namespace {NAMESPACE})")
    check("Chart.yaml", check_chart_metadata)
    check("values.schema.json", check_schema)
    check("values.yaml documented", check_values_documented)

    rendered: dict[str, dict[str, str]] = {}
    for label, values_file in (("default", "default-values.yaml"), ("production", "production-values.yaml")):
        check(f"lint --strict, {label} values (helm/ci/{values_file})", lambda f=values_file: check_lint(f))

        def do_render(f: str = values_file, key: str = label) -> str:
            rendered[key] = render(load_values(f))
            kinds = sorted({d["kind"] for _, d in documents(rendered[key])})
            return f"{sum(1 for _ in documents(rendered[key]))} objects: {', '.join(kinds)}"

        if not check(f"render, {label} values", do_render):
            continue
        m = rendered[label]
        check(f"kubernetes-validate, {label} values", lambda m=m: check_validate(m))
        check(f"app never gets the owner URL, {label} values", lambda m=m: check_app_database_urls(m))
        check(f"pod security, {label} values", lambda m=m: check_pod_security(m))
        check(f"probes and rollout, {label} values", lambda m=m: check_probes(m))
        check(f"standard labels, {label} values", lambda m=m: check_labels(m))
        check(f"migration hook, {label} values",
              lambda m=m, e=(label == "production"): check_migrate_hook(m, existing_secret=e))
    if "production" in rendered:
        check("production shape", lambda: check_production_shape(rendered["production"]))

    minimal = load_values("default-values.yaml")
    check("other value combinations", lambda: check_variants(minimal))
    check("upgrade: migration job mounts the claim", lambda: check_upgrade_mounts_claim(load_values("production-values.yaml")))
    check("helm/ci/missing-required-values.yaml is refused",
          lambda: expect_refused(load_values("missing-required-values.yaml"), "publicUrl"))
    check("no image.repository is refused", lambda: expect_refused(without(minimal, "image.repository"), "repository"))
    check("no secrets and no existingSecret is refused",
          lambda: expect_refused(without(minimal, "secrets"), "/secrets/databaseUrl"))
    check("templates alone refuse no config.publicUrl (schema skipped)",
          lambda: expect_refused(without(minimal, "config.publicUrl"), "config.publicUrl is required", templates_only=True))
    check("templates alone refuse a missing secret (schema skipped)",
          lambda: expect_refused(without(minimal, "secrets.jwtSecret"), "secrets.jwtSecret is required", templates_only=True))
    check("S3 endpoint without its keys is refused",
          lambda: expect_refused(merged(minimal, {"config": {"backup": {"s3": {
              "endpoint": "https://s3.example", "region": "r", "bucket": "b"}}}}), "/secrets/backupS3/accessKey"))
    check("exposed admin API without a host is refused",
          lambda: expect_refused(merged(minimal, {"ingress": {"enabled": True}}), "ingress.admin.host is required"))

    failed = results.count(False)
    total = time.monotonic() - started
    if failed:
        print(f"FAILED: {failed} of {len(results)} checks ({total:.1f}s)")
        return 1
    print(f"all {len(results)} checks passed ({total:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
