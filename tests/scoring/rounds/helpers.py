"""A campaign round built through the public APIs for round-scoring tests: a county's
campaign with half-year rounds, three enrolled units, a questionnaire wave in round 1, a
finding and an assessment-team score, every step over the real feeds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.domain import SchemeCatalogue, SchemeRecord
from shared.contracts import IntegrationMessage
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.scoring.schemes import questionnaire_component
from tests.survey.helpers import CST, World, created, seed_world

GOV = "政府部门及其它机构"
PUBLIC_SERVICE = "公共服务行业"
UPSTREAMS = ("registry", "survey", "inspection")

SCHEME: dict[str, Any] = {
    "scheme_id": "test-county-round",
    "version": 1,
    "title": "测试用综合考核",
    "program": "democratic_appraisal",
    "arithmetic": {"places": 2, "rounding": "ROUND_HALF_UP"},
    "statistics": {"z": "1.96", "confidence": "95%"},
    "components": [questionnaire_component(min_sample=2)],
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
            {"grade": "中", "name": "不低于60分", "when": {"min_score": 60}},
        ],
        "otherwise": "差",
        "otherwise_name": "低于60分",
    },
    "lists": [{"code": "criticised", "name": "通报批评", "when": {"grades": ["差"]}}],
}


@dataclass
class Round:
    world: World
    campaign_id: str
    wave_id: str


@contextmanager
def round_cluster() -> Iterator[tuple[Cluster, Round]]:
    """The four services a round needs, in memory, and a round built in them."""
    with Cluster(in_memory(), ["registry", "survey", "inspection", "scoring"]) as cluster:
        yield cluster, campaign_round(cluster)


def campaign_round(cluster: Cluster) -> Round:
    world = seed_world(cluster)
    registry = cluster["registry"]
    campaign = created(
        registry.post(
            "/campaigns",
            json={
                "jurisdiction_id": world.county_id,
                "name": "舞阳县2026年度民主评议政风行风",
                "pattern": "民主评议政风行风",
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": "2026-01-01",
                    "ends_on": "2026-12-31",
                },
                "phases": [
                    {"name": "组织实施", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
                ],
                "categories": [GOV, PUBLIC_SERVICE],
            },
            headers=world.county_office.headers,
        )
    )
    campaign_id = campaign["campaign_id"]
    enrolments = [{"unit_id": unit_id, "category": GOV} for unit_id in world.unit_ids]
    created(
        registry.post(
            f"/campaigns/{campaign_id}/enrolments",
            json={"enrolments": enrolments},
            headers=world.county_office.headers,
        )
    )
    cluster.wait_caught_up("survey", "registry")
    wave_id = _wave(cluster["survey"], world, campaign_id)
    return Round(world, campaign_id, wave_id)


def _wave(survey: TestClient, world: World, campaign_id: str) -> str:
    template = created(
        survey.post(
            "/templates",
            json={
                "jurisdiction_id": world.county_id,
                "name": "2026年政风行风满意度问卷",
                "scale": "four_level",
            },
            headers=world.county_office.headers,
        )
    )
    wave = created(
        survey.post(
            "/waves",
            json={
                "name": "2026年上半年问卷测评",
                "jurisdiction_id": world.county_id,
                "campaign_id": campaign_id,
                "round": 1,
                "template_id": template["template_id"],
                "agencies": [{"agency_id": world.agency.principal_id, "quota": None}],
                "channels": ["survey_point"],
                "integrity": {"burst_size": 0, "identical_across_ids": False},
            },
            headers=world.county_office.headers,
        )
    )
    return str(wave["wave_id"])


def push(survey: TestClient, rnd: Round, answers: list[tuple[str, ...]], prefix: str) -> None:
    """One questionnaire per tuple: the i-th answer rates the i-th unit."""
    start = _in_round_1()
    rows = [
        {
            "questionnaire_id": f"{prefix}-{index:05d}",
            "collected_at": (start + timedelta(minutes=index)).isoformat(),
            "channel": "survey_point",
            "ratings": dict(zip(rnd.world.unit_ids, answer, strict=True)),
        }
        for index, answer in enumerate(answers)
    ]
    response = survey.post(
        f"/waves/{rnd.wave_id}/questionnaires:batch",
        json={"questionnaires": rows},
        headers=rnd.world.agency.headers,
    )
    body = created(response)
    assert body.get("rejected", 0) in (0, None) and not body.get("problems"), body


def _in_round_1() -> Any:
    from datetime import datetime

    return datetime(2026, 3, 5, 9, 0, tzinfo=CST)


def record_finding(inspection: TestClient, unit_id: str, severity: str, deduction: str) -> str:
    body = created(
        inspection.post(
            "/findings",
            json={
                "unit_id": unit_id,
                "method": "暗访",
                "summary": "窗口工作人员脱岗",
                "found_at": "2026-04-02T10:30:00+08:00",
                "item": "工作纪律",
                "severity": severity,
                "deduction": deduction,
            },
            headers=ADMIN,
        )
    )
    return str(body["finding_id"])


def published(cluster: Cluster, service: str) -> list[IntegrationMessage]:
    """Every message the service has published so far, in its log's order."""
    outbox = cluster[service].app.state.runtime.outbox()
    messages: list[IntegrationMessage] = []
    after, previous = None, None
    while True:
        page = outbox.read(after, previous, 1000)
        messages.extend(page.messages)
        if page.scanned_to is None or page.scanned_to == after:
            return messages
        after = page.scanned_to
        previous = messages[-1].position if messages else previous


