"""A questionnaire workbook as an agency prepares it (services.survey.uploads over the
kernel's reader): an instructions sheet before the questionnaires, a survey point merged
down over its questionnaires' rows. Sheets built here, no store."""

from __future__ import annotations

import io

import openpyxl
import pytest

from services.survey.uploads import SheetRejected, parse_questionnaires
from tests.survey.test_uploads import EDU, HEADER, PLAIN


def test_no_header_on_the_first_sheet_names_the_sheet_that_has_it() -> None:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["填表说明：每行一份问卷"])
    answers = book.create_sheet("问卷")
    answers.append(HEADER)
    answers.append(["Q-1", "2026-05-01 10:00", "P01", "测评点", "满意"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetRejected) as refused:
        parse_questionnaires(out.getvalue(), "问卷.xlsx", PLAIN)
    (problem,) = refused.value.problems
    assert problem["code"] == "missing_header"
    assert "说明、问卷" in problem["reason"]
    assert "表头在工作表“问卷”中" in problem["reason"]
    assert "first sheet" in problem["reason"]


def test_a_survey_point_merged_down_is_each_questionnaires() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["Q-1", "2026-05-01 10:00", "P01", "测评点", "满意"])
    sheet.append(["Q-2", "2026-05-01 10:05", None, "测评点", "不满意"])
    sheet.merge_cells("C2:C3")
    out = io.BytesIO()
    book.save(out)
    parsed = parse_questionnaires(out.getvalue(), "问卷.xlsx", PLAIN)
    assert parsed.errors == []
    assert [(n, item["survey_point"], item["ratings"][EDU]) for n, item in parsed.rows] == [
        (2, "P01", "满意"),
        (3, "P01", "不满意"),
    ]
