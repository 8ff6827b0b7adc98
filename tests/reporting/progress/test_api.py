"""Wave progress and the descriptive satisfaction table in reporting, from survey's
published facts (`story.wave_story`, figures worked there by hand): collected against
target by point, county, channel and group after a void and a correction; the table and its
charts (SVG, PNG); and who may read them — the city office that runs the wave, its agency,
auditors, and a county office below for its county's part — while another agency, a unit
and the public may not."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from services.reporting.documents import beijing
from services.reporting.rounds import png
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_images, pdf_text, table_rows
from tests.reporting.progress.story import Story, wave_story
from tests.reporting.reasons import chinese_first
from tests.survey.helpers import caller, register_jurisdiction

SERVICES = ["registry", "survey", "reporting"]


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Cluster, Story]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        yield cluster, wave_story(cluster)


def _get(cluster: Cluster, story: Story, rest: str = "", headers: Any = None, **params: Any) -> Any:
    return cluster["reporting"].get(
        f"/waves/{story.wave_id}/progress{rest}",
        params=params,
        headers=story.world.city_office.headers if headers is None else headers,
    )


def _rows(rows: list[dict[str, Any]], *keys: str) -> dict[str, tuple[Any, ...]]:
    return {row["name"]: tuple(row[k] for k in keys) for row in rows}


def test_collected_against_target(story: Any) -> None:
    cluster, told = story
    response = _get(cluster, told)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "漯河市2026年上半年问卷测评"
    assert body["jurisdiction_name"] == "漯河市"
    # A2 was voided: received, but not collected (survey's word), nor counted.
    keys = ("received", "collected", "counted", "excluded", "target", "completion")
    assert tuple(body["total"][k] for k in keys) == (5, 4, 4, 1, 6, "66.67")
    assert _rows(body["by_point"], *keys, "county") == {
        "舞阳县政务服务中心": (3, 2, 2, 1, 4, "50.00", "舞阳县"),
        "临颍县政务服务中心": (2, 2, 2, 0, 2, "100.00", "临颍县"),
    }
    assert _rows(body["by_county"], *keys) == {
        "舞阳县": (3, 2, 2, 1, 4, "50.00"),
        "临颍县": (2, 2, 2, 0, 2, "100.00"),
    }
    assert _rows(body["by_channel"], "received", "collected", "counted", "target") == {
        "测评点": (2, 1, 1, None),
        "纸质问卷": (1, 1, 1, None),
        "网上": (2, 2, 2, None),
    }
    # Group targets: the share of the points' 6, rounded half up (1.5 → 2).
    assert _rows(body["by_group"], "counted", "target", "share") == {
        "服务对象": (1, 3, "25.00"),
        "监督员": (1, 2, "25.00"),
        "群众": (2, 2, "50.00"),
    }


def test_collected_means_what_it_means_in_survey(story: Any) -> None:
    """The office reads survey's progress and reporting's side by side: `collected` is the
    same figure in both, in all and in every breakdown (a voided questionnaire leaves it in
    both), and reporting's `received` is survey's `collected` + voided + withdrawn."""
    cluster, told = story
    headers = told.world.city_office.headers
    ours = _get(cluster, told).json()
    theirs = cluster["survey"].get(f"/waves/{told.wave_id}/progress", headers=headers)
    assert theirs.status_code == 200, theirs.text
    survey = theirs.json()
    assert survey["by_status"]["voided"] == 1  # the story's A2
    assert ours["total"]["collected"] == survey["total"]["collected"] == 4
    voided_or_withdrawn = survey["by_status"]["voided"] + survey["by_status"]["withdrawn"]
    assert ours["total"]["received"] == survey["total"]["collected"] + voided_or_withdrawn
    assert ours["total"]["voided_or_withdrawn"] == voided_or_withdrawn
    for dimension in ("point", "county", "channel", "group", "agency"):
        mine = {row["key"]: row["collected"] for row in ours[f"by_{dimension}"]}
        found = {key: row["collected"] for key, row in survey[f"by_{dimension}"].items()}
        assert mine == found, dimension


def test_the_satisfaction_table_by_county_and_channel(story: Any) -> None:
    cluster, told = story
    table = _get(cluster, told).json()["satisfaction"]
    assert "描述性统计" in table["note"]
    total = table["total"]
    assert total["counts"] == {"满意": 4, "基本满意": 0, "不满意": 3, "不了解": 3}
    assert (total["answers"], total["rating_answers"], total["satisfied_rate"]) == (10, 7, "57.14")
    assert total["shares"] == {
        "满意": "40.00",
        "基本满意": "0.00",
        "不满意": "30.00",
        "不了解": "30.00",
    }
    counties = {row["name"]: row for row in table["by_county"]}
    assert counties["舞阳县"]["counts"] == {"满意": 4, "基本满意": 0, "不满意": 0, "不了解": 0}
    assert counties["舞阳县"]["satisfied_rate"] == "100.00"
    assert counties["临颍县"]["shares"]["不满意"] == "50.00"
    assert counties["临颍县"]["satisfied_rate"] == "0.00"
    assert _rows(table["by_channel"], "answers", "satisfied_rate") == {
        "测评点": (3, "100.00"),
        "纸质问卷": (1, "100.00"),
        "网上": (6, "0.00"),
    }


def test_the_satisfaction_charts(story: Any) -> None:
    cluster, told = story
    svg = _get(cluster, told, "/charts/satisfaction.svg", by="channel")
    assert svg.status_code == 200, svg.text
    assert svg.headers["content-type"] == "image/svg+xml"
    text = svg.text
    assert "满意率（%）按渠道" in text
    assert re.findall(r'data-score="([^"]+)"', text) == ["100.00", "100.00", "0.00"]
    by_county = _get(cluster, told, "/charts/satisfaction.svg").text
    assert "按县区" in by_county and "舞阳县" in by_county and "临颍县" in by_county
    drawn = _get(cluster, told, "/charts/satisfaction.png", by="county")
    assert drawn.status_code == 200, drawn.text
    image = Image.open(io.BytesIO(drawn.content)).convert("RGB")
    assert image.height == png.TOP + 2 * png.ROW + 16
    bar = (0x1F, 0x4E, 0x79)

    def bar_pixels(row: int) -> int:
        y = png.TOP + row * png.ROW + 14
        return sum(
            image.getpixel((x, y)) == bar
            for x in range(png.LABEL_WIDTH, png.LABEL_WIDTH + png.PLOT_WIDTH)
        )

    assert bar_pixels(0) == png.PLOT_WIDTH  # 舞阳县 100.00 %: the whole plot
    assert bar_pixels(1) == 0  # 临颍县 0.00 %


def test_the_progress_page_shows_the_same_tables(story: Any) -> None:
    cluster, told = story
    body = _get(cluster, told).json()
    page = _get(cluster, told, ".html", headers=told.world.agency.headers)
    assert page.status_code == 200, page.text
    html = page.text
    assert "<title>漯河市2026年上半年问卷测评 测评进度</title>" in html
    rows = table_rows(html, "progress")
    # 收到, 作废或撤回, 回收, 计入, 待审核, 审核不计入, 目标, 完成率
    assert ["舞阳县政务服务中心", "舞阳县", "3", "1", "2", "2", "0", "0", "4", "50.00"] in rows
    assert ["网上", "2", "0", "2", "2", "0", "0", "—", "—"] in rows
    assert "共收到问卷5份，其中作废或批次撤回1份，审核不计入0份；回收4份，其中计入4份" in html
    satisfaction = {row[0]: row for row in table_rows(html, "satisfaction")}
    county = next(r for r in body["satisfaction"]["by_county"] if r["name"] == "临颍县")
    assert satisfaction["临颍县"] == [
        "临颍县",
        "2",
        *[
            cell
            for level in county["counts"]
            for cell in (str(county["counts"][level]), county["shares"][level] or "—")
        ],
        "0.00",
    ]
    assert "描述性统计" in html
    assert html.count("<svg") == 2 and "满意率（%）按渠道" in html


def test_the_progress_pdf_reads_back_in_chinese(story: Any) -> None:
    cluster, told = story
    body = _get(cluster, told).json()
    response = _get(cluster, told, ".pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text, embedded = pdf_text(response.content)
    assert embedded, "the CJK font is embedded"
    assert "漯河市2026年上半年问卷测评 测评进度" in text
    total = body["total"]
    compact = text.replace(" ", "").replace("\n", "")
    assert f"共收到问卷{total['received']}份，其中作废或批次撤回1份" in compact
    assert f"回收{total['collected']}份，其中计入{total['counted']}份" in compact
    for row in body["by_point"] + body["by_group"]:
        assert row["name"] in text
    for row in body["satisfaction"]["by_channel"]:
        assert f"{row['name']}{row['counted']}" in text.replace(" ", "")
    assert "描述性统计" in text
    # Open or closed, as the page says it (a close time in Beijing time, never UTC).
    state = "进行中" if body["closed_at"] is None else beijing(body["closed_at"])
    assert state in text.replace("\n", "") and state in _get(cluster, told, ".html").text
    assert pdf_images(response.content) == 2  # by county and by channel
    disposition = response.headers["content-disposition"]
    assert f'filename="progress-{told.wave_id}.pdf"' in disposition
    assert _get(cluster, told, ".pdf").content == response.content  # same facts, same bytes
    page = _get(cluster, told, ".html").text
    assert f'href="/waves/{told.wave_id}/progress.pdf"' in page


def test_a_county_office_reads_its_countys_part_of_the_wave(story: Any) -> None:
    """舞阳县 has WY-01 (A1, A2 voided, A3 corrected): its point, its county, their totals
    and satisfaction, and its questionnaires by channel and group — A1 and A2 at the survey
    point by service users, A3 on paper by a supervisor; the wave's online channel and
    public group listed at 0, and group targets as shares of its point's 4. 临颍县 has LY-01
    (A4, A5 online by the public). Neither sees the other's rows."""
    cluster, told = story
    world = told.world
    keys = ("received", "collected", "counted", "excluded", "target", "completion")
    mine = _get(cluster, told, headers=world.county_office.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["part"]["counties"] == ["舞阳县"]
    assert body["part"]["jurisdiction_ids"] == [world.county_id]
    assert tuple(body["total"][k] for k in keys) == (3, 2, 2, 1, 4, "50.00")
    assert _rows(body["by_point"], *keys) == {"舞阳县政务服务中心": (3, 2, 2, 1, 4, "50.00")}
    assert _rows(body["by_county"], *keys) == {"舞阳县": (3, 2, 2, 1, 4, "50.00")}
    assert _rows(body["by_channel"], "collected", "counted", "excluded") == {
        "测评点": (1, 1, 1),
        "纸质问卷": (1, 1, 0),
        "网上": (0, 0, 0),
    }
    assert _rows(body["by_group"], "collected", "counted", "target", "share") == {
        "服务对象": (1, 1, 2, "50.00"),
        "监督员": (1, 1, 1, "50.00"),
        "群众": (0, 0, 1, "0.00"),
    }
    satisfaction = body["satisfaction"]
    assert satisfaction["total"]["counts"]["满意"] == 4
    assert satisfaction["total"]["satisfied_rate"] == "100.00"
    assert [row["name"] for row in satisfaction["by_county"]] == ["舞阳县"]
    by_channel = {row["name"]: row for row in satisfaction["by_channel"]}
    assert by_channel["测评点"]["counts"]["满意"] == 3  # A1; A2 voided
    assert by_channel["纸质问卷"]["counts"] == {"满意": 1, "基本满意": 0, "不满意": 0, "不了解": 0}
    assert by_channel["网上"]["satisfied_rate"] is None
    other = _get(cluster, told, headers=world.other_county_office.headers).json()
    assert other["part"]["counties"] == ["临颍县"]
    assert tuple(other["total"][k] for k in keys) == (2, 2, 2, 0, 2, "100.00")
    assert other["satisfaction"]["total"]["satisfied_rate"] == "0.00"
    assert _rows(other["by_channel"], "collected")["网上"] == (2,)
    assert _rows(other["by_group"], "counted", "target") == {
        "服务对象": (0, 1),
        "监督员": (0, 1),
        "群众": (2, 1),
    }
    # The page and the PDF say it is a part and show only its counties.
    page = _get(cluster, told, ".html", headers=world.county_office.headers).text
    assert 'id="part"' in page and "舞阳县部分" in page
    assert "<caption>按渠道</caption>" in page and "临颍县" not in page
    pdf = _get(cluster, told, ".pdf", headers=world.county_office.headers)
    assert pdf.status_code == 200
    text, _fonts = pdf_text(pdf.content)
    assert "舞阳县部分" in text and "临颍县" not in text and "按调查对象" in text
    assert pdf_images(pdf.content) == 2  # by county and by channel
    # Its file is named as a part: a forwarded copy is not taken for the whole wave's.
    disposition = pdf.headers["content-disposition"]
    assert "%EF%BC%88%E8%88%9E%E9%98%B3%E5%8E%BF%E9%83%A8%E5%88%86%EF%BC%89" in disposition
    assert f'filename="progress-{told.wave_id}-part-' in disposition, disposition
    whole = _get(cluster, told, ".pdf").headers["content-disposition"]
    assert f'filename="progress-{told.wave_id}.pdf"' in whole, whole
    # The city office still reads the whole wave.
    assert _get(cluster, told).json()["part"] is None
    # A county of the city where the wave has no survey point reads nothing of it.
    registry = cluster["registry"]
    county = register_jurisdiction(registry, "郾城区", "county", world.city_id)
    outside = caller(registry, "郾城区纠风办", "office", county)
    cluster.wait_caught_up("reporting", "registry")
    for rest in ("", ".html", "/charts/satisfaction.svg"):
        refused = _get(cluster, told, rest, headers=outside.headers)
        assert refused.status_code == 403, (rest, refused.text)


def test_who_reads_progress(story: Any) -> None:
    cluster, told = story
    world = told.world
    for reader in (world.city_office, world.agency, world.auditor, world.county_office):
        assert _get(cluster, told, headers=reader.headers).status_code == 200, reader
    for rest in ("", ".html", ".pdf", "/charts/satisfaction.svg", "/charts/satisfaction.png"):
        for refused in (world.other_agency, told.unit_key):
            response = _get(cluster, told, rest, headers=refused.headers)
            assert response.status_code == 403, (rest, refused, response.text)
        anonymous = _get(cluster, told, rest, headers={})
        assert anonymous.status_code == 401, anonymous.text
    unknown = cluster["reporting"].get(
        "/waves/00000000-0000-4000-8000-000000000009/progress",
        headers=world.auditor.headers,
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "wave_not_found"
    assert chinese_first(unknown.json()["detail"][0]["reason"])
    bad = _get(cluster, told, "/charts/satisfaction.svg", by="province")
    assert bad.status_code == 422