def caught_up(cluster: Cluster) -> None:
    for upstream in UPSTREAMS:
        cluster.wait_caught_up("scoring", upstream)


def assign(cluster: Cluster, rnd: Round, document: dict[str, Any] | None = None) -> None:
    """Register the scheme (SCHEME unless given) and make it the campaign's."""
    document = document or SCHEME
    scoring = cluster["scoring"]
    registered = scoring.post(
        "/schemes", json={"document": document, "reason": "本县方案"}, headers=ADMIN
    )
    assert registered.status_code in (200, 201), registered.text
    assigned = scoring.put(
        f"/campaigns/{rnd.campaign_id}/scheme",
        json={"scheme_id": document["scheme_id"], "version": document["version"], "reason": "定"},
        headers=rnd.world.county_office.headers,
    )
    assert assigned.status_code == 200, assigned.text


def request_run(
    cluster: Cluster, rnd: Round, *, final: bool = False, reason: str = "测试"
) -> dict[str, Any]:
    """A run of round 1 as the county office asks for it (201 new, 200 the stored one)."""
    response = cluster["scoring"].post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs",
        json={"final": final, "reason": reason},
        headers=rnd.world.county_office.headers,
    )
    assert response.status_code in (200, 201), response.text
    run: dict[str, Any] = response.json()
    return run


OLD_ACTOR = "office:00000000-0000-4000-8000-0000000000aa"


def register_before_owners(cluster: Cluster, doc: dict[str, Any], actor: str = OLD_ACTOR) -> None:
    """A scheme registered by an office before owners were recorded and before the new
    rules: its v1 `Registered` event, as the first release stored it."""
    app = cluster["scoring"].app.state.runtime.application
    scheme = Scheme.from_document(doc)
    record = SchemeRecord(
        scheme.scheme_id,
        scheme.version,
        scheme.document(),
        scheme.scheme_hash,
        actor,
        "旧方案",
        "ignored",
    )
    stored = app.mapper.to_stored_event(record.collect_events()[0])
    state = app.mapper.transcoder.decode(stored.state)
    state.pop("jurisdiction_id")
    state.pop("class_version", None)
    app.recorder.insert_events([replace(stored, state=app.mapper.transcoder.encode(state))])
    catalogue = app._get(SchemeCatalogue.create_id(), SchemeCatalogue) or SchemeCatalogue()
    catalogue.listed(scheme.scheme_id, scheme.version, scheme.scheme_hash, scheme.title)
    app.save(catalogue)
