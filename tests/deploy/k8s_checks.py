"""Checks of the Kubernetes deployment (deploy/k8s/) against Kubernetes' own schemas and
against the code, without a cluster.

- Every manifest validates, strictly (no unknown field), against the OpenAPI schemas of
  real Kubernetes versions that `kubernetes-validate` bundles (offline).
- The CloudNativePG Cluster validates against that operator's CRD schema, kept in
  tests/deploy/schemas/ (refresh it from cloudnative-pg/cloudnative-pg,
  config/crd/bases/postgresql.cnpg.io_clusters.yaml, its v1 openAPIV3Schema), made strict
  the way `kubectl apply --validate=strict` treats unknown fields.
- The NATS values set only keys the official chart reads (its default values.yaml, kept
  beside that schema), and ask for what docs/scaling.md promises.
- The Deployments agree with the settings classes, the image and each other.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from shared.settings import CommonSettings
from tests.deploy.compose_checks import (
    APP_PORTS,
    DEPLOY,
    MissingVariable,
    Problems,
    SettingsLoader,
    env_names,
    required_secrets,
    service_settings_class,
    settings_for,
)

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")
"""The oldest Kubernetes still commonly run and a recent one; both must accept every file."""
IMAGE_USER = 10001
"""The uid deploy/Dockerfile runs as."""
PROBE_PATHS = {"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"}


def generator() -> Any:
    spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def manifests() -> dict[str, list[dict[str, Any]]]:
    """Every Kubernetes object the deployment ships: relative path -> its documents."""
    paths = [
        *sorted(p for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml"),
        K8S / "secret.example.yaml",
        K8S / "postgres" / "cnpg-cluster.yaml",
    ]
    return {str(p.relative_to(K8S)): documents(p) for p in paths}


def of_kind(found: dict[str, list[dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    return [d for docs in found.values() for d in docs if d.get("kind") == kind]


# --- schemas -----------------------------------------------------------------------------------


def check_schema(document: dict[str, Any], version: str) -> Problems:
    where = f"{document.get('kind')}/{(document.get('metadata') or {}).get('name')}"
    if document.get("apiVersion", "").startswith("postgresql.cnpg.io/"):
        return check_cnpg_schema(document)
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = "/".join(str(p) for p in error.absolute_path)
        return [f"{where} on Kubernetes {version}: {path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{where}: no schema in Kubernetes {version}: {error}"]
    return []


def strict(schema: Any) -> Any:
    """A CRD schema that refuses unknown fields, as the API server's strict field validation
    does (a plain JSON Schema of a CRD lets anything through where it lists properties)."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def cnpg_schema() -> dict[str, Any]:
    schema = json.loads((SCHEMAS / "cnpg-cluster-v1.json").read_text(encoding="utf-8"))
    schema.pop("$comment", None)
    # apiVersion, kind and metadata are the API server's, not the CRD's, to check.
    loaded: dict[str, Any] = strict(schema)
    return loaded


def check_cnpg_schema(document: dict[str, Any]) -> Problems:
    import jsonschema

    body = {k: v for k, v in document.items() if k not in ("apiVersion", "kind")}
    validator = jsonschema.Draft7Validator(cnpg_schema())
    return [
        f"Cluster/{document['metadata']['name']}: "
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(body)
    ]


# --- Deployments against the code ------------------------------------------------------------


def sample_secrets() -> dict[tuple[str, str], str]:
    secret = documents(K8S / "secret.example.yaml")[0]
    values = {(secret["metadata"]["name"], key): f"sample-{key}" for key in secret["stringData"]}
    values[(secret["metadata"]["name"], "seal-key")] = "11" * 32
    values[("pingyi-pg-app", "uri")] = "postgresql://pingyi:pw@pingyi-pg-rw:5432/pingyi"
    return values


