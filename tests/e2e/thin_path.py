"""The thin path, as an office and an agency would walk it over HTTP: a campaign with its
enrolled units, a template, a wave of the campaign's first round with survey points per
county and respondent groups, questionnaires pushed with points, channels and groups, a
correction and a void, the close, and round 1 scored and ranked (scoring's round run, as
reporting shows it)."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.e2e.processes import Api
from tests.scoring.schemes import questionnaire_component

GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"
UNITS = [
    ("发展改革委(含物价)", "government_department", GOV),
    ("教育", "government_department", GOV),
    ("公安", "government_department", GOV),
    ("民政", "government_department", GOV),
    ("电力", "public_service_enterprise", PUBLIC),
    ("工商银行", "public_service_enterprise", PUBLIC),
    ("中国移动", "public_service_enterprise", PUBLIC),
]
RATINGS = ("满意", "基本满意", "不满意", "不了解")
CHINA = timezone(timedelta(hours=8))
COUNTIES = (("源汇区", "district"), ("郾城区", "district"), ("舞阳县", "county"))
POINTS = ("YH-01", "YC-01", "WY-01")
"""One 测评点 per county, in the order of COUNTIES."""
GROUPS = (("service_user", "服务对象", 50), ("supervisor", "监督员", 25), ("public", "群众", 25))
CHANNELS = ("survey_point", "paper")
DIMENSIONS = (
    ("duty", "履行职责、落实政策情况"),
    ("openness", "办事公开情况"),
    ("deeds", "为群众做实事做好事情况"),
    ("conduct", "治理各种不正之风情况"),
    ("efficiency", "办事效率、服务质量情况"),
    ("ethics", "遵守职业道德情况"),
)
ROUND_ONE_START = datetime(2026, 3, 2, 9, tzinfo=CHINA)
"""Inside the campaign's first half-year round (2026-01-01 to 2026-06-30)."""


