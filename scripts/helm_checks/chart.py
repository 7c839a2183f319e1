"""Rendering the chart and reading what it renders (shared by the checks)."""

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


ROOT = Path(__file__).resolve().parents[2]
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
