"""Write Pingyi's Kubernetes manifests (deploy/k8s/base/) from one description.

The manifests are plain YAML applied with kustomize (`kubectl apply -k deploy/k8s/base`);
helm is not needed to use them and no template engine stands between this file and what
the cluster gets. The five services differ only in name, port, scaling bounds and their
own secrets, so they are written from the table below rather than by hand. Run after changing
it (tests/deploy/test_k8s.py fails while the files differ from what this writes):

    python deploy/k8s/generate.py            # rewrite deploy/k8s/base/
    python deploy/k8s/generate.py --check    # exit 1 if they differ
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"
NAMESPACE = "pingyi"
IMAGE = "pingyi:0.1.0"
CONFIG = "pingyi-config"
SECRETS = "pingyi-secrets"
DATABASE_SECRET = "pingyi-pg-app"
"""CloudNativePG's application secret for the Cluster `pingyi-pg` (key `uri`); with an
external PostgreSQL, create a secret of that name with the DSN under `uri` yourself."""

# name: (port, min replicas, max replicas, CPU target %)
SERVICES: dict[str, tuple[int, int, int, int]] = {
    "registry": (8701, 2, 3, 70),
    "survey": (8702, 2, 5, 70),
    "inspection": (8703, 2, 3, 70),
    "scoring": (8704, 2, 3, 80),
    "reporting": (8705, 2, 5, 70),
}
# The PostgreSQL connections each process of a pod holds at most, by what holds them.
# tests/deploy/test_connections.py derives every figure from the code (pool sizes in
# shared/settings.py, shared/runtime/, pingyi/cli.py, the child processes), so this table
# cannot drift from it; deploy/README.md and docs/scaling.md quote its totals.
CONNECTIONS: dict[str, dict[str, int]] = {
    "api": {
        "event store pool": 8,  # POSTGRES_POOL_SIZE 4 + POSTGRES_MAX_OVERFLOW 4
        "view store pool": 4,  # build_view_store's default pool_size
        "lease session": 1,
        "sealer's log reader": 1,
        "sealer's checkpoints": 1,
        "write watchdog's terminator": 1,  # only while ending a hung write
    },
    "relay": {
        "event log pool": 2,  # open_outbox(connections=1): 1 + 1 overflow
        "status view store": 1,
        "lease session": 1,
        "LISTEN": 1,
    },
    "views": {
        "view store pool": 2,  # VIEW_CONNECTIONS
        "event log pool": 2,  # open_outbox(connections=1): 1 + 1 overflow
        "lease session": 1,
        "LISTEN": 1,
    },
}
TRACING_CONNECTIONS = {"api": 1, "relay": 1, "views": 1}
"""One more per process while traces are exported (PINGYI_OTLP_ENDPOINT): the trace links
table (`shared.trace_links`)."""
CONNECTIONS_PER_POD = sum(sum(held.values()) for held in CONNECTIONS.values())
"""What one pod (the API process, its relay child and its views child) holds at most."""
AUDIT_HEADROOM = 50
"""Connections max_connections keeps free beyond every pod at its HPA's maximum: an
auditor's `pingyi replay --verify` (scoring's store, 4 + 4, and one per worker process, one
per CPU), psql sessions, the operator's and backups' sessions and PostgreSQL's
superuser_reserved_connections (3). postgres/cnpg-cluster.yaml sets max_connections to
cover it; tests/deploy/test_k8s.py checks that it does."""


def connections_per_pod(*, tracing: bool = False) -> int:
    return CONNECTIONS_PER_POD + (sum(TRACING_CONNECTIONS.values()) if tracing else 0)


def max_pods() -> int:
    return sum(high for _port, _low, high, _cpu in SERVICES.values())


COMMON_ENV = {
    "PINGYI_MODE": "production",
    # The chart's client Service; a client reconnects through it to any live node.
    "PINGYI_NATS_URL": "nats://nats:4222",
    "PINGYI_NATS_STREAM_REPLICAS": "3",
    "PINGYI_NAMESPACE": "pingyi",
    "PINGYI_LOG_LEVEL": "INFO",
    # Public callers arrive through the ingress controller, whose pods sit in the cluster's
    # pod network: believe its X-Forwarded-For so each caller has a rate limit of its own.
    # Narrow this to your cluster's pod CIDR.
    "PINGYI_TRUSTED_PROXIES": "10.0.0.0/8",
}
# variable: (secret, key)
SECRET_ENV = {
    "PINGYI_DATABASE_URL": (DATABASE_SECRET, "uri"),
    "PINGYI_BOOTSTRAP_ADMIN_KEY": (SECRETS, "bootstrap-admin-key"),
    "PINGYI_SEAL_KEY": (SECRETS, "seal-key"),
}
SERVICE_SECRET_ENV = {
    "registry": {"PINGYI_REGISTRY_CONTACT_KEY": (SECRETS, "registry-contact-key")},
    "survey": {"PINGYI_SURVEY_VOTER_KEY": (SECRETS, "survey-voter-key")},
}


def labels(service: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "pingyi",
        "app.kubernetes.io/component": service,
        "app.kubernetes.io/part-of": "pingyi",
    }


def selector(service: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": "pingyi", "app.kubernetes.io/component": service}


def metadata(name: str, service: str) -> dict[str, Any]:
    return {"name": name, "labels": labels(service)}


def container(service: str, port: int) -> dict[str, Any]:
    env: list[dict[str, Any]] = [
        {"name": f"PINGYI_{service.upper()}_HOST", "value": "0.0.0.0"},
        {"name": f"PINGYI_{service.upper()}_PORT", "value": str(port)},
    ]
    for variable, (secret, key) in {**SECRET_ENV, **SERVICE_SECRET_ENV.get(service, {})}.items():
        env.append({"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
    probe = {"port": "http", "scheme": "HTTP"}
    return {
        "name": service,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        # Arguments only: the image's entrypoint (tini) stays PID 1 (deploy/README.md).
        "args": ["pingyi", "serve", service],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "envFrom": [{"configMapRef": {"name": CONFIG}}],
        "env": env,
        # Started: the service answers only once its stores are open and its copy of API
        # keys caught up (up to PINGYI_AUTH_MAX_STALENESS_SECONDS, 30 s).
        "startupProbe": {
            "httpGet": {"path": "/healthz", **probe},
            "periodSeconds": 2,
            "timeoutSeconds": 3,
            "failureThreshold": 45,
        },
        # Alive: the process answers. Never /readyz here: a database outage must not make
        # the kubelet restart every pod.
        "livenessProbe": {
            "httpGet": {"path": "/healthz", **probe},
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
        # Ready: database and NATS reachable, keys current, no write stalled. A stalled
        # consumer does not take the API out of rotation (/syncz is for alerting).
        "readinessProbe": {
            "httpGet": {"path": "/readyz", **probe},
            "periodSeconds": 5,
            "timeoutSeconds": 4,
            "failureThreshold": 2,
        },
        "resources": {
            "requests": {"cpu": "250m", "memory": "384Mi"},
            "limits": {"cpu": "2", "memory": "1Gi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "data", "mountPath": "/var/lib/pingyi"},
        ],
    }


def deployment(service: str, port: int, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(service, service),
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(service)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": labels(service),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    # uvicorn's 25 s for requests in flight, then the relay child's 10 s.
                    "terminationGracePeriodSeconds": 40,
                    "enableServiceLinks": False,
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "fsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector(service)},
                        }
                    ],
                    "containers": [container(service, port)],
                    "volumes": [
                        {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
                        {"name": "data", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
                },
            },
        },
    }


def service_object(service: str, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(service, service),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(service),
            "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def disruption_budget(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(service, service),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": selector(service)}},
    }


def autoscaler(service: str, low: int, high: int, cpu: int) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(service, service),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": service},
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": cpu},
                    },
                }
            ],
            # Scale in slowly: a replica that goes takes its leases with it, and another
            # wins them only after its next attempt.
            "behavior": {
                "scaleDown": {
                    "stabilizationWindowSeconds": 300,
                    "policies": [{"type": "Pods", "value": 1, "periodSeconds": 120}],
                }
            },
        },
    }


def config_map() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": CONFIG, "labels": {"app.kubernetes.io/part-of": "pingyi"}},
        "data": dict(COMMON_ENV),
    }


def namespace() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": NAMESPACE,
            # Pingyi's pods meet the `restricted` standard; the NATS chart's and the
            # operator's pods share the namespace and are only held to `baseline`.
            "labels": {
                "app.kubernetes.io/part-of": "pingyi",
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            },
        },
    }


def kustomization(files: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": NAMESPACE,
        "resources": files,
        "images": [{"name": IMAGE.split(":")[0], "newTag": IMAGE.split(":")[1]}],
    }


HEADER = "# Generated by deploy/k8s/generate.py; edit that file and run it, not this one.\n"


def dump(documents: list[dict[str, Any]]) -> str:
    body = "---\n".join(
        yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=100) for d in documents
    )
    return HEADER + body


def rendered() -> dict[str, str]:
    """File name (under base/) -> contents."""
    files = {"namespace.yaml": dump([namespace()]), "config.yaml": dump([config_map()])}
    for service, (port, low, high, cpu) in SERVICES.items():
        files[f"{service}.yaml"] = dump(
            [
                deployment(service, port, low),
                service_object(service, port),
                disruption_budget(service),
                autoscaler(service, low, high, cpu),
            ]
        )
    files["kustomization.yaml"] = dump([kustomization(sorted(files))])
    return files


def main(argv: list[str]) -> int:
    wanted = rendered()
    if "--check" in argv:
        stale = [
            name
            for name, text in wanted.items()
            if not (BASE / name).is_file() or (BASE / name).read_text(encoding="utf-8") != text
        ]
        extra = sorted(p.name for p in BASE.glob("*.yaml") if p.name not in wanted)
        for name in stale:
            print(f"deploy/k8s/base/{name} differs from what generate.py writes")
        for name in extra:
            print(f"deploy/k8s/base/{name} is not written by generate.py")
        return 1 if stale or extra else 0
    BASE.mkdir(exist_ok=True)
    for name, text in wanted.items():
        (BASE / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
