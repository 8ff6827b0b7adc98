"""The PostgreSQL connection budget: deploy/k8s/generate.py's table is what the code opens,
compose's and the CloudNativePG cluster's max_connections admit every process at its most
with room for auditors' tools, and the docs quote the same figures.

(An ops run measured 20–21 connections a pod against a budget of 18, and five compose
services holding 100 of the default max_connections of 100, so that an auditor's `pingyi
replay --verify` got "too many clients".)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.integrity.rows import Reconnecting
from shared.trace_links import open_reader
from tests.deploy import connections as budget
from tests.deploy import k8s_checks as k8s
from tests.deploy.compose_checks import APP_PORTS, DEPLOY, load_compose

GENERATOR = k8s.generator()
COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("service", sorted(APP_PORTS))
def test_the_budget_is_what_the_code_opens(service: str) -> None:
    assert budget.from_code(service) == GENERATOR.CONNECTIONS


def test_the_budget_per_pod_is_its_table() -> None:
    totals = budget.per_process(GENERATOR.CONNECTIONS)
    assert sum(totals.values()) == GENERATOR.CONNECTIONS_PER_POD
    # What an ops run measured after a 3,000-questionnaire demo stays within it.
    measured = {"api": 10, "relay": 5, "views": 6}
    assert all(measured[p] <= totals[p] for p in measured), totals
    assert GENERATOR.CONNECTIONS_PER_POD >= 21


def test_tracing_adds_the_trace_links_session_per_process() -> None:
    traced = budget.production().model_copy(update={"otlp_endpoint": "http://c:4318/v1/traces"})
    reader = open_reader(traced, "survey")
    assert reader is not None
    assert isinstance(reader._table, Reconnecting)
    assert set(GENERATOR.TRACING_CONNECTIONS) == set(GENERATOR.CONNECTIONS)
    assert all(count == 1 for count in GENERATOR.TRACING_CONNECTIONS.values())


def test_compose_postgres_admits_every_service_and_an_auditor() -> None:
    compose = load_compose()
    assert budget.check_compose_connections(compose) == []
    assert budget.max_connections_of(compose["services"]["postgres"]) > 100


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('    command: ["postgres", "-c", "max_connections=200"]\n', ""),
        ('"max_connections=200"', '"max_connections=150"'),
    ],
    ids=["default", "too-few"],
)
def test_compose_without_room_is_reported(tmp_path: Path, old: str, new: str) -> None:
    assert old in COMPOSE_TEXT
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE_TEXT.replace(old, new, 1), encoding="utf-8")
    problems = budget.check_compose_connections(load_compose(path))
    assert any("max_connections" in p for p in problems), problems


def test_compose_with_tracing_needs_more(tmp_path: Path) -> None:
    compose: dict[str, Any] = load_compose()
    for name in APP_PORTS:
        compose["services"][name]["environment"]["PINGYI_OTLP_ENDPOINT"] = "http://c:4318/x"
    compose["services"]["postgres"]["command"] = ["postgres", "-c", "max_connections=185"]
    assert budget.check_compose_connections(compose) != []


def test_a_wrong_budget_is_caught() -> None:
    table = budget.from_code("survey")
    table["api"]["event store pool"] = 4  # counting the pool without its overflow
    assert table != GENERATOR.CONNECTIONS


def _cluster_max_connections() -> int:
    cluster = k8s.of_kind(k8s.manifests(), "Cluster")[0]
    return int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])


def _compose_max_connections() -> int:
    return budget.max_connections_of(load_compose()["services"]["postgres"])


def test_docs_scaling_quotes_the_budget() -> None:
    text = budget.SCALING.read_text(encoding="utf-8")
    assert budget.check_doc_figures(text, "scaling", _cluster_max_connections()) == []


def test_deploy_readme_quotes_the_budget() -> None:
    text = budget.README.read_text(encoding="utf-8")
    assert budget.check_doc_figures(text, "readme", _compose_max_connections()) == []


def test_stale_doc_figures_are_reported() -> None:
    text = budget.SCALING.read_text(encoding="utf-8")
    stale = text.replace(
        f"holds at most {GENERATOR.CONNECTIONS_PER_POD} PostgreSQL connections",
        "holds at most 18 PostgreSQL connections",
    )
    problems = budget.check_doc_figures(stale, "scaling", _cluster_max_connections())
    assert any("per pod" in p for p in problems), problems
