"""Real state for the fuzzer to hit: generated ids are random, so without existing records
almost every request would stop at "not found" and never reach the domain code behind it.

Everything is created through the public APIs with the bootstrap admin key, and each step
waits on positions before relying on another service's copy of the data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.contracts.registry import china_date
from tests.harness import ADMIN, Cluster

GOV = "政府部门及其它机构"
PUBLIC_SERVICE = "公共服务行业"
CYCLE = "2026-2027"
DRAW_SEED = "fuzz-评议人员库-抽取-2026"


@dataclass
class Seeded:
    """Ids of records that exist, by the parameter or field names that refer to them."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, *values: str) -> None:
        self.ids.setdefault(kind, []).extend(values)

    def pool(self, name: str) -> list[str]:
        """Existing values for a parameter or body field called `name` (e.g. `wave_id`),
        or plausible ones for a text field (e.g. `sector`)."""
        kinds = ALIASES.get(name, (name,))
        return [value for kind in kinds for value in self.ids.get(kind, [])] + VOCABULARY.get(
            name, []
        )


@dataclass
class Fuzzed:
    """The shared cluster and what was seeded in it (the `fuzzed` fixture)."""

    cluster: Cluster
    seeded: Seeded


# Parameters and fields whose name differs from the kind of record they point at.
ALIASES = {
    "parent_id": ("unit_id", "jurisdiction_id"),
    "under": ("jurisdiction_id",),
    "agency_id": ("principal_id",),
    "unit_ids": ("unit_id",),
    "source_unit_ids": ("unit_id",),
    "predecessor_ids": ("unit_id",),
}


# Generated text is mostly unusable as a name or a sector (and control characters are
# refused), so text fields sometimes get a value a user would type instead.
SCHEME_ID = "luohe-2yr-zhengfeng"
VOCABULARY = {
    "name": ["舞阳县市场监督管理局", "评议代表甲", "2026年度第二轮测评"],
    "short_name": ["市场监管局"],
    "sector": ["人大代表", "服务对象", "政协委员"],
    "reason": ["问卷回收完毕", "经核实记录有误"],
    "summary": ["窗口工作人员态度生硬，群众等候时间过长"],
    "pattern": ["民主评议政风行风"],
    "survey_point": ["舞阳县政务服务中心"],
    "cycle": [CYCLE, "2026"],
    "seed": [DRAW_SEED],
    "commitment": [hashlib.sha256(DRAW_SEED.encode("utf-8")).hexdigest()],
    "contact": ["13800138000"],
    "scheme_id": [SCHEME_ID],
    "month": ["2026-05"],
    "index": ["0"],
}


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def post(cluster: Cluster, service: str, path: str, body: Any = None) -> Any:
    return ok(cluster[service].post(path, json=body, headers=ADMIN))


def seed_state(cluster: Cluster) -> Seeded:
    seeded = Seeded()
    registry = _seed_registry(cluster, seeded)
    _seed_people(cluster, seeded, registry)
    for downstream in ("survey", "inspection", "scoring", "reporting"):
        cluster.wait_caught_up(downstream, "registry")
    _seed_survey(cluster, seeded, registry)
    _seed_inspection(cluster, seeded, registry)
    cluster.wait_caught_up("scoring", "survey")
    cluster.wait_caught_up("reporting", "scoring")
    return seeded


def _seed_registry(cluster: Cluster, seeded: Seeded) -> dict[str, Any]:
    city = post(cluster, "registry", "/jurisdictions", {"name": "漯河市", "level": "city"})
    county_body = {"name": "舞阳县", "level": "county", "parent_id": city["jurisdiction_id"]}
    county = post(cluster, "registry", "/jurisdictions", county_body)
    county_id = county["jurisdiction_id"]
    seeded.add("jurisdiction_id", county_id, city["jurisdiction_id"])
    rows = [
        ("舞阳县公安局", "government_department", GOV),
        ("舞阳县教育局", "government_department", GOV),
        ("舞阳县供电公司", "public_service_enterprise", PUBLIC_SERVICE),
    ]
    units = [
        {"jurisdiction_id": county_id, "name": name, "kind": kind, "category": category}
        for name, kind, category in rows
    ]
    created = post(cluster, "registry", "/units:batch", {"units": units})["units"]
    unit_ids = [unit["unit_id"] for unit in created]
    seeded.add("unit_id", *unit_ids)
    seeded.add("category", GOV, PUBLIC_SERVICE)
    agency = post(
        cluster, "registry", "/principals", {"name": "某某社会调查公司", "role": "agency"}
    )
    office_body = {"name": "舞阳县纠风办", "role": "office", "jurisdiction_id": county_id}
    office = post(cluster, "registry", "/principals", office_body)
    seeded.add("principal_id", agency["principal_id"], office["principal_id"])
    campaign = post(cluster, "registry", "/campaigns", _campaign(county_id))
    seeded.add("campaign_id", campaign["campaign_id"])
    enrolments = [{"unit_id": unit_id, "category": GOV} for unit_id in unit_ids[:2]]
    path = f"/campaigns/{campaign['campaign_id']}/enrolments"
    post(cluster, "registry", path, {"enrolments": enrolments})
    return {
        "county_id": county_id,
        "unit_ids": unit_ids,
        "agency_id": agency["principal_id"],
        "campaign_id": campaign["campaign_id"],
    }


