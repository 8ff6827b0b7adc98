"""deploy/k8s/ validated offline: Kubernetes' own schemas (kubernetes-validate), the
CloudNativePG CRD's schema, the NATS chart's values, and the code the pods run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.deploy import k8s_checks as k8s

FOUND = k8s.manifests()
DOCUMENTS = [
    (f"{path}:{doc['kind']}/{doc['metadata']['name']}", doc)
    for path, docs in FOUND.items()
    for doc in docs
]


def test_the_committed_manifests_are_what_the_generator_writes() -> None:
    assert k8s.generator().main(["--check"]) == 0
    assert k8s.check_kustomization() == []


def test_every_kind_the_deployment_needs_is_there() -> None:
    kinds = {doc["kind"] for _, doc in DOCUMENTS}
    assert {
        "Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget",
        "HorizontalPodAutoscaler", "Cluster",
    } <= kinds  # fmt: skip


@pytest.mark.parametrize("version", k8s.KUBERNETES_VERSIONS)
@pytest.mark.parametrize(("where", "document"), DOCUMENTS, ids=[w for w, _ in DOCUMENTS])
def test_each_manifest_validates_against_its_schema(
    where: str, document: dict[str, Any], version: str
) -> None:
    assert k8s.check_schema(document, version) == [], where


def test_the_deployment_agrees_with_the_code() -> None:
    assert k8s.check_all(FOUND, k8s.nats_values()) == []


# --- the checks can fail -------------------------------------------------------------------


def _deployment(found: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in k8s.of_kind(found, "Deployment") if d["metadata"]["name"] == name)


def _container(found: dict[str, Any], name: str) -> dict[str, Any]:
    container: dict[str, Any] = _deployment(found, name)["spec"]["template"]["spec"]["containers"][
        0
    ]
    return container


def _probe_on_readyz(found: dict[str, Any]) -> None:
    _container(found, "survey")["livenessProbe"]["httpGet"]["path"] = "/readyz"


def _no_readiness(found: dict[str, Any]) -> None:
    del _container(found, "scoring")["readinessProbe"]


def _misspelt_variable(found: dict[str, Any]) -> None:
    _container(found, "registry")["env"].append({"name": "PINGYI_REGISTRY_PROT", "value": "1"})


def _wrong_port(found: dict[str, Any]) -> None:
    _container(found, "reporting")["ports"][0]["containerPort"] = 9999


def _unknown_secret(found: dict[str, Any]) -> None:
    _container(found, "inspection")["env"][-1]["valueFrom"]["secretKeyRef"]["key"] = "seal"


def _no_memory_limit(found: dict[str, Any]) -> None:
    del _container(found, "survey")["resources"]["limits"]["memory"]


def _may_escalate(found: dict[str, Any]) -> None:
    _container(found, "registry")["securityContext"]["allowPrivilegeEscalation"] = True


def _service_misses(found: dict[str, Any]) -> None:
    service = next(s for s in k8s.of_kind(found, "Service") if s["metadata"]["name"] == "survey")
    service["spec"]["selector"]["app.kubernetes.io/component"] = "surveys"


def _budget_blocks_drains(found: dict[str, Any]) -> None:
    budget = next(
        b for b in k8s.of_kind(found, "PodDisruptionBudget") if b["metadata"]["name"] == "scoring"
    )
    budget["spec"]["minAvailable"] = 2


def _too_few_connections(found: dict[str, Any]) -> None:
    cluster = k8s.of_kind(found, "Cluster")[0]
    cluster["spec"]["postgresql"]["parameters"]["max_connections"] = "200"


def _survey_env(found: dict[str, Any]) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = _container(found, "survey")["env"]
    return env


def _no_voter_key(found: dict[str, Any]) -> None:
    env = _survey_env(found)
    env[:] = [e for e in env if e["name"] != "PINGYI_SURVEY_VOTER_KEY"]


def _literal_voter_key(found: dict[str, Any]) -> None:
    entry = next(e for e in _survey_env(found) if e["name"] == "PINGYI_SURVEY_VOTER_KEY")
    del entry["valueFrom"]
    entry["value"] = "in-the-manifest"


def _more_pods(found: dict[str, Any]) -> None:
    scaler = next(
        s
        for s in k8s.of_kind(found, "HorizontalPodAutoscaler")
        if s["metadata"]["name"] == "survey"
    )
    scaler["spec"]["maxReplicas"] += 3


def _tracing_everywhere(found: dict[str, Any]) -> None:
    data = k8s.of_kind(found, "ConfigMap")[0]["data"]
    data["PINGYI_OTLP_ENDPOINT"] = "http://collector:4318/v1/traces"


def _single_stream_copy(found: dict[str, Any]) -> None:
    k8s.of_kind(found, "ConfigMap")[0]["data"]["PINGYI_NATS_STREAM_REPLICAS"] = "1"


BREAKAGES: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_probe_on_readyz, "livenessProbe"),
    (_no_readiness, "readinessProbe"),
    (_misspelt_variable, "PINGYI_REGISTRY_PROT"),
    (_wrong_port, "binds"),
    (_unknown_secret, "nobody provides"),
    (_no_memory_limit, "limits"),
    (_may_escalate, "restricted"),
    (_service_misses, "Service"),
    (_budget_blocks_drains, "drained"),
    (_too_few_connections, "max_connections"),
    (_more_pods, "max_connections"),
    (_tracing_everywhere, "max_connections"),
    (_no_voter_key, "PINGYI_SURVEY_VOTER_KEY is not set from a Secret"),
    (_no_voter_key, "survey-voter-key"),
    (_literal_voter_key, "PINGYI_SURVEY_VOTER_KEY is not read from a Secret"),
    (_single_stream_copy, "replicated"),
]


@pytest.mark.parametrize(
    ("breakage", "expected"), BREAKAGES, ids=[b.__name__ for b, _ in BREAKAGES]
)
def test_a_broken_copy_is_reported(
    breakage: Callable[[dict[str, Any]], None], expected: str
) -> None:
    found = k8s.changed(FOUND)
    breakage(found)
    problems = k8s.check_all(found, k8s.nats_values())
    assert any(expected in p for p in problems), problems


NATS_BREAKAGES = [
    ({"config": {"jetstream": {"merge": {}}}}, "fsync"),
    ({"config": {"cluster": {"replicas": 1}}}, "three-node"),
    ({"config": {"jetstrem": {"enabled": True}}}, "config.jetstrem"),
]


@pytest.mark.parametrize(("change", "expected"), NATS_BREAKAGES)
def test_broken_nats_values_are_reported(change: dict[str, Any], expected: str) -> None:
    values = k8s.nats_values()

    def merge(into: dict[str, Any], update: dict[str, Any]) -> None:
        for key, value in update.items():
            if isinstance(value, dict) and value and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(values, change)
    problems = k8s.check_nats_values(values, k8s.config_data(FOUND))
    assert any(expected in p for p in problems), problems


def test_a_misspelt_field_fails_the_kubernetes_schema() -> None:
    deployment = k8s.changed(FOUND)
    container = _container(deployment, "survey")
    container["readinessProbes"] = container.pop("readinessProbe")
    problems = k8s.check_schema(_deployment(deployment, "survey"), k8s.KUBERNETES_VERSIONS[-1])
    assert problems and "readinessProbes" in problems[0], problems


def test_a_misspelt_field_fails_the_cloudnativepg_schema() -> None:
    found = k8s.changed(FOUND)
    cluster = k8s.of_kind(found, "Cluster")[0]
    cluster["spec"]["instance"] = cluster["spec"].pop("instances")
    problems = k8s.check_schema(cluster, k8s.KUBERNETES_VERSIONS[-1])
    assert any("instance" in p for p in problems), problems
