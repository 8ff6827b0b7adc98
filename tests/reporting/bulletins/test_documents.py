"""每周一报 and 每月双报 as a page and a PDF, over the same task story as the JSON bulletins
(`test_bulletins.task_story`: 住建局 on time, 民政局 overdue, 交通局 nothing due): both say
what the JSON says — the standings row for row, 进度最好 and 末位, the overdue milestone, the
corrected 推进专报 and the difficulty, who has not reported — the PDF in the embedded CJK
font, and neither is shown to a unit or to the neighbouring district's office."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.bulletins.test_bulletins import task_story
from tests.reporting.documents import pdf_text, table_rows


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(in_memory(), ["registry", "inspection", "reporting"]) as cluster:
        yield cluster, task_story(cluster)


def _get(world: Any, path: str, reader: str = "萨尔图区纠风办", **period: str) -> Any:
    cluster, ctx = world
    params = {"jurisdiction_id": ctx["county"], **period}
    return cluster["reporting"].get(path, params=params, headers=ctx["keys"][reader])


def test_the_weekly_page_shows_the_bulletin(world: Any) -> None:
    bulletin = _get(world, "/bulletins/weekly", week=world[1]["week"]).json()
    page = _get(world, "/bulletins/weekly.html", week=world[1]["week"])
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert f"<title>{bulletin['title']}</title>" in html
    assert table_rows(html, "standing") == [
        [
            r["unit_name"],
            str(r["milestones_due"]),
            str(r["on_time"]),
            r["on_time_rate"],
            str(r["overdue_tasks"]),
        ]
        for r in bulletin["standings"]
    ]
    assert '进度最好：<span class="best">萨尔图区住建局（100.00%）</span>' in html
    assert '末位：<span class="last-place">萨尔图区民政局（0.00%）</span>' in html
    [overdue] = table_rows(html, "overdue-task")
    assert overdue == ["养老服务中心改造", "萨尔图区民政局", "2099-12-31", "方案（2026-02-28）"]
    assert len(table_rows(html, "fact")) == len(bulletin["facts"])
    assert "老旧小区改造" not in html  # the neighbouring district's task


def test_the_monthly_page_shows_reports_and_difficulties(world: Any) -> None:
    bulletin = _get(world, "/bulletins/monthly", month=world[1]["month"]).json()
    html = _get(
        world, "/bulletins/monthly.html", reader="大庆市督察办", month=world[1]["month"]
    ).text
    rows = {row[0]: row for row in table_rows(html, "report")}
    assert set(rows) == {r["unit_name"] for r in bulletin["reports"]}
    assert rows["萨尔图区住建局"][4:] == ["已完成四个社区选址", "数字有误"]
    assert rows["萨尔图区民政局"][3:5] == ["已交办（逾期）", "未报送"]
    assert "<strong>萨尔图区住建局</strong>（四级便民服务网络建设）：用房未落实" in html
    assert "萨尔图区民政局（养老服务中心改造）" in html.split('class="not-reported"')[1]


def test_the_weekly_pdf_reads_back_in_chinese(world: Any) -> None:
    bulletin = _get(world, "/bulletins/weekly", week=world[1]["week"]).json()
    response = _get(world, "/bulletins/weekly.pdf", week=world[1]["week"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text, embedded = pdf_text(response.content)
    assert any("WenQuanYi" in name for name in embedded), embedded
    for expected in (
        bulletin["title"],
        "一、基本情况",
        "督办任务3项，本期交办3项；开展督办1次（实地督办1次）；报送专报2份",
        "逾期任务1项",
        "进度最好：萨尔图区住建局（按期完成率100.00%）",
        "末位：萨尔图区民政局（按期完成率0.00%）",
        "养老服务中心改造",
        "方案（2026-02-28）",
        "实地督办：到现场查看",
    ):
        assert expected in text, expected
    again = _get(world, "/bulletins/weekly.pdf", week=world[1]["week"])
    assert again.content == response.content, "the same facts give the same file"


def test_the_monthly_pdf_carries_both_reports(world: Any) -> None:
    response = _get(world, "/bulletins/monthly.pdf", reader="大庆市督察办", month=world[1]["month"])
    assert response.status_code == 200, response.text
    text, _ = pdf_text(response.content)
    for expected in (
        "每月双报",
        "四、推进专报",
        "已完成四个社区选址",
        "数字有误",
        "五、疑难问题及困难专报",
        "用房未落实",
        "未报送：",
        "萨尔图区交通局（城乡公交一体化）",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    "path",
    [
        "/bulletins/weekly.html",
        "/bulletins/weekly.pdf",
        "/bulletins/monthly.html",
        "/bulletins/monthly.pdf",
    ],
)
def test_units_and_other_districts_are_refused(world: Any, path: str) -> None:
    period = {"week": world[1]["week"]} if "weekly" in path else {"month": world[1]["month"]}
    for reader in ("让胡路区纠风办", "萨尔图区住建局"):
        refused = _get(world, path, reader=reader, **period)
        assert refused.status_code == 403, (reader, refused.text)
    bad = _get(world, path, **({"week": "2026-W60"} if "weekly" in path else {"month": "2026-13"}))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] in ("query.week", "query.month")