def _campaign(county_id: str) -> dict[str, Any]:
    return {
        "jurisdiction_id": county_id,
        "name": "2026—2027年度舞阳县民主评议政风行风工作",
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "two_years",
            "rounds": "whole_cycle",
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
        },
        "phases": [{"name": "组织实施", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}],
        "categories": [GOV, PUBLIC_SERVICE],
    }


def _seed_people(cluster: Cluster, seeded: Seeded, registry: dict[str, Any]) -> None:
    county_id = registry["county_id"]
    rows = [
        {"jurisdiction_id": county_id, "name": f"评议代表{i:02d}", "sector": sector}
        for i, sector in enumerate(["人大代表"] * 3 + ["服务对象"] * 3)
    ]
    people = post(cluster, "registry", "/people:batch", {"people": rows})["people"]
    person_ids = [person["person_id"] for person in people]
    seeded.add("person_id", *person_ids)
    appointment = {
        "body": {"kind": "office", "jurisdiction_id": county_id},
        "cycle": CYCLE,
        "purpose": "general",
    }
    for person_id in person_ids:
        post(cluster, "registry", f"/people/{person_id}/appointments", appointment)
    cluster.wait_caught_up("registry", "registry")
    draw = {
        "jurisdiction_id": county_id,
        "cycle": CYCLE,
        "size": 4,
        "quotas": {"人大代表": 2, "服务对象": 2},
        "commitment": hashlib.sha256(DRAW_SEED.encode("utf-8")).hexdigest(),
    }
    committed = post(cluster, "registry", "/draws", draw)
    # A second draw stays committed so fuzzed freeze/reveal calls meet both states.
    revealed = post(cluster, "registry", "/draws", draw | {"size": 2, "quotas": {"人大代表": 2}})
    post(cluster, "registry", f"/draws/{revealed['draw_id']}/pool/freeze")
    seeded.add("draw_id", committed["draw_id"], revealed["draw_id"])


def _seed_survey(cluster: Cluster, seeded: Seeded, registry: dict[str, Any]) -> None:
    unit_ids = registry["unit_ids"]
    wave = {
        "name": "2026年度民主评议政风行风问卷测评",
        "jurisdiction_id": registry["county_id"],
        "agency_id": registry["agency_id"],
        "unit_ids": unit_ids,
    }
    open_wave = post(cluster, "survey", "/waves", wave)["wave_id"]
    closed_wave = post(cluster, "survey", "/waves", wave | {"name": "2026年上半年测评"})["wave_id"]
    seeded.add("wave_id", open_wave, closed_wave)
    ratings = ["满意", "基本满意", "不满意", "不了解"]
    questionnaires: list[dict[str, Any]] = [
        {
            "questionnaire_id": f"seed-{i:03d}",
            "survey_point": "舞阳县政务服务中心",
            "collected_at": f"2026-05-12T10:{i:02d}:00+08:00",
            "ratings": {unit_id: ratings[(i + j) % 4] for j, unit_id in enumerate(unit_ids)},
        }
        for i in range(8)
    ]
    for wave_id in (open_wave, closed_wave):
        path = f"/waves/{wave_id}/questionnaires:batch"
        post(cluster, "survey", path, {"questionnaires": questionnaires})
    cluster.wait_caught_up("scoring", "survey")
    post(cluster, "survey", f"/waves/{closed_wave}/close", {"reason": "问卷回收完毕"})
    seeded.add("run_id", _round_run(cluster, registry["campaign_id"]))
    seeded.add("questionnaire_id", *(q["questionnaire_id"] for q in questionnaires))


def _round_run(cluster: Cluster, campaign_id: str) -> str:
    """Round 1 of the campaign scored (provisionally) under a shipped scheme, so that the
    run routes of scoring and reporting meet a real run."""
    scheme = {"scheme_id": SCHEME_ID, "version": 1, "reason": "本年度方案"}
    ok(cluster["scoring"].put(f"/campaigns/{campaign_id}/scheme", json=scheme, headers=ADMIN))
    path = f"/campaigns/{campaign_id}/rounds/1/score-runs"
    run = post(cluster, "scoring", path, {"final": False, "reason": "中期"})
    return str(run["run_id"])


