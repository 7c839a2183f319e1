#!/usr/bin/env python3
"""Offline checks of the Helm chart helm/ocpizza (no cluster, no helm binary).

Lints the chart strictly and renders it with helm-python-sdk (Helm as a library), validates every
rendered manifest against the Kubernetes 1.30 schemas with kubernetes-validate, asserts the
security and wiring facts the chart promises, and checks that values missing a required setting
are refused with a message naming it. Prints one line per check with its duration; exits 1 if
any check fails. The checks live in scripts/helm_checks/ (chart.py: rendering and reading
manifests; manifests.py: checks of rendered objects; values.py: refusals and value combinations).

Needs, in the Python that runs it: helm-python-sdk==0.2.2 (module helm_python) and
kubernetes-validate (its CLI next to this Python, or on PATH). scripts/test.sh installs both in
a virtual environment; by hand:

    python3 -m venv /tmp/helmvenv
    /tmp/helmvenv/bin/pip install helm-python-sdk==0.2.2 kubernetes-validate
    /tmp/helmvenv/bin/python scripts/check-helm.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helm_checks.chart import *  # noqa: E402,F403
from helm_checks.manifests import *  # noqa: E402,F403
from helm_checks.values import *  # noqa: E402,F403


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
        check("the README's secret command makes the keys the pods read",
              lambda: check_documented_secret(rendered["production"], "ocpizza-secrets"))

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
    check("a missing metrics token is refused (schema skipped)",
          lambda: expect_refused(without(minimal, "secrets.metricsToken"), "secrets.metricsToken is required", templates_only=True))
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
