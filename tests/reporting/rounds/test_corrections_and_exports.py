"""A correction after publication, and the files: version 1 is published, two more
questionnaires arrive, a new final run is published as version 2 with a reason, and version 1
stays visible as superseded. The XLSX and CSV of each are opened and read back; the charts,
the page and the PDF of the same story are `test_corrected_documents`'.

After `helpers.more_answers` (worked by hand):
  公安局 满意×5 + 基本满意 → 580 / 6 = 96.67 − 2 = 94.67 → 好, rank 1
  教育局 满意×3 + 基本满意 + 不满意 → 380 / 5 = 76.00 → 中, rank 2
  供电公司 不满意×3 + 满意 → 100 / 4 = 25.00 → 差, rank 3; shares 25.00 / 0.00 / 75.00
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.documents import pdf_text
from tests.reporting.rounds.helpers import (
    CORRECTION,
    GOV,
    SERVICES,
    Scored,
    corrected_round,
    publish,
)


@pytest.fixture(scope="module")
def corrected() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    with Cluster(in_memory(), SERVICES) as cluster:
        yield corrected_round(cluster)


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

    v2 = publish(scored, {"run_id": second["run_id"], "reason": CORRECTION})
    assert (v2["version"], v2["supersedes"], v2["reason"]) == (2, 1, CORRECTION)

    now = scored.reporting.get(scored.public("/rounds/1")).json()
    assert now["run_id"] == second["run_id"] and now["published"]["version"] == 2
    statuses = [(v["version"], v["status"]) for v in now["publication"]["versions"]]
    assert statuses == [(1, "superseded"), (2, "current")]
    scores = {e["unit_name"]: e["score"] for c in now["categories"] for e in c["entries"]}
    assert scores == {"舞阳县公安局": "94.67", "舞阳县教育局": "76.00", "舞阳县供电公司": "25.00"}

    old = scored.reporting.get(scored.public("/rounds/1?version=1")).json()
    assert old["run_id"] == first["run_id"] and old["published"]["status"] == "superseded"
    absent = scored.reporting.get(scored.public("/rounds/1?version=3"))
    assert absent.status_code == 404 and absent.json()["detail"][0]["field"] == "query.version"

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


def test_the_office_files_of_a_superseded_run_say_so(corrected: Any) -> None:
    # An office's copy of the run version 2 corrected is version 1's file, notice and all,
    # as its PDF is: a copy passed on from the office shows it is out of date too.
    scored, first, second = corrected
    notice = "此为已更正的旧版本：第1版已由"
    office = f"/rounds/1/results.xlsx?run_id={first['run_id']}"
    book = _xlsx(scored, scored.path(office), scored.office)
    sheet = book[GOV]
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith(notice) and rows[1][0] == "类别"
    assert sheet.freeze_panes == "A3" and str(sheet.oddHeader.center.text).startswith(notice)
    assert [(row[3], row[4]) for row in rows[2:]] == [
        ("舞阳县公安局", 93),
        ("舞阳县教育局", 60),
        ("舞阳县供电公司", 0),
    ]
    assert rows[4][9] == "样本不足" and rows[4][1] is None

    csv_of = scored.reporting.get(
        scored.path(f"/rounds/1/results.csv?run_id={first['run_id']}"), headers=scored.office
    )
    public = scored.reporting.get(scored.public("/rounds/1/results.csv?version=1"))
    # The CSV's mark is its last column on every row: its headers stay its first row.
    header, *lines = csv.reader(io.StringIO(csv_of.content.decode("utf-8-sig")))
    assert header[0] == "类别" and header[-1] == "状态"
    assert [line[-1] for line in lines] == ["第1版，已由第2版更正"] * 3
    assert rows[2][-1] == "第1版，已由第2版更正", "the workbook has the column too"
    assert csv_of.content == public.content
    assert _filenames(csv_of) == _filenames(public)

    # The run in force carries none.
    current = scored.reporting.get(
        scored.path(f"/rounds/1/results.csv?run_id={second['run_id']}"), headers=scored.office
    )
    current_header = next(csv.reader(io.StringIO(current.content.decode("utf-8-sig"))))
    assert current_header[:2] == ["类别", "名次"] and "状态" not in current_header
    current_book = _xlsx(scored, scored.path("/rounds/1/results.xlsx"), scored.office)
    assert current_book[GOV]["A1"].value == "类别"


def test_the_csv_opens_in_excel(corrected: Any) -> None:
    scored, _, _ = corrected
    response = scored.reporting.get(scored.public("/rounds/1/results.csv?version=1"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # Version 1 was corrected by version 2: every row says so in its last column, and the
    # headers stay the first row, which is what programs reading a CSV take them to be.
    header = rows[0]
    assert header[:2] == ["类别", "名次"] and header[-1] == "状态"
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert {line["状态"] for line in lines} == {"第1版，已由第2版更正"}
    assert [(r["单位名称"], r["名次"], r["综合得分"], r["等级"]) for r in lines] == [
        ("舞阳县公安局", "1", "93.00", "好"),
        ("舞阳县教育局", "2", "60.00", "差"),
        ("舞阳县供电公司", "", "0.00", ""),
    ]
    assert lines[2]["样本不足"] == "样本不足"
    assert Decimal(lines[0]["问卷测评群众满意度·满意（%）"]) == Decimal("75.00")


def _filenames(response: Any) -> tuple[str, str]:
    found = re.fullmatch(
        r"""attachment; filename="([^"]+)"; filename\*=UTF-8''(\S+)""",
        response.headers["content-disposition"],
    )
    assert found is not None, response.headers["content-disposition"]
    return found[1], unquote(found[2])


