#!/usr/bin/env python3
"""Checks compose.yaml without a Docker engine: the services of docs/DESIGN.md, "Running it" are
there, each long-running one has a health check, the start order holds (PostgreSQL healthy →
migrations and demo data done → app, admin and worker), the published ports are the documented
ones, the app never gets the owner role's URL, and what the file points at (Dockerfile target,
init script, SQL) exists. Exits non-zero with one line per failure."""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def main():
    doc = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = doc.get("services", {})
    expected = {"postgres", "minio", "minio-buckets", "mailpit", "migrate", "app", "admin", "worker"}
    check(set(services) == expected, f"services are {sorted(expected)} (got {sorted(services)})")
    one_shots = {"minio-buckets", "migrate"}
    for name, svc in services.items():
        if name in one_shots:
            check(svc.get("restart") == "no", f"{name} is a one-shot (restart: no)")
        else:
            test = (svc.get("healthcheck") or {}).get("test")
            check(bool(test), f"{name} has a health check")

    def condition(svc, dep):
        return ((services[svc].get("depends_on") or {}).get(dep) or {}).get("condition")

    check(condition("migrate", "postgres") == "service_healthy", "migrate waits for a healthy PostgreSQL")
    pg_test = " ".join(services["postgres"].get("healthcheck", {}).get("test", []))
    check("-h 127.0.0.1" in pg_test,
          "PostgreSQL is healthy only once it listens on TCP (not the init script's socket-only server)")
    for svc in ("app", "admin", "worker"):
        check(condition(svc, "migrate") == "service_completed_successfully",
              f"{svc} starts once migrations and demo data are done")
    check(condition("minio-buckets", "minio") == "service_healthy", "buckets are made once MinIO is up")
    check(condition("worker", "minio-buckets") == "service_completed_successfully", "the worker waits for its bucket")
    check(condition("worker", "mailpit") == "service_healthy", "the worker waits for the SMTP catcher")
    check("migrate up" in " ".join(services["migrate"]["command"]) and "demo seed" in " ".join(services["migrate"]["command"]),
          "migrate runs the migrations then the demo data")

    def published(svc):
        return {str(p).split(":")[0] for p in services[svc].get("ports", [])}

    check("8080" in published("app"), "ordering API on :8080")
    check("8081" in published("admin"), "admin API on :8081")
    check("8025" in published("mailpit"), "caught emails on :8025")
    check(services["admin"]["command"] == ["ocpizza-admin", "serve"], "admin runs ocpizza-admin serve")

    app_env = services["app"].get("environment", {})
    check("OCPIZZA_DATABASE__ADMIN_URL" not in app_env, "the app never gets the owner role's URL")
    check("ocpizza_app:" in app_env.get("OCPIZZA_DATABASE__URL", ""), "the app connects as the runtime role")
    for svc in ("admin", "worker", "migrate"):
        env = services[svc].get("environment", {})
        check("ocpizza_owner:" in env.get("OCPIZZA_DATABASE__ADMIN_URL", ""), f"{svc} has the owner role's URL")
    check(services["worker"]["environment"].get("OCPIZZA_EMAIL__SMTP_URL", "").startswith("smtp://mailpit:"),
          "the worker sends mail to Mailpit")

    check(re.match(r"postgres:15(\D|$)", services["postgres"]["image"]) is not None, 'PostgreSQL 15 (docs/DESIGN.md, "Decisions")')
    mounts = services["postgres"].get("volumes", [])
    check(any(str(m).startswith("./docker/postgres-init:/docker-entrypoint-initdb.d") for m in mounts),
          "PostgreSQL runs the role init script")
    check((ROOT / "docker/postgres-init/10-ocpizza-roles.sh").is_file(), "the init script exists")
    check((ROOT / "scripts/sql/bootstrap-roles.sql").is_file(), "the roles SQL exists")

    declared = set((doc.get("volumes") or {}).keys())
    check({"pgdata", "ocpizza-data"} <= declared, "named volumes for the database and the data (backups)")
    for name, svc in services.items():
        for m in svc.get("volumes", []):
            src = str(m).split(":")[0]
            if not src.startswith("."):
                check(src in declared, f"{name}: volume {src} is declared")

    build = services["app"].get("build", {})
    dockerfile = ROOT / build.get("dockerfile", "")
    check(dockerfile.is_file(), f"{dockerfile.relative_to(ROOT)} exists")
    if dockerfile.is_file():
        targets = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile.read_text(), re.M | re.I)
        check(build.get("target") in targets, f"build target {build.get('target')} is a stage of the Dockerfile")

    if failures:
        print(f"{len(failures)} compose check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