def _seed_inspection(cluster: Cluster, seeded: Seeded, registry: dict[str, Any]) -> None:
    finding = {
        "unit_id": registry["unit_ids"][0],
        "method": "暗访",
        "summary": "窗口工作人员上班时间玩手机，群众等候二十分钟无人办理",
        "found_at": "2026-05-12T10:30:00+08:00",
    }
    active = post(cluster, "inspection", "/findings", finding)["finding_id"]
    withdrawn = post(cluster, "inspection", "/findings", finding)["finding_id"]
    post(
        cluster, "inspection", f"/findings/{withdrawn}/withdrawal", {"reason": "经核实不属于该单位"}
    )
    seeded.add("finding_id", active, withdrawn)
    _seed_inspection_areas(cluster, seeded, registry, active)


def _seed_inspection_areas(
    cluster: Cluster, seeded: Seeded, registry: dict[str, Any], finding_id: str
) -> None:
    """A record of every kind the area routes name in their paths, in more than one state
    where the routes branch on it, so fuzzed calls reach the domain code behind them."""
    unit, county = registry["unit_ids"][0], registry["county_id"]
    counted = {"campaign_id": registry["campaign_id"], "round": 1}
    order = {
        "unit_id": unit,
        "finding_ids": [finding_id],
        "working_days": 5,
        "requirements": "限期整改并书面报告整改情况",
    } | counted
    overdue = post(cluster, "inspection", "/rectifications", order | {"issued_on": "2026-05-12"})
    reported = post(cluster, "inspection", "/rectifications", order)
    path = f"/rectifications/{reported['order_id']}/report"
    post(cluster, "inspection", path, {"text": "已对相关人员批评教育"})
    seeded.add("order_id", overdue["order_id"], reported["order_id"])

    intake = {
        "jurisdiction_id": county,
        "channel": "政风行风热线",
        "kind": "complaint",
        "summary": "办理社保转移窗口推诿，三次往返未办结",
        "received_on": "2026-05-12",
    } | counted
    received = post(cluster, "inspection", "/complaints", intake)
    dispatched = post(cluster, "inspection", "/complaints", intake)
    path = f"/complaints/{dispatched['complaint_id']}/dispatch"
    post(cluster, "inspection", path, {"unit_id": unit})
    seeded.add("complaint_id", received["complaint_id"], dispatched["complaint_id"])
    appearance = {"unit_id": unit, "appeared_on": "2026-05-12", "topic": "社保经办"} | counted
    post(cluster, "inspection", "/hotline-appearances", appearance)

    score = {
        "unit_id": unit,
        "component_code": "daily_work",
        "component_name": "日常工作",
        "score": "17.5",
        "maximum": "20",
        "assessor": "县评议考核组",
        "basis": "查阅日常工作台账",
        "evidence": [],
        "reason": "集中评议",
    } | counted
    seeded.add("score_id", post(cluster, "inspection", "/assessment-scores", score)["score_id"])
    veto = {
        "unit_id": unit,
        "basis": "发生重大安全责任事故",
        "authority": "县纪委监委",
        "decided_on": "2026-11-20",
    } | counted
    seeded.add("veto_id", post(cluster, "inspection", "/vetoes", veto)["veto_id"])

    task = {
        "title": "四级便民服务网络建设",
        "kind": "key_project",
        "unit_id": unit,
        "due_on": "2099-12-31",
        "milestones": [{"name": "选址", "due_on": "2099-06-30"}],
        "methods": ["跟踪"],
    } | counted
    created = post(cluster, "inspection", "/tasks", task)
    # A task's reports begin with the month it was assigned: today's, in China.
    month = china_date(datetime.now(UTC)).isoformat()[:7]
    report = {"month": month, "progress": "已完成选址", "difficulties": "用房未落实"}
    post(cluster, "inspection", f"/tasks/{created['task_id']}/reports", report)
    seeded.add("task_id", created["task_id"])
    _seed_visits(cluster, seeded, unit, county)


def _seed_visits(cluster: Cluster, seeded: Seeded, unit: str, county: str) -> None:
    inspector = {"name": "舞阳县暗访组", "role": "inspector", "jurisdiction_id": county}
    inspector_id = post(cluster, "registry", "/principals", inspector)["principal_id"]
    cluster.wait_caught_up("inspection", "registry")
    plan: dict[str, Any] = {"unit_id": unit, "kind": "暗访", "planned_on": "2026-06-03"}
    plan |= {"inspectors": [inspector_id], "checklist": ["工作纪律"]}
    planned = post(cluster, "inspection", "/visits", plan)["visit_id"]
    conducted = post(cluster, "inspection", "/visits", plan)["visit_id"]
    at = {"conducted_at": "2026-06-03T09:40:00+08:00"}
    post(cluster, "inspection", f"/visits/{conducted}/conduct", at)
    seeded.add("visit_id", planned, conducted)
    seeded.add("principal_id", inspector_id)