def test_a_superseded_version_says_so_in_every_file(corrected: Any) -> None:
    scored, _, _ = corrected
    notice = "此为已更正的旧版本：第1版已由"
    old_book = _xlsx(scored, scored.public("/rounds/1/results.xlsx?version=1"))
    for sheet in old_book.worksheets:
        assert str(sheet["A1"].value).startswith(notice) and sheet["A2"].value == "类别"
        assert sheet.freeze_panes == "A3"
        assert str(sheet.oddHeader.center.text).startswith(notice)
    current_book = _xlsx(scored, scored.public("/rounds/1/results.xlsx"))
    assert current_book[GOV]["A1"].value == "类别" and current_book[GOV].freeze_panes == "A2"
    current_csv = scored.reporting.get(scored.public("/rounds/1/results.csv"))
    current_header = next(csv.reader(io.StringIO(current_csv.content.decode("utf-8-sig"))))
    assert current_header[:2] == ["类别", "名次"] and "状态" not in current_header

    old_pdf = scored.reporting.get(scored.public("/rounds/1/results.pdf?version=1"))
    text = pdf_text(old_pdf.content)[0]
    assert "第1轮评议结果（第1版，已更正）" in text and notice in text
    again = scored.reporting.get(scored.public("/rounds/1/results.pdf?version=1"))
    assert again.content == old_pdf.content, "the same state gives the same bytes"
    now = scored.reporting.get(scored.public("/rounds/1/results.pdf"))
    current = pdf_text(now.content)[0]
    assert "第1轮评议结果（第2版）" in current and notice not in current


def test_files_have_meaningful_ascii_names(corrected: Any) -> None:
    scored, first, _ = corrected
    campaign = "舞阳县2026年度民主评议政风行风"
    for query, ascii_name, chinese in [
        ("?version=1", "results-round1-v1-superseded", f"{campaign}-第1轮结果（第1版，已更正）"),
        ("", "results-round1-v2", f"{campaign}-第1轮结果（第2版）"),
    ]:
        for ext in ("csv", "xlsx", "pdf"):
            response = scored.reporting.get(scored.public(f"/rounds/1/results.{ext}{query}"))
            assert _filenames(response) == (f"{ascii_name}.{ext}", f"{chinese}.{ext}")
    # An office's PDF of a run that was published is that version's, never 未发布.
    office = scored.reporting.get(
        scored.path(f"/rounds/1/results.pdf?run_id={first['run_id']}"), headers=scored.office
    )
    assert _filenames(office) == (
        "results-round1-v1-superseded.pdf",
        f"{campaign}-第1轮结果（第1版，已更正）.pdf",
    )
    public = scored.reporting.get(scored.public("/rounds/1/results.pdf?version=1"))
    assert office.content == public.content
    current = scored.reporting.get(scored.path("/rounds/1/results.pdf"), headers=scored.office)
    assert _filenames(current) == ("results-round1-v2.pdf", f"{campaign}-第1轮结果（第2版）.pdf")
