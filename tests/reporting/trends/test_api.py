"""A unit's trend across cycles, behind the real services (memory mode): the county's 2026
民主评议政风行风 campaign of `rounds.helpers` (公安局 93.00 after a 严重 finding) and the same
program's 2025 campaign, where 公安局 was rated 满意 by all four (100.00), and
a 万人评议 campaign of the county that is another program. Offices read both cycles before
anything is published; the public reads a cycle only once it is published; the trend's chart
(SVG, PNG), the dossier JSON, page and PDF all carry it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from PIL import Image
from pypdf import PdfReader

from services.reporting.rounds import png
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_images, pdf_text, table_rows
from tests.reporting.rounds.helpers import ANSWERS, SCHEME, SERVICES, Scored, run, scored_round
from tests.scoring.rounds.helpers import GOV, _wave, caught_up
from tests.survey.helpers import CST, created

POLICE = "舞阳县公安局"


def _campaign(scored: Scored, name: str, pattern: str, year: int) -> str:
    world = scored.rnd.world
    registry = scored.cluster["registry"]
    campaign = created(
        registry.post(
            "/campaigns",
            json={
                "jurisdiction_id": world.county_id,
                "name": name,
                "pattern": pattern,
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": f"{year}-01-01",
                    "ends_on": f"{year}-12-31",
                },
                "phases": [
                    {"name": "组织实施", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}
                ],
                "categories": [GOV],
            },
            headers=world.county_office.headers,
        )
    )["campaign_id"]
    enrolments = [{"unit_id": unit, "category": GOV} for unit in world.unit_ids]
    created(
        registry.post(
            f"/campaigns/{campaign}/enrolments",
            json={"enrolments": enrolments},
            headers=world.county_office.headers,
        )
    )
    return str(campaign)


def earlier_cycle(scored: Scored) -> tuple[str, dict[str, Any]]:
    """The 2025 campaign of the same program, scored final: 公安局 满意 throughout."""
    cluster, world = scored.cluster, scored.rnd.world
    campaign = _campaign(scored, "舞阳县2025年度民主评议政风行风", "民主评议政风行风", 2025)
    cluster.wait_caught_up("survey", "registry")
    wave = _wave(cluster["survey"], world, campaign)
    start = datetime(2025, 3, 5, 9, 0, tzinfo=CST)
    rows = [
        {
            "questionnaire_id": f"P-{i:03d}",
            "collected_at": (start + timedelta(minutes=i)).isoformat(),
            "channel": "survey_point",
            "ratings": dict(zip(world.unit_ids, ("满意", *answer[1:]), strict=True)),
        }
        for i, answer in enumerate(ANSWERS)
    ]
    created(
        cluster["survey"].post(
            f"/waves/{wave}/questionnaires:batch",
            json={"questionnaires": rows},
            headers=world.agency.headers,
        )
    )
    caught_up(cluster)
    scoring = cluster["scoring"]
    assigned = scoring.put(
        f"/campaigns/{campaign}/scheme",
        json={"scheme_id": SCHEME["scheme_id"], "version": 1, "reason": "沿用方案"},
        headers=scored.office,
    )
    assert assigned.status_code == 200, assigned.text
    response = scoring.post(
        f"/campaigns/{campaign}/rounds/1/score-runs",
        json={"final": True, "reason": "2025年上半年"},
        headers=scored.office,
    )
    assert response.status_code in (200, 201), response.text
    cluster.wait_caught_up("reporting", "scoring")
    return campaign, response.json()


@pytest.fixture(scope="module")
def story() -> Iterator[dict[str, Any]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        final = run(scored, final=True, reason="上半年结果")
        earlier, earlier_final = earlier_cycle(scored)
        other = _campaign(scored, "舞阳县2026年万人评议", "万人评议", 2026)
        cluster.wait_caught_up("reporting", "registry")
        yield {
            "scored": scored,
            "final": final,
            "earlier": earlier,
            "earlier_final": earlier_final,
            "other": other,
        }


def _unit(ctx: dict[str, Any], rest: str = "", public: bool = False) -> str:
    scored = ctx["scored"]
    base = f"/campaigns/{scored.rnd.campaign_id}/units/{scored.rnd.world.unit_ids[0]}{rest}"
    return f"/public{base}" if public else base


def _get(ctx: dict[str, Any], path: str, headers: Any = None) -> Any:
    scored = ctx["scored"]
    return scored.reporting.get(path, headers=scored.office if headers is None else headers)


def test_offices_read_the_trend_across_cycles_before_publication(story: Any) -> None:
    response = _get(story, _unit(story, "/trend"))
    assert response.status_code == 200, response.text
    trend = response.json()
    assert trend["unit_name"] == POLICE
    assert [c["campaign_name"] for c in trend["cycles"]] == [
        "舞阳县2025年度民主评议政风行风",
        "舞阳县2026年度民主评议政风行风",
    ]  # the 万人评议 campaign is another program
    assert [(p["label"], p["score"], p["grade"]) for p in trend["points"]] == [
        ("2025年第1轮", "100.00", "好"),
        ("2026年第1轮", "93.00", "好"),
    ]
    assert [c["current"] for c in trend["cycles"]] == [False, True]
    dossier = _get(story, _unit(story)).json()
    assert [len(c["rounds"]) for c in dossier["cycles"]] == [1, 1]
    svg = _get(story, _unit(story, "/charts/trend.svg")).text
    assert re.findall(r'data-score="([^"]+)"', svg) == ["100.00", "93.00"]
    assert "2025年第1轮" in svg and "历次综合得分" in svg


def test_the_office_dossier_pdf(story: Any) -> None:
    response = _get(story, _unit(story, "/dossier.pdf"))
    assert response.status_code == 200, response.text
    text, embedded = pdf_text(response.content)
    assert any("WenQuanYi" in name for name in embedded), embedded
    for expected in (
        f"{POLICE} 评议档案（内部，含未发布结果）",
        "一、历次评议结果",
        "2025年第1轮",
        "100.00",
        "93.00",
        "先进单位",
        "满意计100分、基本满意计80分、不满意计0分，取有效问卷的平均分",
        "一般问题每个扣0.5分、较重问题扣1分、严重问题扣2分，最多扣5分",
    ):
        assert expected in text, expected
    assert pdf_images(response.content) == 1  # the trend chart
    # Dated by the latest run it shows, never the clock: the same runs, the same bytes.
    runs = (story["final"], story["earlier_final"])
    latest = max(datetime.fromisoformat(run["computed_at"]) for run in runs)
    created = PdfReader(io.BytesIO(response.content)).metadata.creation_date
    assert created == latest.replace(microsecond=0)
    unit_id = story["scored"].rnd.world.unit_ids[0]
    disposition = response.headers["content-disposition"]
    assert f'filename="dossier-internal-{unit_id}.pdf"' in disposition
    # What a browser saves it as says 内部 too, never the public copy's name.
    saved = unquote(disposition.split("filename*=UTF-8''")[1])
    assert saved == f"{POLICE}评议档案（内部，含未发布结果）.pdf", saved


def test_units_and_the_public_see_only_published_cycles(story: Any) -> None:
    scored = story["scored"]
    world = scored.rnd.world
    for path in ("/trend", "/charts/trend.svg", "/charts/trend.png", "/dossier.pdf"):
        for refused in (scored.unit_key, world.other_county_office, world.agency):
            response = _get(story, _unit(story, path), refused.headers)
            assert response.status_code == 403, (path, response.text)
        before = _get(story, _unit(story, path, public=True), {})
        assert before.status_code == 404 and before.json()["error"] == "not_published", path
    # Only the 2026 cycle is published: the 2025 one stays out of every public answer.
    publish = scored.reporting.post(
        f"/campaigns/{scored.rnd.campaign_id}/rounds/1/publications",
        json={"run_id": story["final"]["run_id"]},
        headers=scored.office,
    )
    assert publish.status_code == 201, publish.text
    scored.cluster.wait_caught_up("reporting", "reporting")
    for headers in ({}, scored.unit_key.headers):
        response = _get(story, _unit(story, "/trend", public=True), headers)
        assert response.status_code == 200, response.text
        assert [p["score"] for p in response.json()["points"]] == ["93.00"]
        assert story["earlier_final"]["run_id"] not in response.text
    svg = _get(story, _unit(story, "/charts/trend.svg", public=True), {}).text
    assert re.findall(r'data-score="([^"]+)"', svg) == ["93.00"]
    page = _get(
        story, f"/public/pages/campaigns/{scored.rnd.campaign_id}/units/{world.unit_ids[0]}", {}
    ).text
    assert [row[0] for row in table_rows(page, "cycle")] == ["2026年第1轮"]
    assert "100.00" not in page
    public_pdf = _get(story, _unit(story, "/dossier.pdf", public=True), {})
    text, _ = pdf_text(public_pdf.content)
    assert f"{POLICE} 评议档案（已发布结果）" in text and "100.00" not in text
    saved = unquote(public_pdf.headers["content-disposition"].split("filename*=UTF-8''")[1])
    assert saved == f"{POLICE}评议档案（已发布结果）.pdf", saved


def test_once_both_cycles_are_published_the_public_reads_both(story: Any) -> None:
    scored = story["scored"]
    world = scored.rnd.world
    publish = scored.reporting.post(
        f"/campaigns/{story['earlier']}/rounds/1/publications",
        json={"run_id": story["earlier_final"]["run_id"]},
        headers=scored.office,
    )
    assert publish.status_code == 201, publish.text
    scored.cluster.wait_caught_up("reporting", "reporting")
    dossier = _get(story, _unit(story, public=True), {}).json()
    assert [[p["score"] for p in c["rounds"]] for c in dossier["cycles"]] == [["100.00"], ["93.00"]]
    page = _get(
        story, f"/public/pages/campaigns/{scored.rnd.campaign_id}/units/{world.unit_ids[0]}", {}
    ).text
    assert [(row[0], row[2]) for row in table_rows(page, "cycle")] == [
        ("2025年第1轮", "100.00"),
        ("2026年第1轮", "93.00"),
    ]
    drawn = _get(story, _unit(story, "/charts/trend.png", public=True), {})
    assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(drawn.content))
    assert image.height == png.TOP + 2 * png.ROW + 16
