"""An office's XLSX and CSV of a run nobody published say 未发布 in their Chinese name and in
themselves (暂定、未发布 for a provisional run), as its PDF does in its title, so a copy mailed
out of the office never passes for published results; once the run is published its files
carry no such mark. Read back with openpyxl and csv, behind the real services (memory mode),
`helpers`' figures: 公安局 93.00, 教育局 60.00, 供电公司 样本不足."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.reporting.rounds.helpers import (
    GOV,
    Scored,
    provisional_then_final,
    publish,
)

CAMPAIGN = "舞阳县2026年度民主评议政风行风"
UNPUBLISHED = "未发布：此为尚未发布的评议结果，仅供内部核对，不是发布的结果。"
PROVISIONAL = "暂定、未发布：此为暂定的评议结果，尚未发布，仅供内部核对，不是发布的结果。"


@pytest.fixture(scope="module")
def story() -> Iterator[tuple[Scored, dict[str, Any], dict[str, Any]]]:
    """A provisional run, then a final one; nothing published until the last test."""
    with provisional_then_final() as story:
        yield story


def _office(scored: Scored, rest: str) -> Any:
    response = scored.reporting.get(scored.path(f"/rounds/1/{rest}"), headers=scored.office)
    assert response.status_code == 200, response.text
    return response


def _chinese_name(response: Any) -> str:
    found = re.search(r"filename\*=UTF-8''(\S+)", response.headers["content-disposition"])
    assert found is not None, response.headers["content-disposition"]
    return unquote(found[1])


def _ascii_name(response: Any) -> str:
    """What curl -OJ saves: it reads only `filename`."""
    found = re.search(r'filename="([^"]+)"', response.headers["content-disposition"])
    assert found is not None, response.headers["content-disposition"]
    return found[1]


def _csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _check_marked(scored: Scored, query: str, suffix: str, status: str, notice: str) -> None:
    book_response = _office(scored, f"results.xlsx{query}")
    assert _chinese_name(book_response) == f"{CAMPAIGN}-第1轮结果{suffix}.xlsx"
    book = load_workbook(io.BytesIO(book_response.content))
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        # The notice row above the headers, frozen with them, and on the printed page.
        assert rows[0][0] == notice and sheet["A1"].font.bold
        assert rows[1][0] == "类别" and rows[1][-1] == "状态"
        assert sheet.freeze_panes == "A3"
        assert sheet.oddHeader.center.text == notice
        assert {row[-1] for row in rows[2:]} == {status}
    lines = [row for sheet in book.worksheets for row in list(sheet.iter_rows(values_only=True))]
    assert {row[3] for row in lines[2:]} == {"舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"}

    csv_response = _office(scored, f"results.csv{query}")
    assert _chinese_name(csv_response) == f"{CAMPAIGN}-第1轮结果{suffix}.csv"
    header, *body = _csv_rows(csv_response)
    # The headers stay the first row a parser reads; every column keeps its place.
    assert header[:4] == ["类别", "名次", "名次区间", "单位名称"] and header[-1] == "状态"
    read = [dict(zip(header, row, strict=True)) for row in body]
    assert [(r["单位名称"], r["综合得分"], r["状态"]) for r in read] == [
        ("舞阳县公安局", "93.00", status),
        ("舞阳县教育局", "60.00", status),
        ("舞阳县供电公司", "0.00", status),
    ]


def test_the_files_of_an_unpublished_final_run_say_so(story: Any) -> None:
    scored, _, final = story
    for query in ("", f"?run_id={final['run_id']}"):
        _check_marked(scored, query, "（未发布）", "未发布", UNPUBLISHED)
    pdf = _office(scored, "results.pdf")
    assert _chinese_name(pdf) == f"{CAMPAIGN}-第1轮结果（未发布）.pdf"
    assert _ascii_name(pdf).endswith("-unpublished.pdf"), _ascii_name(pdf)
    book = _office(scored, "results.xlsx")
    assert _ascii_name(book) == f"results-round1-run-{final['run_id'][:8]}-unpublished.xlsx"


def test_the_files_of_a_provisional_run_say_so(story: Any) -> None:
    scored, provisional, _ = story
    query = f"?run_id={provisional['run_id']}"
    _check_marked(scored, query, "（暂定，未发布）", "暂定、未发布", PROVISIONAL)
    pdf = _office(scored, f"results.pdf{query}")
    assert _chinese_name(pdf) == f"{CAMPAIGN}-第1轮结果（暂定，未发布）.pdf"
    assert _ascii_name(pdf).endswith("-provisional.pdf"), _ascii_name(pdf)


def test_once_published_the_files_carry_no_mark(story: Any) -> None:
    # Last in the module: it publishes the final run.
    scored, _, final = story
    publish(scored, {"run_id": final["run_id"], "reason": "经县纠风办审定"})
    public_csv = scored.reporting.get(scored.public("/rounds/1/results.csv"))
    office_csv = _office(scored, "results.csv")
    assert office_csv.content == public_csv.content
    for response in (public_csv, office_csv):
        assert _chinese_name(response) == f"{CAMPAIGN}-第1轮结果（第1版）.csv"
        assert "未发布" not in response.content.decode("utf-8-sig")
        header = _csv_rows(response)[0]
        assert header[0] == "类别" and "状态" not in header
    for response in (
        scored.reporting.get(scored.public("/rounds/1/results.xlsx")),
        _office(scored, "results.xlsx"),
    ):
        assert _chinese_name(response) == f"{CAMPAIGN}-第1轮结果（第1版）.xlsx"
        sheet = load_workbook(io.BytesIO(response.content))[GOV]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "类别" and "状态" not in rows[0]
        assert sheet.freeze_panes == "A2" and not sheet.oddHeader.center.text
        assert not any("未发布" in str(value) for row in rows for value in row)
