"""compose.yaml as docker-compose 1.29 on the host network takes it: without the top-level `name`
(the project name is given with -p) and without `ports` (docker-py refuses them with the host
network, where each service listens on the host directly, which is the same thing only if every
mapping keeps its number: checked here).

    python3 scripts/standins/compose_v1.py compose.yaml OUT PROJECT
"""
import sys

import yaml

src, dst, project = sys.argv[1:]
doc = yaml.safe_load(open(src))
if doc.pop("name", None) != project:
    sys.exit(f"{src}: the top-level name is not {project}")
for name, service in doc["services"].items():
    for mapping in service.pop("ports", []):
        host, _, container = str(mapping).rpartition(":")
        if host.rpartition(":")[2] != container:
            sys.exit(f"{src}: {name} maps {mapping}: its port differs on the host network")
with open(dst, "w") as out:
    yaml.safe_dump(doc, out, sort_keys=False)
