"""The campaign round the benchmark pushes into, set up through the APIs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bench import survey_ingest
from bench.survey_ingest import Client
from bench.workload import CST, RATINGS

GOV, PUBLIC = "政府部门及其它机构", "公共服务行业"
SCHEME = {"scheme_id": "luohe-2yr-zhengfeng", "version": 1, "reason": "本年度方案"}
DISTRICTS = ("源汇区", "郾城区", "召陵区", "临颍县")


def campaign_year() -> int:
    """Last year: its first half-year round is wholly in the past, so every questionnaire
    collected in it is a past one whatever today's date."""
    return date.today().year - 1


def questionnaire(i: int, units: list[str], prefix: str) -> dict[str, Any]:
    """The ingest benchmark's questionnaire (every unit rated), collected in round 1 at one
    of the wave's four points."""
    start = datetime(campaign_year(), 3, 2, 9, tzinfo=CST)
    return {
        "questionnaire_id": f"{prefix}-{i:07d}",
        "collected_at": (start + timedelta(seconds=7 * (i % 300_000))).isoformat(),
        "survey_point": f"P{i % len(DISTRICTS) + 1:02d}",
        "ratings": {u: RATINGS[(i * 7 + j * (1 + i % 5)) % 4] for j, u in enumerate(units)},
    }


def body(chunk: list[dict[str, Any]]) -> bytes:
    document = {"questionnaires": chunk, "all_or_nothing": False}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


# --- the round --------------------------------------------------------------------------


@dataclass
class Round:
    campaign_id: str
    wave_id: str
    unit_ids: list[str]
    agency_key: str
    office_key: str


def caught_up(client: Client, upstream: str, head: int) -> None:
    deadline = time.monotonic() + survey_ingest.CATCH_UP_SECONDS
    while (client.call("GET", "/positions")["consumers"].get(upstream) or 0) < head:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{client.url} did not catch up with {upstream} ({head})")
        time.sleep(0.05)


def setup(registry: Client, survey: Client, scoring: Client, units: int, key: str) -> Round:
    """The campaign round, through the APIs, once survey and scoring can use it."""
    province = registry.call("POST", "/jurisdictions", json={"name": "河南省", "level": "province"})
    city = registry.call(
        "POST",
        "/jurisdictions",
        json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    city_id = city["jurisdiction_id"]
    districts = [
        registry.call(
            "POST",
            "/jurisdictions",
            json={
                "name": name,
                "level": "county" if name.endswith("县") else "district",
                "parent_id": city_id,
            },
        )["jurisdiction_id"]
        for name in DISTRICTS
    ]
    # Seed 000's 53 : 27 between the two categories.
    public = max(1, units * 27 // 80) if units > 1 else 0
    kinds = [(GOV, "government_department")] * (units - public)
    kinds += [(PUBLIC, "public_service_enterprise")] * public
    created = registry.call(
        "POST",
        "/units:batch",
        json={
            "units": [
                {
                    "jurisdiction_id": city_id,
                    "name": f"测评单位{i:03d}",
                    "kind": kind,
                    "category": category,
                }
                for i, (category, kind) in enumerate(kinds)
            ]
        },
    )["units"]
    agency = registry.call("POST", "/principals", json={"name": "第三方调查机构", "role": "agency"})
    office = registry.call(
        "POST",
        "/principals",
        json={"name": "漯河市纠风办", "role": "office", "jurisdiction_id": city_id},
    )
    office_client = Client(registry.url, office["api_key"])
    year = campaign_year()
    try:
        campaign = office_client.call(
            "POST",
            "/campaigns",
            json={
                "jurisdiction_id": city_id,
                "name": f"漯河市{year}年度民主评议政风行风（基准）",
                "pattern": "民主评议政风行风",
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": f"{year}-01-01",
                    "ends_on": f"{year}-12-31",
                },
                "phases": [
                    {"name": "组织实施", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}
                ],
                "categories": [GOV, PUBLIC],
            },
        )
        campaign_id = campaign["campaign_id"]
        office_client.call(
            "POST",
            f"/campaigns/{campaign_id}/enrolments",
            json={
                "enrolments": [
                    {"unit_id": u["unit_id"], "category": u["category"]} for u in created
                ]
            },
        )
    finally:
        office_client.close()
    head = registry.call("GET", "/positions")["head"]
    caught_up(survey, "registry", head)
    caught_up(scoring, "registry", head)
    as_office = Client(survey.url, office["api_key"])
    try:
        template = as_office.call(
            "POST",
            "/templates",
            json={"jurisdiction_id": city_id, "name": "政风行风满意度问卷", "scale": "four_level"},
        )
        wave = as_office.call(
            "POST",
            "/waves",
            json={
                "name": f"{year}年上半年问卷测评（基准）",
                "jurisdiction_id": city_id,
                "campaign_id": campaign_id,
                "round": 1,
                "template_id": template["template_id"],
                "agencies": [{"agency_id": agency["principal_id"]}],
                "points": [
                    {
                        "code": f"P{i + 1:02d}",
                        "name": f"{name}固定测评点",
                        "jurisdiction_id": district,
                        "target": 1000,
                    }
                    for i, (name, district) in enumerate(zip(DISTRICTS, districts, strict=True))
                ],
            },
        )
    finally:
        as_office.close()
    as_scoring_office = Client(scoring.url, office["api_key"])
    try:
        as_scoring_office.call("PUT", f"/campaigns/{campaign_id}/scheme", json=SCHEME)
    finally:
        as_scoring_office.close()
    return Round(
        campaign_id,
        wave["wave_id"],
        [u["unit_id"] for u in wave["units"]],
        agency["api_key"],
        office["api_key"],
    )
