"""A correction after publication, and the files: version 1 is published, two more
questionnaires arrive, a new final run is published as version 2 with a reason, and version 1
stays visible as superseded. The XLSX and CSV of each are opened and read back.

After `helpers.more_answers` (worked by hand):
  公安局 满意×5 + 基本满意 → 580 / 6 = 96.67 − 2 = 94.67 → 好, rank 1
  教育局 满意×3 + 基本满意 + 不满意 → 380 / 5 = 76.00 → 中, rank 2
  供电公司 不满意×3 + 满意 → 100 / 4 = 25.00 → 差, rank 3; shares 25.00 / 0.00 / 75.00
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    run,
    scored_round,
)

GOV = "政府部门及其它机构"


@pytest.fixture(scope="module")
def corrected() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        first = run(scored, final=True, reason="上半年结果")
        publish(scored, {"run_id": first["run_id"]})
        more_answers(scored)
        second = run(scored, final=True, reason="补录两份问卷后重算")
        yield scored, first, second


def test_a_correction_needs_a_reason_and_supersedes(corrected: Any) -> None:
    scored, first, second = corrected
    refused = scored.reporting.post(
        scored.path("/rounds/1/publications"),
        json={"run_id": second["run_id"]},
        headers=scored.office,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "reason_required"
    assert refused.json()["detail"][0]["field"] == "reason"
    # Still version 1 in public until the correction is recorded.
    assert scored.reporting.get(scored.public("/rounds/1")).json()["run_id"] == first["run_id"]

    v2 = publish(scored, {"run_id": second["run_id"], "reason": "补录漏报问卷，更正排名"})
    assert (v2["version"], v2["supersedes"], v2["reason"]) == (2, 1, "补录漏报问卷，更正排名")

    now = scored.reporting.get(scored.public("/rounds/1")).json()
    assert now["run_id"] == second["run_id"] and now["published"]["version"] == 2
    statuses = [(v["version"], v["status"]) for v in now["publication"]["versions"]]
    assert statuses == [(1, "superseded"), (2, "current")]
    scores = {e["unit_name"]: e["score"] for c in now["categories"] for e in c["entries"]}
    assert scores == {"舞阳县公安局": "94.67", "舞阳县教育局": "76.00", "舞阳县供电公司": "25.00"}

    old = scored.reporting.get(scored.public("/rounds/1?version=1")).json()
    assert old["run_id"] == first["run_id"] and old["published"]["status"] == "superseded"
    absent = scored.reporting.get(scored.public("/rounds/1?version=3"))
    assert absent.status_code == 404 and absent.json()["detail"][0]["field"] == "version"

    history = scored.reporting.get(
        scored.path("/rounds/1/publications"), headers=scored.rnd.world.auditor.headers
    ).json()
    assert [v["run_id"] for v in history["versions"]] == [first["run_id"], second["run_id"]]
    assert history["versions"][0]["published_by"].startswith("office:")


def _xlsx(scored: Scored, path: str, headers: dict[str, str] | None = None) -> Any:
    response = scored.reporting.get(path, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    return load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_a_sheet_per_category_and_numbers_as_numbers(corrected: Any) -> None:
    scored, _, _ = corrected
    book = _xlsx(scored, scored.public("/rounds/1/results.xlsx"))
    assert book.sheetnames == [GOV]
    sheet = book[GOV]
    assert sheet.freeze_panes == "A2"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:12] == [
        "类别", "名次", "名次区间", "单位名称", "综合得分", "区间下限", "区间上限", "等级",
        "有效样本", "样本不足", "标记", "名单",
    ]  # fmt: skip
    assert "问卷测评群众满意度·满意（%）" in header
    by_name = {row[3]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert list(by_name) == ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]
    police, power = by_name["舞阳县公安局"], by_name["舞阳县供电公司"]
    assert police["名次"] == 1 and isinstance(police["名次"], int)
    assert police["综合得分"] == pytest.approx(94.67) and isinstance(police["综合得分"], float)
    assert police["等级"] == "好" and police["名单"] == "先进单位"
    assert police["有效样本"] == 6
    assert power["名单"] == "通报批评、约谈"
    assert power["问卷测评群众满意度·不满意（份）"] == 3
    assert power["问卷测评群众满意度·不满意（%）"] == pytest.approx(75.0)
    assert power["问卷测评群众满意度·不了解（份）"] == 2
    score_cell = sheet.cell(row=2, column=5)
    assert score_cell.number_format == "0.00" and score_cell.data_type == "n"
    assert sheet.cell(row=1, column=1).font.bold


def test_the_office_workbook_names_a_superseded_run(corrected: Any) -> None:
    scored, first, _ = corrected
    book = _xlsx(
        scored, scored.path(f"/rounds/1/results.xlsx?run_id={first['run_id']}"), scored.office
    )
    rows = list(book[GOV].iter_rows(values_only=True))
    assert [(row[3], row[4]) for row in rows[1:]] == [
        ("舞阳县公安局", 93),
        ("舞阳县教育局", 60),
        ("舞阳县供电公司", 0),
    ]
    assert rows[3][9] == "样本不足" and rows[3][1] is None


def test_the_csv_opens_in_excel(corrected: Any) -> None:
    scored, _, _ = corrected
    response = scored.reporting.get(scored.public("/rounds/1/results.csv?version=1"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["单位名称"], r["名次"], r["综合得分"], r["等级"]) for r in lines] == [
        ("舞阳县公安局", "1", "93.00", "好"),
        ("舞阳县教育局", "2", "60.00", "差"),
        ("舞阳县供电公司", "", "0.00", ""),
    ]
    assert lines[2]["样本不足"] == "样本不足"
    assert Decimal(lines[0]["问卷测评群众满意度·满意（%）"]) == Decimal("75.00")


SVG = "{http://www.w3.org/2000/svg}"


def _svg(scored: Scored, path: str) -> Any:
    response = scored.reporting.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return ElementTree.fromstring(response.content)


def test_the_charts_draw_the_published_figures(corrected: Any) -> None:
    scored, _, _ = corrected
    first = _svg(scored, scored.public("/rounds/1/charts/ranking.svg?version=1"))
    bars = [(r.get("data-score"), r.get("width")) for r in first.iter(f"{SVG}rect")]
    # 480 px for 100 points: 93.00 → 446.4, 60.00 → 288.0; 供电公司 has no bar (样本不足)
    assert bars == [("93.00", "446.4"), ("60.00", "288.0")]
    texts = [t.text for t in first.iter(f"{SVG}text")]
    assert "舞阳县供电公司" in texts and "样本不足" in texts and "93.00（第1名）" in texts
    assert len(list(first.iter(f"{SVG}path"))) == 2  # a whisker per interval

    current = _svg(scored, scored.public(f"/rounds/1/charts/ranking.svg?category={GOV}"))
    assert [r.get("data-score") for r in current.iter(f"{SVG}rect")] == [
        "94.67",
        "76.00",
        "25.00",
    ]
    grades = _svg(scored, scored.public("/rounds/1/charts/grades.svg"))
    counts = [(r.get("data-grade"), r.get("data-count")) for r in grades.iter(f"{SVG}rect")]
    assert counts == [("好", "1"), ("中", "1"), ("差", "1")]
    missing = scored.reporting.get(scored.public("/rounds/1/charts/ranking.svg?category=无此类"))
    assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == "category"
