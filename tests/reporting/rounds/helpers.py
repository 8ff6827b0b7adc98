"""A campaign round scored by the real scoring service and read back from reporting: a county
campaign with three enrolled units, questionnaires and a finding, a scheme with grades,
lists and a minimum sample, and runs requested over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from shared.contracts import IntegrationMessage
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import (
    Round,
    campaign_round,
    caught_up,
    published,
    push,
    record_finding,
)
from tests.scoring.schemes import questionnaire_component
from tests.survey.helpers import Caller

SERVICES = ["registry", "survey", "inspection", "scoring", "reporting"]

SCHEME: dict[str, Any] = {
    "scheme_id": "reporting-test-round",
    "version": 1,
    "title": "报告测试用综合考核",
    "program": "democratic_appraisal",
    "arithmetic": {"places": 2, "rounding": "ROUND_HALF_UP", "share_places": 2},
    "statistics": {"z": "1.96", "confidence": "95%"},
    "components": [questionnaire_component(min_sample=3)],
    "deductions": [
        {
            "code": "findings",
            "source": "findings",
            "name": "明察暗访发现问题扣分",
            "per_severity": {"一般": "0.5", "较重": 1, "严重": 2},
            "cap": 5,
            "formula": "一般问题每个扣0.5分、较重问题扣1分、严重问题扣2分，最多扣5分",
        }
    ],
    "grading": {
        "grades": ["好", "中", "差"],
        "rules": [
            {"grade": "好", "name": "不低于85分", "when": {"min_score": 85}},
            {"grade": "中", "name": "不低于70分", "when": {"min_score": 70}},
        ],
        "otherwise": "差",
        "otherwise_name": "低于70分",
    },
    "lists": [
        {"code": "advanced", "name": "先进单位", "when": {"grades": ["好"]}},
        {"code": "criticised", "name": "通报批评", "when": {"grades": ["差"]}},
        {"code": "summoned", "name": "约谈", "when": {"grades": ["差"]}},
    ],
}

# One questionnaire per line; the i-th answer rates the i-th unit (公安局, 教育局, 供电公司).
ANSWERS = [
    ("满意", "满意", "不满意"),
    ("满意", "基本满意", "不了解"),
    ("满意", "不满意", "不了解"),
    ("基本满意", "不了解", "不满意"),
]


@dataclass
class Scored:
    cluster: Cluster
    rnd: Round
    unit_key: Caller
    """A key of the role `unit` in the county: an evaluated unit."""

    @property
    def office(self) -> dict[str, str]:
        return self.rnd.world.county_office.headers

    @property
    def reporting(self) -> TestClient:
        return self.cluster["reporting"]

    def path(self, rest: str = "") -> str:
        return f"/campaigns/{self.rnd.campaign_id}{rest}"

    def public(self, rest: str = "") -> str:
        return f"/public/campaigns/{self.rnd.campaign_id}{rest}"


def scored_round(cluster: Cluster) -> Scored:
    """The round with answers pushed, a 严重 finding against the first unit, and the scheme
    assigned; nothing scored yet."""
    rnd = campaign_round(cluster)
    push(cluster["survey"], rnd, list(ANSWERS), "Q")
    record_finding(cluster["inspection"], rnd.world.unit_ids[0], "严重", "2")
    caught_up(cluster)
    scoring = cluster["scoring"]
    registered = scoring.post(
        "/schemes", json={"document": SCHEME, "reason": "本县方案"}, headers=ADMIN
    )
    assert registered.status_code in (200, 201), registered.text
    assigned = scoring.put(
        f"/campaigns/{rnd.campaign_id}/scheme",
        json={"scheme_id": SCHEME["scheme_id"], "version": 1, "reason": "本年度方案"},
        headers=rnd.world.county_office.headers,
    )
    assert assigned.status_code == 200, assigned.text
    unit_key = unit_caller(cluster["registry"], "舞阳县公安局", rnd.world.unit_ids[0])
    cluster.wait_caught_up("reporting", "registry")
    return Scored(cluster, rnd, unit_key)


def unit_caller(registry: TestClient, name: str, unit_id: str) -> Caller:
    """A unit's key, naming its unit (the key then speaks for that unit only)."""
    body = {"name": name, "role": "unit", "unit_id": unit_id}
    response = registry.post("/principals", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    issued = response.json()
    return Caller(issued["principal_id"], {"X-API-Key": issued["api_key"]})


def run(scored: Scored, *, final: bool, reason: str) -> dict[str, Any]:
    """A round run requested from scoring, once reporting has applied it."""
    response = scored.cluster["scoring"].post(
        f"/campaigns/{scored.rnd.campaign_id}/rounds/1/score-runs",
        json={"final": final, "reason": reason},
        headers=scored.office,
    )
    assert response.status_code in (200, 201), response.text
    scored.cluster.wait_caught_up("reporting", "scoring")
    body: dict[str, Any] = response.json()
    return body


def publish(scored: Scored, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = scored.reporting.post(
        scored.path("/rounds/1/publications"), json=body, headers=scored.office
    )
    assert response.status_code == status, response.text
    scored.cluster.wait_caught_up("reporting", "reporting")
    result: dict[str, Any] = response.json()
    return result


def published_round(cluster: Cluster) -> tuple[Scored, dict[str, Any]]:
    """A scored round whose final run (上半年结果) is published as version 1, and that run."""
    scored = scored_round(cluster)
    first = run(scored, final=True, reason="上半年结果")
    publish(scored, {"run_id": first["run_id"], "reason": "经县纠风办审定"})
    return scored, first


def round_scored(cluster: Cluster, run_id: str) -> IntegrationMessage:
    """Scoring's `scoring.round.scored` message of the run."""
    return next(
        m
        for m in published(cluster, "scoring")
        if m.event_type == "scoring.round.scored" and m.payload["run_id"] == run_id
    )


def more_answers(scored: Scored) -> None:
    """Two more questionnaires: the third unit reaches the minimum sample."""
    push(
        scored.cluster["survey"],
        scored.rnd,
        [("满意", "满意", "不满意"), ("满意", "满意", "满意")],
        "R",
    )
    caught_up(scored.cluster)


GOV = "政府部门及其它机构"
CORRECTION = "补录漏报问卷，更正排名"


def corrected_round(cluster: Cluster) -> tuple[Scored, dict[str, Any], dict[str, Any]]:
    """Version 1 published; then two more questionnaires (`more_answers`) and a second final
    run, not yet published: (scored, the first run, the second run)."""
    scored = scored_round(cluster)
    first = run(scored, final=True, reason="上半年结果")
    publish(scored, {"run_id": first["run_id"]})
    more_answers(scored)
    second = run(scored, final=True, reason="补录两份问卷后重算")
    return scored, first, second


@contextmanager
def provisional_then_final() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    """A scored round with a provisional run, then a final one; nothing published."""
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        provisional = run(scored, final=False, reason="中期通报前核对")
        final = run(scored, final=True, reason="上半年结果")
        yield scored, provisional, final
