"""Checks of rendered manifests: schemas, database URLs, pod security, probes, labels, the
migration hook, the production shape, the documented secret."""

from __future__ import annotations

import re

from helm_checks.chart import *  # noqa: F403 - the shared helpers and constants

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


def check_documented_secret(manifests: dict[str, str], secret_name: str) -> str:
    """The `kubectl create secret` of the chart's README (which docs/OPERATIONS.md points to) makes
    exactly the keys that the pods read from an existingSecret: a key it forgets stops a pod
    (CreateContainerConfigError), one it adds is a secret nobody uses."""
    readme = (CHART / "README.md").read_text()
    command = re.search(r"kubectl -n \S+ create secret generic (\S+)((?:.*\\\n)*.*)", readme)
    if not command:
        raise CheckFailed("no `kubectl create secret generic` command in helm/ocpizza/README.md")
    if command.group(1) != secret_name:
        raise CheckFailed(f"the README creates {command.group(1)}, the values name {secret_name}")
    documented = set(re.findall(r"--from-literal=([A-Z0-9_]+)=", command.group(2)))
    read: set[str] = set()
    for _, doc in documents(manifests):
        for container in pod_spec(doc).get("containers", []) + pod_spec(doc).get("initContainers", []) \
                if doc.get("kind") in ("Deployment", "Job") else []:
            for env in container.get("env", []):
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                # An optional key (the previous JWT secret, during a rollover only) is not in
                # the command a first install runs.
                if ref and ref.get("name") == secret_name and not ref.get("optional"):
                    read.add(ref["key"])
    if documented != read:
        raise CheckFailed(f"documented but not read: {sorted(documented - read) or 'none'}; "
                          f"read but not documented: {sorted(read - documented) or 'none'}")
    return f"{len(read)} keys, the same in the README's command and the pods"
