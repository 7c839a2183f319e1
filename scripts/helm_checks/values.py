"""Checks of values: refusals of missing required settings, other combinations, the chart's
metadata, schema and documentation."""

from __future__ import annotations

from helm_checks.chart import *  # noqa: F403 - the shared helpers and constants
from helm_checks.manifests import *  # noqa: F403

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
     and "OCPIZZA_IMAGES__S3__ACCESS_KEY" in env_names(pod_spec(one(m, "Deployment", "app"))["containers"][0])
     else "the app must get the images bucket and not the backup bucket"),
    ("metrics behind a token", {},
     lambda m: None if all("OCPIZZA_HTTP__METRICS_TOKEN" in env_names(pod_spec(one(m, "Deployment", c))["containers"][0])
                           for c in ("app", "admin"))
     and "OCPIZZA_HTTP__METRICS_TOKEN" not in env_names(pod_spec(one(m, "Deployment", "worker"))["containers"][0])
     else "the app and the admin API must get the metrics token, the worker not"),
    ("metrics open", {"metrics": {"requireToken": False}, "secrets": {"metricsToken": ""}},
     lambda m: None if "OCPIZZA_HTTP__METRICS_TOKEN" not in env_names(pod_spec(one(m, "Deployment", "app"))["containers"][0])
     else "requireToken false still sets a metrics token"),
    ("a JWT secret rollover", {"secrets": {"jwtPreviousSecret": "the-old-secret-being-retired-0123456789"}},
     lambda m: None if "OCPIZZA_AUTH__JWT_PREVIOUS_SECRET" in objects(m, "Secret")[0]["data"]
     and "OCPIZZA_AUTH__JWT_PREVIOUS_SECRET" in env_names(pod_spec(one(m, "Deployment", "app"))["containers"][0])
     else "the previous secret must reach the Secret and the app"),
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
