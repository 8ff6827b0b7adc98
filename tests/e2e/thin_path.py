"""The thin path, as an office and an agency would walk it over HTTP."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.e2e.processes import Api

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


def register(api: Api) -> dict[str, Any]:
    province = api.call(
        "registry", "POST", "/jurisdictions", json={"name": "河南省", "level": "province"}
    )
    city = api.call(
        "registry",
        "POST",
        "/jurisdictions",
        json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
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
    return {"city": city, "units": units, "agency": agency, "office": office}


def open_wave(api: Api, ctx: dict[str, Any]) -> dict[str, Any]:
    api.wait_caught_up("survey", "registry")
    wave: dict[str, Any] = api.call(
        "survey",
        "POST",
        "/waves",
        key=ctx["office"]["api_key"],
        json={
            "name": "2026年度问卷测评",
            "jurisdiction_id": ctx["city"]["jurisdiction_id"],
            "agency_id": ctx["agency"]["principal_id"],
            "unit_ids": [u["unit_id"] for u in ctx["units"]],
        },
    )
    return wave


def questionnaires(units: list[dict[str, Any]], count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 10, 8, 9, tzinfo=UTC)
    result = []
    for number in range(count):
        rated = rng.sample(units, rng.randint(1, len(units)))
        result.append(
            {
                "questionnaire_id": f"Q-{seed}-{number:06d}",
                "survey_point": "源汇区固定测评点",
                "collected_at": (start + timedelta(seconds=number)).isoformat(),
                "ratings": {u["unit_id"]: rng.choice(RATINGS) for u in rated},
            }
        )
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


def expected_counts(items: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        for unit_id, rating in item["ratings"].items():
            counts[unit_id][rating] += 1
    return counts


def expected_score(counts: Counter[str]) -> str | None:
    """Scheme satisfaction v1, written out independently of the scoring service."""
    valid = counts["满意"] + counts["基本满意"] + counts["不满意"]
    if valid == 0:
        return None
    points = Decimal(counts["满意"]) + Decimal("0.8") * counts["基本满意"]
    return str((points / valid * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def close_and_rank(api: Api, ctx: dict[str, Any], wave_id: str) -> dict[str, Any]:
    api.call(
        "survey",
        "POST",
        f"/waves/{wave_id}/close",
        key=ctx["office"]["api_key"],
        json={"reason": "回收结束"},
    )
    api.wait_caught_up("scoring", "survey")
    api.wait_caught_up("scoring", "registry")
    api.wait_caught_up("reporting", "scoring")
    rankings: dict[str, Any] = api.call(
        "reporting", "GET", f"/waves/{wave_id}/rankings", key=ctx["office"]["api_key"]
    )
    return rankings


def assert_rankings_match(
    rankings: dict[str, Any], items: list[dict[str, Any]], units: list[dict[str, Any]]
) -> None:
    assert rankings["final"] is True
    counts = expected_counts(items)
    by_category = {c["category"]: c["entries"] for c in rankings["categories"]}
    assert set(by_category) == {GOV, PUBLIC}
    for unit in units:
        entry = next(e for e in by_category[unit["category"]] if e["unit_id"] == unit["unit_id"])
        expected = counts[unit["unit_id"]]
        assert entry["counts"] == {r: expected[r] for r in RATINGS}, unit["name"]
        assert entry["score"] == expected_score(expected), unit["name"]
    for entries in by_category.values():
        scores = [Decimal(e["score"]) for e in entries if e["score"] is not None]
        assert scores == sorted(scores, reverse=True)


def wait_until(predicate: Any, label: str, timeout: float = 120) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(label)
        time.sleep(0.05)
