"""Jurisdiction summaries of a campaign round behind the real services (memory mode): the
county round of `rounds.helpers` (公安局 93.00 好 先进单位, 教育局 60.00 差 通报批评 约谈,
供电公司 样本不足), two rectification orders (one escalated 催办, one reported), a third
escalated and withdrawn as issued in error (counted only as withdrawn), and a complaint
found true, all in round 1.

The office that runs the campaign, the city office above it and auditors read the current
run with the casework; an office of the neighbouring county reads its own jurisdiction only
as published; units and the public read only the published figures, and after a later final
run that nobody published, still the published version's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.reporting.documents import table_rows
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    run,
    scored_round,
)
from tests.scoring.rounds.helpers import record_finding


def _post(scored: Scored, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = scored.cluster["inspection"].post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def casework(scored: Scored) -> None:
    units = scored.rnd.world.unit_ids
    in_round = {"campaign_id": scored.rnd.campaign_id, "round": 1}
    orders = []
    for unit in units[:2]:
        finding = record_finding(scored.cluster["inspection"], unit, "一般", "0.5")
        body = {
            "unit_id": unit,
            "finding_ids": [finding],
            "working_days": 5,
            "requirements": "限期整改",
            "issued_on": "2026-04-06",  # after the finding (2026-04-02)
        } | in_round
        orders.append(_post(scored, "/rectifications", body)["order_id"])
    _post(
        scored,
        f"/rectifications/{orders[0]}/escalation",
        {"step": "催办", "reason": "逾期未报送整改情况"},
    )
    _post(scored, f"/rectifications/{orders[1]}/report", {"text": "已整改"})
    # A third order, escalated and then withdrawn as issued in error: it counts nowhere.
    finding = record_finding(scored.cluster["inspection"], units[2], "一般", "0.5")
    mistaken = _post(
        scored,
        "/rectifications",
        {
            "unit_id": units[2],
            "finding_ids": [finding],
            "working_days": 5,
            "requirements": "限期整改",
            "issued_on": "2026-04-06",
        }
        | in_round,
    )["order_id"]
    _post(scored, f"/rectifications/{mistaken}/escalation", {"step": "催办", "reason": "逾期"})
    _post(scored, f"/rectifications/{mistaken}/withdrawal", {"reason": "误发整改通知"})
    complaint = _post(
        scored,
        "/complaints",
        {
            "jurisdiction_id": scored.rnd.world.county_id,
            "channel": "政风行风热线",
            "kind": "complaint",
            "summary": "窗口推诿",
            "received_on": "2026-05-12",
        }
        | in_round,
    )["complaint_id"]
    _post(scored, f"/complaints/{complaint}/dispatch", {"unit_id": units[1]})
    _post(
        scored,
        f"/complaints/{complaint}/outcome",
        {"outcome": "verified", "reason": "经调取监控核实属实"},
    )
    scored.cluster.wait_caught_up("reporting", "inspection")


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")
        casework(scored)
        yield scored, final


def _path(scored: Scored, jurisdiction: str, public: bool = False) -> str:
    prefix = "/public" if public else ""
    return (
        f"{prefix}/summaries/jurisdictions/{jurisdiction}/campaigns/"
        f"{scored.rnd.campaign_id}/rounds/1"
    )


def _read(scored: Scored, jurisdiction: str, headers: Any, public: bool = False) -> Any:
    return scored.reporting.get(_path(scored, jurisdiction, public), headers=headers)


def _figures(body: dict[str, Any]) -> tuple[Any, ...]:
    lists = {item["name"]: (item["count"], item["units"]) for item in body["lists"]}
    return (
        body["units"],
        body["ranked"],
        body["insufficient_sample"],
        body["grade_counts"],
        body["mean_score"],
        lists,
    )


EXPECTED = (
    3,
    2,
    1,
    {"好": 1, "中": 0, "差": 1},
    "76.50",
    {
        "先进单位": (1, ["舞阳县公安局"]),
        "通报批评": (1, ["舞阳县教育局"]),
        "约谈": (1, ["舞阳县教育局"]),
    },
)


def test_the_office_running_the_campaign_reads_its_unpublished_summary(story: Any) -> None:
    scored, final = story
    world = scored.rnd.world
    response = _read(scored, world.county_id, scored.office)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["jurisdiction_name"], body["run_id"], body["published"]) == (
        "舞阳县",
        final["run_id"],
        None,
    )
    assert _figures(body) == EXPECTED
    assert body["campaign_reaches"] is True
    [own] = body["by_jurisdiction"]
    assert (own["jurisdiction_name"], own["units"], own["mean_score"]) == ("本级", 3, "76.50")
    [category] = body["by_category"]
    assert (category["category"], category["units"]) == ("政府部门及其它机构", 3)
    rectification = body["casework"]["rectification"]
    assert rectification["orders"] == 2
    assert rectification["by_status"] == {
        "issued": 1,
        "reported": 1,
        "returned": 0,
        "second_handling": 0,
        "accepted": 0,
    }
    assert (rectification["escalated"], rectification["escalations"]["催办"]) == (1, 1)
    assert rectification["withdrawn"] == 1
    complaints = body["casework"]["complaints"]
    assert complaints["complaints"] == 1
    assert complaints["by_status"]["concluded"] == 1
    assert complaints["by_outcome"]["属实"] == 1


def test_the_city_sees_its_counties_and_auditors_everything(story: Any) -> None:
    scored, _ = story
    world = scored.rnd.world
    city = _read(scored, world.city_id, world.city_office.headers).json()
    assert _figures(city) == EXPECTED
    assert city["campaign_reaches"] is True  # the county's campaign, below the city
    assert [(j["jurisdiction_name"], j["units"]) for j in city["by_jurisdiction"]] == [
        ("舞阳县", 3)
    ]
    assert city["casework"]["rectification"]["orders"] == 2
    audited = _read(scored, world.county_id, world.auditor.headers)
    assert audited.status_code == 200 and _figures(audited.json()) == EXPECTED


def test_embargo_and_scope_before_publication(story: Any) -> None:
    scored, _ = story
    world = scored.rnd.world
    for refused in (world.other_county_office, scored.unit_key, world.agency):
        response = _read(scored, world.county_id, refused.headers)
        assert response.status_code == 403, (refused, response.text)
    # The neighbouring county does not run the campaign: for it, only what is published.
    own = _read(scored, world.other_county_id, world.other_county_office.headers)
    assert own.status_code == 404 and own.json()["error"] == "not_published"
    public = _read(scored, world.county_id, {}, public=True)
    assert public.status_code == 404 and public.json()["error"] == "not_published"
    page = scored.reporting.get("/public/pages" + _path(scored, world.county_id))
    assert page.status_code == 404 and page.json()["error"] == "not_published"
    unknown = scored.reporting.get(
        f"/public/summaries/jurisdictions/{world.county_id}/campaigns/"
        "00000000-0000-4000-8000-000000000001/rounds/1"
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_published"


def test_after_publication_the_public_reads_the_published_figures_only(story: Any) -> None:
    scored, final = story
    world = scored.rnd.world
    version = publish(scored, {"run_id": final["run_id"], "reason": "经县纠风办审定"})
    # A later final run (供电公司 reaches the minimum sample) that nobody published.
    more_answers(scored)
    later = run(scored, final=True, reason="补录问卷")
    for headers in ({}, scored.unit_key.headers):
        response = _read(scored, world.county_id, headers, public=True)
        assert response.status_code == 200, response.text
        body = response.json()
        assert _figures(body) == EXPECTED
        assert (body["run_id"], body["published"]["version"]) == (final["run_id"], 1)
        assert body["published"]["snapshot_digest"] == version["snapshot_digest"]
        assert "casework" not in body
        assert body["campaign_reaches"] is True
        assert later["run_id"] not in response.text
    page = scored.reporting.get("/public/pages" + _path(scored, world.city_id))
    assert page.status_code == 200, page.text
    assert "<title>漯河市 舞阳县2026年度民主评议政风行风 第1轮评议结果汇总</title>" in page.text
    # The county's own summary of its campaign names the county once.
    own = scored.reporting.get("/public/pages" + _path(scored, world.county_id)).text
    assert "<title>舞阳县2026年度民主评议政风行风 第1轮评议结果汇总</title>" in own
    assert table_rows(page.text, "figures") == [
        ["漯河市", "3", "2", "1", "76.50", "1", "0", "1"],  # in all
        ["舞阳县", "3", "2", "1", "76.50", "1", "0", "1"],  # the county below
        ["政府部门及其它机构", "3", "2", "1", "76.50", "1", "0", "1"],
    ]
    assert "先进单位（1个）" in page.text and later["run_id"] not in page.text
    neighbour = _read(scored, world.other_county_id, world.other_county_office.headers)
    assert neighbour.status_code == 200, neighbour.text
    # Beside the county: no unit of the round is there, and the summary says why.
    assert (neighbour.json()["units"], neighbour.json()["run_id"]) == (0, final["run_id"])
    assert neighbour.json()["campaign_reaches"] is False
    office = _read(scored, world.county_id, scored.office).json()
    assert (office["run_id"], office["published"]) == (later["run_id"], None)
    assert office["insufficient_sample"] == 0