def register(api: Api) -> dict[str, Any]:
    """Jurisdictions, units, an agency and an office; a campaign with half-year rounds and
    the two categories, the units enrolled in them."""
    province = api.call(
        "registry", "POST", "/jurisdictions", json={"name": "河南省", "level": "province"}
    )
    city = api.call(
        "registry",
        "POST",
        "/jurisdictions",
        json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    counties = [
        api.call(
            "registry",
            "POST",
            "/jurisdictions",
            json={"name": name, "level": level, "parent_id": city["jurisdiction_id"]},
        )
        for name, level in COUNTIES
    ]
    units = api.call(
        "registry",
        "POST",
        "/units:batch",
        json={
            "units": [
                {
                    "jurisdiction_id": city["jurisdiction_id"],
                    "name": name,
                    "kind": kind,
                    "category": category,
                }
                for name, kind, category in UNITS
            ]
        },
    )["units"]
    agency = api.call(
        "registry", "POST", "/principals", json={"name": "第三方调查机构", "role": "agency"}
    )
    office = api.call(
        "registry",
        "POST",
        "/principals",
        json={"name": "漯河市纠风办", "role": "office", "jurisdiction_id": city["jurisdiction_id"]},
    )
    campaign = api.call(
        "registry",
        "POST",
        "/campaigns",
        key=office["api_key"],
        json={
            "jurisdiction_id": city["jurisdiction_id"],
            "name": "漯河市2026年度民主评议政风行风",
            "pattern": "民主评议政风行风",
            "cycle": {
                "length": "one_year",
                "rounds": "half_year",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
            "phases": [
                {"name": "动员准备", "starts_on": "2026-01-01", "ends_on": "2026-02-28"},
                {"name": "组织实施", "starts_on": "2026-03-01", "ends_on": "2026-10-31"},
                {"name": "考核总结", "starts_on": "2026-11-01", "ends_on": "2026-12-31"},
            ],
            "categories": [GOV, PUBLIC],
        },
    )
    api.call(
        "registry",
        "POST",
        f"/campaigns/{campaign['campaign_id']}/enrolments",
        key=office["api_key"],
        json={"enrolments": [{"unit_id": u["unit_id"], "category": u["category"]} for u in units]},
    )
    return {
        "city": city,
        "counties": counties,
        "units": units,
        "agency": agency,
        "office": office,
        "campaign": campaign,
    }


def publish_template(api: Api, ctx: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = api.call(
        "survey",
        "POST",
        "/templates",
        key=ctx["office"]["api_key"],
        json={
            "jurisdiction_id": ctx["city"]["jurisdiction_id"],
            "name": "2026年政风行风满意度问卷",
            "scale": "four_level",
            "dimensions": [{"code": code, "name": name} for code, name in DIMENSIONS],
            "opinions": True,
        },
    )
    return template


def open_wave(api: Api, ctx: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The wave of the campaign's first round, with a 测评点 per county and the respondent
    groups; its units and categories are the campaign's enrolment. `extra` adds to the
    request (e.g. `integrity`)."""
    api.wait_caught_up("survey", "registry")
    template = publish_template(api, ctx)
    wave: dict[str, Any] = api.call(
        "survey",
        "POST",
        "/waves",
        key=ctx["office"]["api_key"],
        json={
            "name": "2026年上半年问卷测评",
            "jurisdiction_id": ctx["city"]["jurisdiction_id"],
            "campaign_id": ctx["campaign"]["campaign_id"],
            "round": 1,
            "template_id": template["template_id"],
            "agencies": [{"agency_id": ctx["agency"]["principal_id"]}],
            "channels": list(CHANNELS),
            "points": [
                {
                    "code": code,
                    "name": f"{county['name']}固定测评点",
                    "jurisdiction_id": county["jurisdiction_id"],
                    "target": 200,
                }
                for code, county in zip(POINTS, ctx["counties"], strict=True)
            ],
            "groups": [
                {"code": code, "name": name, "target_percent": share}
                for code, name, share in GROUPS
            ],
        }
        | extra,
    )
    assert {u["unit_id"] for u in wave["units"]} == {u["unit_id"] for u in ctx["units"]}
    return wave


def questionnaires(units: list[dict[str, Any]], count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    result = []
    codes = [code for code, _ in DIMENSIONS]
    for number in range(count):
        rated = rng.sample(units, rng.randint(1, len(units)))
        item: dict[str, Any] = {
            "questionnaire_id": f"Q-{seed}-{number:06d}",
            "survey_point": rng.choice(POINTS),
            "channel": rng.choice(CHANNELS),
            "group": rng.choices([g[0] for g in GROUPS], weights=[g[2] for g in GROUPS])[0],
            "collected_at": (ROUND_ONE_START + timedelta(seconds=number)).isoformat(),
            "ratings": {u["unit_id"]: rng.choice(RATINGS) for u in rated},
        }
        if number % 5 == 0:
            first = rated[0]["unit_id"]
            item["dimension_ratings"] = {
                first: {code: rng.choice(RATINGS) for code in rng.sample(codes, 2)}
            }
        if number % 20 == 0:
            item["opinions"] = [{"unit_id": rated[0]["unit_id"], "text": "窗口服务态度需改进"}]
        result.append(item)
    return result


def push(
    api: Api,
    ctx: dict[str, Any],
    wave_id: str,
    items: list[dict[str, Any]],
    batch: int = 250,
    key_prefix: str = "batch",
) -> None:
    for first in range(0, len(items), batch):
        api.call(
            "survey",
            "POST",
            f"/waves/{wave_id}/questionnaires:batch",
            key=ctx["agency"]["api_key"],
            headers={"Idempotency-Key": f"{key_prefix}-{first}"},
            json={"questionnaires": items[first : first + batch]},
        )


def progress(api: Api, ctx: dict[str, Any], wave_id: str, collected: int) -> dict[str, Any]:
    """The wave's progress once its view has seen `collected` questionnaires."""
    found: dict[str, Any] = {}

    def seen() -> bool:
        found.update(
            api.call("survey", "GET", f"/waves/{wave_id}/progress", key=ctx["office"]["api_key"])
        )
        return not found.get("pending") and found["total"]["collected"] >= collected

    wait_until(seen, f"progress of {collected} questionnaires")
    return found


def assert_progress(
    api: Api, ctx: dict[str, Any], wave_id: str, items: list[dict[str, Any]]
) -> None:
    """Collected counts by point, county, channel and group match what was pushed."""
    shown = progress(api, ctx, wave_id, len(items))
    assert shown["total"]["collected"] == len(items)
    by_point = Counter(item["survey_point"] for item in items)
    assert {code: shown["by_point"][code]["collected"] for code in POINTS} == {
        code: by_point[code] for code in POINTS
    }
    assert {code: p["target"] for code, p in shown["by_point"].items()} == dict.fromkeys(
        POINTS, 200
    )
    counties = dict(zip(POINTS, ctx["counties"], strict=True))
    assert {counties[code]["jurisdiction_id"]: by_point[code] for code in POINTS} == {
        county: c["collected"] for county, c in shown["by_county"].items()
    }
    by_group = Counter(item["group"] for item in items)
    assert {code: g["collected"] for code, g in shown["by_group"].items()} == dict(by_group)
    by_channel = Counter(item["channel"] for item in items)
    assert {c: v["collected"] for c, v in shown["by_channel"].items()} == dict(by_channel)
    assert shown["by_status"]["counted"] == len(items)


def correct_and_void(
    api: Api, ctx: dict[str, Any], wave_id: str, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The office corrects the first questionnaire (every rating moved one level) and voids
    the second; returns the questionnaires as scoring should now count them."""
    office = ctx["office"]["api_key"]
    first, second = items[0], items[1]
    rows = api.call(
        "survey", "GET", f"/waves/{wave_id}/questionnaires", key=office, params={"limit": 2}
    )
    ids = {row["questionnaire_id"]: row["response_id"] for row in rows}
    corrected = {
        unit: RATINGS[(RATINGS.index(value) + 1) % len(RATINGS)]
        for unit, value in first["ratings"].items()
    }
    answer = api.call(
        "survey",
        "POST",
        f"/waves/{wave_id}/questionnaires/{ids[first['questionnaire_id']]}/corrections",
        key=office,
        json={
            "ratings": corrected,
            "dimension_ratings": first.get("dimension_ratings", {}),
            "opinions": first.get("opinions", []),
            "reason": "录入错误，按纸质问卷更正",
        },
    )
    assert answer["version"] == 2 and answer["status"] == "counted"
    voided = api.call(
        "survey",
        "POST",
        f"/waves/{wave_id}/questionnaires/{ids[second['questionnaire_id']]}/void",
        key=office,
        json={"reason": "重复录入"},
    )
    assert voided["status"] == "voided"
    return [first | {"ratings": corrected}, *items[2:]]


def assert_closed_refuses(api: Api, ctx: dict[str, Any], wave_id: str) -> None:
    """The race rule: after the close no questionnaire is accepted."""
    late = questionnaires(ctx["units"], 1, seed=999)
    response = api.http.post(
        f"{api.urls['survey']}/waves/{wave_id}/questionnaires:batch",
        headers={"X-API-Key": ctx["agency"]["api_key"]},
        json={"questionnaires": late},
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "wave_closed"


def expected_counts(items: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        for unit_id, rating in item["ratings"].items():
            counts[unit_id][rating] += 1
    return counts


def expected_score(counts: Counter[str]) -> str | None:
    """`SCHEME`'s questionnaire score, written out independently of the scoring service."""
    valid = counts["满意"] + counts["基本满意"] + counts["不满意"]
    if valid == 0:
        return None
    points = Decimal(counts["满意"]) + Decimal("0.8") * counts["基本满意"]
    return str((points / valid * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


SCHEME: dict[str, Any] = {
    "scheme_id": "thin-path-questionnaire",
    "version": 1,
    "title": "问卷测评满意度",
    "program": "democratic_appraisal",
    "arithmetic": {"places": 2, "rounding": "ROUND_HALF_UP"},
    "statistics": {"z": "1.96", "confidence": "95%"},
    "components": [questionnaire_component(min_sample=1)],
}
"""The campaign's scheme: the questionnaire alone, scored as `expected_score` says."""


def close(api: Api, ctx: dict[str, Any], wave_id: str) -> None:
    api.call(
        "survey",
        "POST",
        f"/waves/{wave_id}/close",
        key=ctx["office"]["api_key"],
        json={"reason": "回收结束"},
    )


def assign_scheme(api: Api, ctx: dict[str, Any]) -> None:
    """`SCHEME` registered and made the campaign's by the office (again: no change)."""
    office = ctx["office"]["api_key"]
    registration = {"document": SCHEME, "reason": "本年度"}
    api.call("scoring", "POST", "/schemes", key=office, json=registration)
    assignment = {"scheme_id": SCHEME["scheme_id"], "version": 1, "reason": "本年度方案"}
    path = f"/campaigns/{ctx['campaign']['campaign_id']}/scheme"
    api.call("scoring", "PUT", path, key=office, json=assignment)


def standings(api: Api, ctx: dict[str, Any]) -> dict[str, Any]:
    """Round 1 as it stands under `SCHEME` once scoring has consumed everything survey
    published (computed, nothing stored)."""
    api.wait_caught_up("scoring", "survey")
    assign_scheme(api, ctx)
    path = f"/campaigns/{ctx['campaign']['campaign_id']}/rounds/1/standings"
    found: dict[str, Any] = api.call("scoring", "GET", path, key=ctx["office"]["api_key"])
    return found


def score_round(api: Api, ctx: dict[str, Any], *, final: bool = True) -> dict[str, Any]:
    """Round 1 scored under `SCHEME` once scoring has consumed everything the registry and
    survey published: the run as scoring returns it."""
    api.wait_caught_up("scoring", "survey")
    api.wait_caught_up("scoring", "registry")
    assign_scheme(api, ctx)
    run: dict[str, Any] = api.call(
        "scoring",
        "POST",
        f"/campaigns/{ctx['campaign']['campaign_id']}/rounds/1/score-runs",
        key=ctx["office"]["api_key"],
        json={"final": final, "reason": "上半年评议结果"},
    )
    return run


def unit_counts(results: dict[str, Any]) -> dict[str, dict[str, int]]:
    """unit id -> every level's count in scoring's results (the questionnaire component)."""
    return {
        unit["unit_id"]: {r: unit["components"][0]["inputs"]["counts"].get(r, 0) for r in RATINGS}
        for unit in results["units"]
    }


def round_results(api: Api, ctx: dict[str, Any]) -> dict[str, Any]:
    """Round 1's results as reporting shows them to the office, once it has caught up (the
    campaign is registry's, the results scoring's)."""
    api.wait_caught_up("reporting", "registry")
    api.wait_caught_up("reporting", "scoring")
    path = f"/campaigns/{ctx['campaign']['campaign_id']}/rounds/1/results"
    results: dict[str, Any] = api.call("reporting", "GET", path, key=ctx["office"]["api_key"])
    return results


def close_and_rank(api: Api, ctx: dict[str, Any], wave_id: str) -> dict[str, Any]:
    close(api, ctx, wave_id)
    run = score_round(api, ctx)
    results = round_results(api, ctx)
    assert results["run_id"] == run["run_id"]
    return results


def counted(results: dict[str, Any]) -> dict[str, dict[str, int]]:
    """unit id -> the answer counts scoring counted for it (the questionnaire component)."""
    return {
        entry["unit_id"]: dict(entry["shares"][0]["counts"])
        for category in results["categories"]
        for entry in category["entries"]
    }


def assert_rankings_match(
    rankings: dict[str, Any], items: list[dict[str, Any]], units: list[dict[str, Any]]
) -> None:
    """Round results of the questionnaires `items`: every unit's counts and score as
    written out here, ranks in score order within each category."""
    assert rankings["final"] is True
    counts = expected_counts(items)
    by_category = {c["category"]: c["entries"] for c in rankings["categories"]}
    assert set(by_category) == {GOV, PUBLIC}
    shown = counted(rankings)
    for unit in units:
        entry = next(e for e in by_category[unit["category"]] if e["unit_id"] == unit["unit_id"])
        expected = counts[unit["unit_id"]]
        assert {r: shown[unit["unit_id"]].get(r, 0) for r in RATINGS} == {
            r: expected[r] for r in RATINGS
        }, unit["name"]
        assert entry["score"] == expected_score(expected), unit["name"]
    for entries in by_category.values():
        ranked = [(e["rank"], Decimal(e["score"])) for e in entries if e["rank"] is not None]
        assert [score for _, score in sorted(ranked)] == sorted(
            (score for _, score in ranked), reverse=True
        )


def wait_until(predicate: Any, label: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(label)
        time.sleep(0.05)