def pod_environment(
    deployment: dict[str, Any], config: dict[str, str], secrets: dict[tuple[str, str], str]
) -> dict[str, str]:
    """The environment the container starts with: its ConfigMap, then its own entries."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            env.update(config)
    for entry in container.get("env") or []:
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        key = (ref["name"], ref["key"])
        if key not in secrets:
            raise MissingVariable(f"{entry['name']} reads secret {key}, which nobody provides")
        env[entry["name"]] = secrets[key]
    return env


def check_deployment(
    deployment: dict[str, Any], config: dict[str, str], secrets: dict[tuple[str, str], str]
) -> Problems:
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    problems: Problems = []
    if name not in APP_PORTS:
        return [f"Deployment {name} is no Pingyi service"]
    if container.get("args") != ["pingyi", "serve", name] or "command" in container:
        problems.append(f"{name}: runs {container.get('command')} {container.get('args')}")
    try:
        env = pod_environment(deployment, config, secrets)
        common, settings = settings_for(name, env)
    except MissingVariable as error:
        return [*problems, f"{name}: {error}"]
    except Exception as error:  # a value the settings refuse fails, never skips
        return [*problems, f"{name}: settings cannot be made: {type(error).__name__}: {error}"]
    readable = env_names(CommonSettings) | env_names(service_settings_class(name))
    problems += [
        f"{name}: {key} is not read by the settings"
        for key in sorted(env)
        if key.startswith("PINGYI_") and key not in readable
    ]
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
    if common.mode != "production":
        problems.append(f"{name}: mode {common.mode}")
    if settings.host != "0.0.0.0" or settings.port != ports.get("http"):
        problems.append(f"{name}: binds {settings.host}:{settings.port}, port http is {ports}")
    if common.bootstrap_admin_key is None or common.seal_key is None:
        problems.append(f"{name}: the bootstrap key or the seal key does not reach it")
    problems += check_pod_secrets(name, container)
    for probe, path in PROBE_PATHS.items():
        get = (container.get(probe) or {}).get("httpGet") or {}
        if get.get("path") != path or get.get("port") not in ("http", ports.get("http")):
            problems.append(f"{name}: {probe} is {get or 'missing'}, expected {path} on http")
    resources = container.get("resources") or {}
    for part, needed in (("requests", ("cpu", "memory")), ("limits", ("memory",))):
        missing = [r for r in needed if r not in (resources.get(part) or {})]
        if missing:
            problems.append(f"{name}: no {part} for {missing}")
    security = pod.get("securityContext") or {}
    if not security.get("runAsNonRoot") or security.get("runAsUser") != IMAGE_USER:
        problems.append(f"{name}: does not run as the image's user {IMAGE_USER}")
    # The `restricted` Pod Security Standard, which the namespace warns about.
    own = container.get("securityContext") or {}
    if (
        own.get("allowPrivilegeEscalation") is not False
        or (own.get("capabilities") or {}).get("drop") != ["ALL"]
        or (security.get("seccompProfile") or {}).get("type") != "RuntimeDefault"
    ):
        problems.append(f"{name}: does not meet the restricted Pod Security Standard")
    if int(pod.get("terminationGracePeriodSeconds", 30)) < 35:
        problems.append(f"{name}: grace period shorter than uvicorn's 25 s plus the relay's 10 s")
    return problems


def check_pod_secrets(
    name: str, container: dict[str, Any], loader: SettingsLoader = service_settings_class
) -> Problems:
    """Every secret the service reads (a SecretStr field, but OPTIONAL_SECRETS) comes from a
    Secret: never a literal in the manifest, never unset."""
    entries = {e["name"]: e for e in container.get("env") or []}
    problems: Problems = []
    for variable in sorted(required_secrets(name, loader)):
        entry = entries.get(variable)
        if entry is None:
            problems.append(f"{name}: the secret {variable} is not set from a Secret")
        elif "secretKeyRef" not in (entry.get("valueFrom") or {}):
            problems.append(f"{name}: the secret {variable} is not read from a Secret")
    return problems


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = selector.get("matchLabels", selector)
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def check_companions(found: dict[str, list[dict[str, Any]]]) -> Problems:
    """Each Deployment has a Service, a PodDisruptionBudget and an HPA that reach it."""
    problems: Problems = []
    services = of_kind(found, "Service")
    budgets = of_kind(found, "PodDisruptionBudget")
    scalers = of_kind(found, "HorizontalPodAutoscaler")
    deployments = {d["metadata"]["name"]: d for d in of_kind(found, "Deployment")}
    if set(deployments) != set(APP_PORTS):
        problems.append(f"Deployments {sorted(deployments)}, services are {sorted(APP_PORTS)}")
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not matches(deployment["spec"]["selector"], labels):
            problems.append(f"{name}: its selector does not select its own pods")
        port_names = {
            p.get("name") for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
        }
        fronting = [s for s in services if matches(s["spec"]["selector"], labels)]
        if len(fronting) != 1 or any(
            p["targetPort"] not in port_names for p in fronting[0]["spec"]["ports"]
        ):
            problems.append(f"{name}: not exactly one Service reaching its http port")
        budget = [b for b in budgets if matches(b["spec"]["selector"], labels)]
        scaler = [s for s in scalers if s["spec"]["scaleTargetRef"]["name"] == name]
        if len(budget) != 1:
            problems.append(f"{name}: {len(budget)} PodDisruptionBudgets")
        if len(scaler) != 1:
            problems.append(f"{name}: {len(scaler)} HorizontalPodAutoscalers")
        if budget and scaler:
            low = scaler[0]["spec"].get("minReplicas", 1)
            if budget[0]["spec"].get("minAvailable", 0) >= low:
                problems.append(f"{name}: the disruption budget lets no pod be drained")
    return problems


def check_secrets_used(
    found: dict[str, list[dict[str, Any]]], secrets: dict[tuple[str, str], str]
) -> Problems:
    """The example Secret holds exactly the keys the Deployments read."""
    read = {
        (e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
        for d in of_kind(found, "Deployment")
        for e in d["spec"]["template"]["spec"]["containers"][0].get("env") or []
        if "valueFrom" in e
    }
    unused = sorted(k for k in secrets if k not in read)
    return [f"secret key {key} is provided but no Deployment reads it" for key in unused]


def check_kustomization() -> Problems:
    listed = documents(BASE / "kustomization.yaml")[0]["resources"]
    present = sorted(p.name for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml")
    return [] if sorted(listed) == present else [f"kustomization lists {listed}, has {present}"]


# --- PostgreSQL and NATS -----------------------------------------------------------------------


def check_postgres(
    found: dict[str, list[dict[str, Any]]], config: dict[str, str] | None = None
) -> Problems:
    clusters = of_kind(found, "Cluster")
    if len(clusters) != 1:
        return [f"{len(clusters)} CloudNativePG Clusters"]
    cluster = clusters[0]
    spec = cluster["spec"]
    gen = generator()
    config = config_data(found) if config is None else config
    problems: Problems = []
    if f"{cluster['metadata']['name']}-app" != gen.DATABASE_SECRET:
        problems.append(f"the operator's secret is not {gen.DATABASE_SECRET}, which pods read")
    if spec.get("instances", 1) < 3:
        problems.append("fewer than three PostgreSQL instances")
    # The autoscalers' maxima as shipped (the generator writes them: gen.max_pods()).
    pods = sum(int(h["spec"]["maxReplicas"]) for h in of_kind(found, "HorizontalPodAutoscaler"))
    per_pod = gen.connections_per_pod(tracing=bool(config.get("PINGYI_OTLP_ENDPOINT")))
    needed = pods * per_pod + gen.AUDIT_HEADROOM
    limit = int(spec.get("postgresql", {}).get("parameters", {}).get("max_connections", 100))
    if limit < needed:
        problems.append(
            f"max_connections {limit} < {needed}: {pods} pods at most of {per_pod} "
            f"connections each, and {gen.AUDIT_HEADROOM} for auditors' tools and operators"
        )
    if spec["bootstrap"]["initdb"].get("encoding", "UTF8") != "UTF8":
        problems.append("the database is not UTF-8")
    return problems


def unknown_keys(values: Any, defaults: Any, prefix: tuple[str, ...] = ()) -> list[str]:
    """Key paths set in `values` that the chart's defaults do not have. Free-form parts —
    `merge`/`patch` and maps the chart leaves empty (resources, topologySpreadConstraints)
    — are passed through to Kubernetes or the server config, so they are not descended."""
    if not isinstance(values, dict):
        return []
    found = []
    for key, value in values.items():
        path = (*prefix, str(key))
        if not isinstance(defaults, dict) or key not in defaults:
            found.append(".".join(path))
        elif key not in ("merge", "patch") and defaults[key] != {}:
            found += unknown_keys(value, defaults[key], path)
    return found


def check_nats_values(values: dict[str, Any], config: dict[str, str]) -> Problems:
    defaults = yaml.safe_load((SCHEMAS / "nats-chart-values.yaml").read_text(encoding="utf-8"))
    problems: Problems = [
        f"nats values: {path} is not a key the chart reads"
        for path in unknown_keys(values, defaults)
    ]
    cluster = values.get("config", {}).get("cluster", {})
    jetstream = values.get("config", {}).get("jetstream", {})
    if not cluster.get("enabled") or cluster.get("replicas") != 3:
        problems.append("nats values: not a three-node cluster")
    if not jetstream.get("enabled") or not jetstream.get("fileStore", {}).get("enabled", True):
        problems.append("nats values: JetStream is not on file storage")
    if (jetstream.get("merge") or {}).get("sync_interval") != "always":
        problems.append("nats values: JetStream does not fsync every write (sync_interval)")
    if config.get("PINGYI_NATS_STREAM_REPLICAS") != str(cluster.get("replicas")):
        problems.append("streams are not replicated on every NATS node")
    return problems


def config_data(found: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    maps = of_kind(found, "ConfigMap")
    assert len(maps) == 1, "one ConfigMap of common settings"
    return {k: str(v) for k, v in maps[0]["data"].items()}


def check_all(found: dict[str, list[dict[str, Any]]], nats_values: dict[str, Any]) -> Problems:
    config = config_data(found)
    secrets = sample_secrets()
    problems: Problems = []
    for deployment in of_kind(found, "Deployment"):
        problems += check_deployment(deployment, config, secrets)
    problems += check_companions(found)
    problems += check_secrets_used(found, secrets)
    problems += check_postgres(found, config)
    problems += check_nats_values(nats_values, config)
    return problems


def nats_values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((K8S / "nats" / "values.yaml").read_text("utf-8"))
    return loaded


def changed(found: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(found)
