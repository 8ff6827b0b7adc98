"""Reporting's progress by agency and by status through the real registry, survey and
reporting services: the city wave of `story.wave_story` (某某社会调查公司, quota 100: A1–A5,
A2 voided), then 另一调查公司 accredited with quota 2, pushing B1 and B2 (LY-01, counted)
and then B3–B5 (over its quota: survey quarantines them); B3 released, B4 rejected, B5 left
in quarantine; the batch of B1 and B2 withdrawn. So, in all: counted A1 A3 A4 A5 B3,
quarantined B5, rejected B4, voided A2, withdrawn B1 B2; 舞阳县 holds A1–A3, 临颍县 the
rest. The JSON, the page and the PDF show both tables, whole and in a county's part."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_text, table_rows
from tests.reporting.progress.story import Story, wave_story
from tests.survey.helpers import Caller

SERVICES = ["registry", "survey", "reporting"]
FIRST, OTHER = "某某社会调查公司", "另一调查公司"
KEYS = ("received", "collected", "counted", "quarantined", "excluded", "quota")
STATUS_ROWS = [
    ["计入", "5", "50.00"],
    ["待审核", "1", "10.00"],
    ["审核不计入", "1", "10.00"],
    ["作废", "1", "10.00"],
    ["批次撤回", "2", "20.00"],
]


def _push(cluster: Cluster, told: Story, agency: Caller, names: list[str]) -> dict[str, Any]:
    world = told.world
    rows = [
        {
            "questionnaire_id": name,
            "collected_at": f"2026-03-06T{10 + n}:00:00+08:00",
            "survey_point": "LY-01",
            "channel": "online",
            "group": "public",
            "ratings": {unit: "满意" for unit in world.unit_ids},
        }
        for n, name in enumerate(names)
    ]
    pushed = cluster["survey"].post(
        f"/waves/{told.wave_id}/questionnaires:batch",
        json={"questionnaires": rows},
        headers=agency.headers,
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == len(names), pushed.text
    return dict(pushed.json())


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _more(cluster: Cluster, told: Story) -> None:
    """另一调查公司's part of the story (module docstring)."""
    survey, world, wave = cluster["survey"], told.world, told.wave_id
    office = world.city_office.headers
    accredit = {"agency_id": world.other_agency.principal_id, "quota": 2}
    _ok(survey.post(f"/waves/{wave}/agencies", json=accredit, headers=office))
    first = _push(cluster, told, world.other_agency, ["B1", "B2"])
    assert first["quarantined"] == 0
    over = _push(cluster, told, world.other_agency, ["B3", "B4", "B5"])
    assert over["quarantined_questionnaire_ids"] == ["B3", "B4", "B5"]
    cluster.wait_caught_up("survey", "survey")
    listed = _ok(survey.get(f"/waves/{wave}/questionnaires?status=quarantined", headers=office))
    ids = {q["questionnaire_id"]: q["response_id"] for q in listed}
    for name, decision in (("B3", "release"), ("B4", "reject")):
        review = {"response_ids": [ids[name]], "decision": decision, "reason": "复核"}
        _ok(survey.post(f"/waves/{wave}/quarantine:review", json=review, headers=office))
    withdraw = f"/waves/{wave}/batches/{first['batch_id']}/withdraw"
    _ok(survey.post(withdraw, json={"reason": "该机构代填问卷"}, headers=office))
    cluster.wait_caught_up("reporting", "survey")


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Cluster, Story]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        told = wave_story(cluster)
        _more(cluster, told)
        yield cluster, told


def _get(cluster: Cluster, told: Story, headers: Any, rest: str = "") -> Any:
    return cluster["reporting"].get(f"/waves/{told.wave_id}/progress{rest}", headers=headers)


def _agencies(body: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {row["name"]: tuple(row[key] for key in KEYS) for row in body["by_agency"]}


def _statuses(body: dict[str, Any]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in body["by_status"]}


def test_by_agency_against_its_quota_and_by_status(story: Any) -> None:
    cluster, told = story
    body = _ok(_get(cluster, told, told.world.city_office.headers))
    assert _agencies(body) == {FIRST: (5, 4, 4, 0, 1, 100), OTHER: (5, 2, 1, 1, 3, 2)}
    assert [row["key"] for row in body["by_agency"]] == [
        told.world.agency.principal_id,
        told.world.other_agency.principal_id,
    ]
    assert body["by_status"] == [
        {"key": key, "name": name, "count": int(count), "share": share}
        for key, (name, count, share) in zip(
            ("counted", "quarantined", "rejected", "voided", "withdrawn"), STATUS_ROWS, strict=True
        )
    ]
    assert (body["total"]["received"], body["total"]["collected"]) == (10, 6)


def test_the_county_parts_add_up_to_the_whole(story: Any) -> None:
    cluster, told = story
    world = told.world
    whole = _ok(_get(cluster, told, world.city_office.headers))
    mine = _ok(_get(cluster, told, world.county_office.headers))
    other = _ok(_get(cluster, told, world.other_county_office.headers))
    # 舞阳县: A1, A3 counted, A2 voided; 另一调查公司 listed at 0; quotas are the wave's.
    assert _agencies(mine) == {FIRST: (3, 2, 2, 0, 1, None), OTHER: (0, 0, 0, 0, 0, None)}
    assert _statuses(mine) == {
        "counted": 2,
        "quarantined": 0,
        "rejected": 0,
        "voided": 1,
        "withdrawn": 0,
    }
    assert _agencies(other) == {FIRST: (2, 2, 2, 0, 0, None), OTHER: (5, 2, 1, 1, 3, None)}
    for status, n in _statuses(whole).items():
        assert _statuses(mine)[status] + _statuses(other)[status] == n, status
    for name, row in _agencies(whole).items():
        parts = (_agencies(mine)[name], _agencies(other)[name])
        assert [sum(part[i] for part in parts) for i in range(5)] == list(row[:5]), name


def test_an_agency_reads_its_own_line_only(story: Any) -> None:
    """Which other agencies collected how much, against which quota, is not an agency's to
    read: in the JSON, the page and the PDF alike; nor is the whole wave's total, from which
    less its own line the others' would follow (test_agency_own.py)."""
    cluster, told = story
    for agency, name, line in (
        (told.world.agency, FIRST, (5, 4, 4, 0, 1, 100)),
        (told.world.other_agency, OTHER, (5, 2, 1, 1, 3, 2)),
    ):
        body = _ok(_get(cluster, told, agency.headers))
        assert _agencies(body) == {name: line}
        assert (body["total"]["received"], body["total"]["collected"]) == line[:2]
        other = OTHER if name == FIRST else FIRST
        assert other not in _get(cluster, told, agency.headers, ".html").text
        pdf = _get(cluster, told, agency.headers, ".pdf")
        assert other not in pdf_text(pdf.content)[0].replace(" ", "")


def test_the_page_shows_both_tables(story: Any) -> None:
    cluster, told = story
    page = _get(cluster, told, told.world.city_office.headers, ".html")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<caption>按测评机构</caption>" in html and "<caption>按问卷状态</caption>" in html
    assert '<th scope="col">配额</th>' in html
    rows = table_rows(html, "progress")
    assert [FIRST, "100", "5", "1", "4", "4", "0", "0", "—", "—"] in rows
    assert [OTHER, "2", "5", "2", "2", "1", "1", "1", "—", "—"] in rows
    assert table_rows(html, "status") == STATUS_ROWS
    part = _get(cluster, told, told.world.other_county_office.headers, ".html").text
    assert [OTHER, "—", "5", "2", "2", "1", "1", "1", "—", "—"] in table_rows(part, "progress")
    assert table_rows(part, "status") == [
        ["计入", "3", "42.86"],
        ["待审核", "1", "14.29"],
        ["审核不计入", "1", "14.29"],
        ["作废", "0", "0.00"],
        ["批次撤回", "2", "28.57"],
    ]


def test_the_pdf_shows_both_tables(story: Any) -> None:
    cluster, told = story
    response = _get(cluster, told, told.world.city_office.headers, ".pdf")
    assert response.status_code == 200, response.text
    text, _fonts = pdf_text(response.content)
    compact = text.replace(" ", "")
    assert "按测评机构" in compact and "配额" in compact and "按问卷状态" in compact
    assert f"{FIRST}100514400" in compact
    assert f"{OTHER}2522111" in compact
    for name, count, share in STATUS_ROWS:
        assert f"{name}{count}{share}" in compact
    part = _get(cluster, told, told.world.county_office.headers, ".pdf")
    part_text = pdf_text(part.content)[0].replace(" ", "")
    assert f"{FIRST}—312200" in part_text and f"{OTHER}—000000" in part_text
    assert "作废133.33" in part_text
