"""Questionnaire uploads (services.survey.uploads): sheets built here, no store involved."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import openpyxl
import pytest
from pydantic import TypeAdapter

from services.survey.uploads import (
    MAX_ROWS,
    RowError,
    SheetRejected,
    UploadLayout,
    layout_template,
    parse_channel,
    parse_moment,
    parse_questionnaires,
)
from shared.contracts.survey import Answers, Channel
from shared.tabular import TooManyRows, UnreadableFile, UnsupportedFile
from shared.types import Moment

EDU = "6f1c7a52-1b0e-4d5a-9a55-000000000001"
HEALTH = "6f1c7a52-1b0e-4d5a-9a55-000000000002"
POWER = "6f1c7a52-1b0e-4d5a-9a55-000000000003"
UNITS = [(EDU, "区教育局"), (HEALTH, "区卫健委"), (POWER, "国网供电公司(开发区)")]
PLAIN = UploadLayout(units=UNITS, dimensions=[], opinions=False, recommendations=False)
FULL = UploadLayout(
    units=UNITS,
    dimensions=[("attitude", "服务态度"), ("efficiency", "办事效率")],
    opinions=True,
    recommendations=True,
)
ANSWER_KEYS = ("ratings", "dimension_ratings", "opinions", "recommended_key_targets")
KEYS = {
    "questionnaire_id",
    "collected_at",
    "survey_point",
    "channel",
    "group",
    "device",
    "ratings",
    "dimension_ratings",
    "opinions",
    "recommended_key_targets",
}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse(
    rows: list[list[str]], layout: UploadLayout = PLAIN
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    sheet = parse_questionnaires(csv_bytes(rows), "问卷.csv", layout)
    return sheet.rows, sheet.errors


def codes(errors: list[RowError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in errors]


def refused(rows: list[list[str]], layout: UploadLayout = PLAIN) -> list[tuple[int, str, str]]:
    """The problems of a sheet refused whole (its header's), as (row, column, code)."""
    with pytest.raises(SheetRejected) as caught:
        parse(rows, layout)
    assert caught.value.status_code == 422
    assert caught.value.body()["error"] == "sheet_rejected"
    return [(p["row"], p["column"], p["code"]) for p in caught.value.problems]


HEADER = ["问卷编号", "采集时间", "测评点", "渠道", "区教育局", "区卫健委", "国网供电公司(开发区)"]


def test_a_plain_sheet_becomes_batch_items() -> None:
    parsed, errors = parse(
        [
            HEADER,
            ["Q-001", "2026-05-01 10:00", "P01", "测评点", "满意", "基本满意", ""],
            ["Q-002", "2026-05-01T10:05:00+08:00", "", "paper", "不满意", "", "不了解"],
        ]
    )
    assert errors == []
    assert [number for number, _ in parsed] == [2, 3]
    first = parsed[0][1]
    assert set(first) == KEYS
    assert first == {
        "questionnaire_id": "Q-001",
        "collected_at": "2026-05-01T10:00:00+08:00",
        "survey_point": "P01",
        "channel": "survey_point",
        "group": None,
        "device": None,
        "ratings": {EDU: "满意", HEALTH: "基本满意"},
        "dimension_ratings": {},
        "opinions": [],
        "recommended_key_targets": [],
    }
    second = parsed[1][1]
    assert (second["survey_point"], second["channel"]) == (None, "paper")
    assert second["ratings"] == {EDU: "不满意", POWER: "不了解"}


def test_every_column_of_a_full_template() -> None:
    header = [
        "questionnaire_id",
        "Collected_At",
        "survey_point",
        "channel",
        "群体",
        "设备",
        "区教育局",
        "区教育局|服务态度",
        "区教育局｜efficiency",  # full-width bar, code instead of name
        "区教育局|意见建议",
        HEALTH,  # a unit by its id
        f"{HEALTH}|服务态度",
        "区卫健委|办事效率",
        "国网供电公司（开发区）",  # full-width brackets: NFKC
        "国网供电公司(开发区)|服务态度",
        "国网供电公司(开发区)|办事效率",
        "意见建议",
        "推荐重点评议对象",
    ]
    row = [
        "A7",
        "2026/5/1 9:30",
        "P02",
        "服务大厅评价器",
        "enterprise",
        "HALL-3",
        "满意",
        "满意",
        "一般",
        "窗口排队太久\n希望增加窗口",
        "",
        "",
        "",
        "8",
        "9",
        "10",
        "总体不错",
        f"区卫健委、 国网供电公司(开发区)；{EDU};区卫健委",
    ]
    parsed, errors = parse([header, row], FULL)
    assert errors == []
    [(number, item)] = parsed
    assert number == 2
    assert item == {
        "questionnaire_id": "A7",
        "collected_at": "2026-05-01T09:30:00+08:00",
        "survey_point": "P02",
        "channel": "service_hall_device",
        "group": "enterprise",
        "device": "HALL-3",
        "ratings": {EDU: "满意", POWER: "8"},
        "dimension_ratings": {
            EDU: {"attitude": "满意", "efficiency": "一般"},
            POWER: {"attitude": "9", "efficiency": "10"},
        },
        "opinions": [
            {"unit_id": None, "text": "总体不错"},
            {"unit_id": EDU, "text": "窗口排队太久\n希望增加窗口"},
        ],
        "recommended_key_targets": [HEALTH, POWER, EDU],
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_parses_back_and_is_empty(fmt: str) -> None:
    data = layout_template(FULL, fmt)  # type: ignore[arg-type]
    with pytest.raises(SheetRejected) as caught:
        parse_questionnaires(data, f"模板.{fmt}", FULL)
    assert [(p["row"], p["code"]) for p in caught.value.problems] == [(1, "no_rows")]
    if fmt == "csv":
        assert data.startswith(codecs.BOM_UTF8)
        header = data.decode("utf-8-sig").splitlines()[0].split(",")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        header = [str(cell.value) for cell in sheet[1]]
        assert sheet.max_row == 1
    assert header[:6] == ["问卷编号", "采集时间", "测评点", "渠道", "群体", "设备"]
    assert header[6:10] == [
        "区教育局",
        "区教育局|服务态度",
        "区教育局|办事效率",
        "区教育局|意见建议",
    ]
    assert header[-2:] == ["意见建议", "推荐重点评议对象"]
    assert len(header) == 6 + 3 * 4 + 2


def test_the_plain_template_has_no_optional_template_columns() -> None:
    data = layout_template(PLAIN, "csv")
    assert data.decode("utf-8-sig").strip().split(",") == [
        "问卷编号",
        "采集时间",
        "测评点",
        "渠道",
        "群体",
        "设备",
        "区教育局",
        "区卫健委",
        "国网供电公司(开发区)",
    ]


def test_gb18030_csv_with_trailing_blank_rows() -> None:
    rows = [HEADER, ["Q-1", "2026-05-01 10:00", "", "电话", "满意", "", ""], [], ["", ""], []]
    data = csv_bytes(rows, "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    sheet = parse_questionnaires(data, "问卷.CSV", PLAIN)
    parsed, errors = sheet.rows, sheet.errors
    assert errors == []
    assert [(n, q["channel"], q["ratings"]) for n, q in parsed] == [(2, "phone", {EDU: "满意"})]


def test_utf8_bom_and_tab_separated() -> None:
    text = "\r\n".join(
        "\t".join(row) for row in [HEADER, ["Q-1", "2026-05-01 10:00", "", "", "满意", "", ""]]
    )
    sheet = parse_questionnaires(codecs.BOM_UTF8 + text.encode(), "q.txt", PLAIN)
    assert sheet.errors == [] and sheet.rows[0][1]["questionnaire_id"] == "Q-1"


def test_xlsx_with_a_title_row_and_typed_cells() -> None:
    data = xlsx_bytes(
        [
            ["2026年民主评议问卷录入表"],
            HEADER,
            [1001, datetime(2026, 5, 1, 10, 0), "P01", "网上", "满意", None, "基本满意"],
            [None, None, None],
            [1002, datetime(2026, 5, 1, 10, 1, 30), None, None, None, "满意", None],
        ]
    )
    sheet = parse_questionnaires(data, "问卷.xlsx", PLAIN)
    parsed = sheet.rows
    assert sheet.errors == []
    assert [(n, q["questionnaire_id"], q["collected_at"]) for n, q in parsed] == [
        (3, "1001", "2026-05-01T10:00:00+08:00"),
        (5, "1002", "2026-05-01T10:01:30+08:00"),
    ]
    assert parsed[0][1]["channel"] == "online"


def test_header_problems_refuse_the_sheet_and_are_all_reported() -> None:
    """A wrong header would drop or misread a column's cells in every row: the sheet is
    refused whole (422), every header problem listed on the header's row; a unit without
    a column is no problem (no row rates it)."""
    header = ["问卷编号", "备注", "区教育局", "区教育局 ", "区卫健委|服务态度", "序号"]
    with pytest.raises(SheetRejected) as caught:
        parse([header, ["Q-1", "x", "满意", "满意", "", "1"]])
    problems = caught.value.problems
    assert [(p["row"], p["column"], p["code"]) for p in problems] == [
        (1, "备注", "unknown_column"),
        (1, "区教育局", "duplicate_column"),
        (1, "区卫健委|服务态度", "unknown_column"),  # the plain template has no dimensions
        (1, "采集时间", "missing_column"),
    ]
    assert "unknown column" in problems[0]["reason"]
    assert {p["field"] for p in problems} == {"header"}
    assert {p["questionnaire_id"] for p in problems} == {None}


def test_units_without_a_column_are_rated_by_no_row() -> None:
    header = ["问卷编号", "采集时间", "区教育局"]
    parsed, errors = parse([header, ["Q-1", "2026-05-01 10:00", "满意"]])
    assert errors == []
    assert [(n, q["ratings"]) for n, q in parsed] == [(2, {EDU: "满意"})]


def test_a_header_without_any_unit_column_refuses_the_sheet() -> None:
    assert refused([["问卷编号", "采集时间", "测评点"], ["Q-1", "2026-05-01 10:00", "P"]]) == [
        (1, "", "missing_column")
    ]


def test_dimension_columns_are_optional_even_when_the_template_has_dimensions() -> None:
    """Dimension ratings are optional in a questionnaire, so their columns may be left out."""
    header = ["问卷编号", "采集时间", "区教育局", "区卫健委", "国网供电公司(开发区)"]
    parsed, errors = parse([header, ["Q-1", "2026-05-01 10:00", "满意", "", ""]], FULL)
    assert [e for e in errors if e.code == "missing_column"] == []
    assert [item["dimension_ratings"] for _, item in parsed] == [{}]


def test_cell_problems_are_all_reported_by_row_and_header() -> None:
    rows = [
        HEADER,
        ["Q-1", "2026-05-01", "P01", "微信", "满意\x07", "", ""],
        ["", "yesterday", "", "", "满意", "", ""],
        ["Q-3", "2026-02-30 10:00", "", "paper", "满意", "", ""],
        ["Q-4", "2026-05-01 10:00+25:00", "", "", "满意", "", ""],
        ["Q-5", "2026-05-01 10:00", "P\u2028Q", "", "满意", "", ""],
        ["Q-6", "2026-05-01 10:00", "", "", "满意", "", ""],
    ]
    parsed, errors = parse(rows)
    assert codes(errors) == [
        (2, "采集时间", "bad_cell"),
        (2, "渠道", "bad_cell"),
        (2, "区教育局", "bad_cell"),
        (3, "问卷编号", "missing_value"),
        (3, "采集时间", "bad_cell"),
        (4, "采集时间", "bad_cell"),
        (5, "采集时间", "bad_cell"),
        (6, "测评点", "bad_cell"),
    ]
    reasons = {(e.row, e.column): e.reason for e in errors}
    assert "time of day" in reasons[(2, "采集时间")]
    assert "paper（纸质问卷）" in reasons[(2, "渠道")]
    assert "U+0007" in reasons[(2, "区教育局")]
    assert "one line" in reasons[(6, "测评点")]
    assert [n for n, _ in parsed] == [7]
    # Each names the field it fills, as a JSON push would, and the row's questionnaire.
    assert [(e.row, e.field, e.questionnaire_id) for e in errors if e.row in (2, 3)] == [
        (2, "collected_at", "Q-1"),
        (2, "channel", "Q-1"),
        (2, f"ratings.{EDU}", "Q-1"),
        (3, "questionnaire_id", None),
        (3, "collected_at", None),
    ]


def test_a_questionnaire_id_twice_in_the_file() -> None:
    row = ["Q-1", "2026-05-01 10:00", "", "", "满意", "", ""]
    parsed, errors = parse([HEADER, row, row, row])
    assert codes(errors) == [(3, "问卷编号", "repeated"), (4, "问卷编号", "repeated")]
    assert "第 2 行" in errors[0].reason
    assert [n for n, _ in parsed] == [2]


def test_unknown_or_ambiguous_recommendations() -> None:
    twins = UploadLayout(
        units=[(EDU, "区教育局"), (HEALTH, "区教育局"), (POWER, "国网供电公司")],
        dimensions=[],
        opinions=False,
        recommendations=True,
    )
    header = ["问卷编号", "采集时间", EDU, HEALTH, "国网供电公司", "推荐重点评议对象"]
    rows = [
        header,
        ["Q-1", "2026-05-01 10:00", "满意", "", "", "区教育局;不存在局"],
        ["Q-2", "2026-05-01 10:00", "满意", "", "", f"{HEALTH.upper()}、国网供电公司"],
    ]
    parsed, errors = parse(rows, twins)
    assert codes(errors) == [(2, "推荐重点评议对象", "bad_cell")] * 2
    assert "区教育局" in errors[0].reason and "不存在局" in errors[1].reason
    assert [(n, q["recommended_key_targets"]) for n, q in parsed] == [(3, [HEALTH, POWER])]


def test_two_units_with_one_name_must_be_headed_by_id() -> None:
    twins = UploadLayout(
        units=[(EDU, "区教育局"), (HEALTH, "区教育局")],
        dimensions=[("attitude", "服务态度")],
        opinions=False,
        recommendations=False,
    )
    header = layout_template(twins, "csv").decode("utf-8-sig").strip().split(",")
    assert header[6:] == [EDU, f"{EDU}|服务态度", HEALTH, f"{HEALTH}|服务态度"]
    by_name = [
        "问卷编号",
        "采集时间",
        "区教育局",
        "区教育局|服务态度",
        HEALTH,
        f"{HEALTH}|服务态度",
    ]
    with pytest.raises(SheetRejected) as caught:
        parse([by_name, ["Q-1", "2026-05-01 10:00", "满意", "", "", ""]], twins)
    problems = caught.value.problems
    assert [(p["row"], p["column"], p["code"]) for p in problems] == [
        (1, "区教育局", "ambiguous_column"),
        (1, "区教育局|服务态度", "ambiguous_column"),
    ]
    assert EDU in problems[0]["reason"] and HEALTH in problems[0]["reason"]


def test_a_unit_named_like_a_fixed_column_is_headed_by_id() -> None:
    odd = UploadLayout(units=[(EDU, "渠道")], dimensions=[], opinions=False, recommendations=False)
    header = layout_template(odd, "csv").decode("utf-8-sig").strip().split(",")
    assert header[-1] == EDU
    parsed, errors = parse([header, ["Q", "2026-05-01 10:00", "", "电话", "", "", "满意"]], odd)
    assert errors == [] and parsed[0][1]["ratings"] == {EDU: "满意"}
    assert parsed[0][1]["channel"] == "phone"


def test_a_damaged_xlsx_is_unreadable() -> None:
    whole = layout_template(FULL, "xlsx")
    with pytest.raises(UnreadableFile):
        parse_questionnaires(whole[: len(whole) // 2], "问卷.xlsx", FULL)
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            broken = content[:-40] if name == "xl/worksheets/sheet1.xml" else content
            archive.writestr(name, broken)
    with pytest.raises(UnreadableFile):
        parse_questionnaires(out.getvalue(), "问卷.xlsx", FULL)


def test_foreign_and_empty_files() -> None:
    with pytest.raises(UnsupportedFile):
        parse_questionnaires(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "问卷.xls", PLAIN)
    with pytest.raises(UnsupportedFile):
        parse_questionnaires(b"%PDF-1.4", "问卷.pdf", PLAIN)
    with pytest.raises(UnreadableFile):
        parse_questionnaires(b"\r\n ", "问卷.csv", PLAIN)
    assert refused([["姓名", "电话"], ["张三", "1"]]) == [(1, "", "missing_header")]


def test_ten_thousand_questionnaires_in_xlsx() -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for i in range(10_000):
        sheet.append([f"Q{i:05d}", f"2026-05-01 {i // 600 % 24:02d}:{i % 60:02d}", "P", "", "满意"])
    for _ in range(5):
        sheet.append([])
    out = io.BytesIO()
    book.save(out)
    sheet = parse_questionnaires(out.getvalue(), "big.xlsx", PLAIN)
    parsed = sheet.rows
    assert sheet.errors == []
    assert len(parsed) == 10_000
    assert parsed[-1] == (10_001, parsed[-1][1])
    assert parsed[-1][1]["ratings"] == {EDU: "满意"}


def test_more_than_max_rows_is_refused() -> None:
    rows = [HEADER, *([f"Q{i}", "2026-05-01 10:00", "", "", "满意"] for i in range(MAX_ROWS + 1))]
    with pytest.raises(TooManyRows):
        parse(rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01 10:00", "2026-05-01T10:00:00+08:00"),
        ("2026/5/1 9:05", "2026-05-01T09:05:00+08:00"),
        ("2026-05-01T10:00:00Z", "2026-05-01T10:00:00+00:00"),
        ("2026-05-01T10:00:00.5-05:30", "2026-05-01T10:00:00.500000-05:30"),
        ("2026-05-01 10:00:00+0800", "2026-05-01T10:00:00+08:00"),
    ],
)
def test_moments(text: str, expected: str) -> None:
    moment = parse_moment(text)
    assert isinstance(moment, datetime) and moment.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("2017-13-01", "日期不存在“2017-13-01”，且缺少时刻"),  # no 13th month
        ("2026/2/30", "日期不存在“2026/2/30”，且缺少时刻"),
        ("2026-05-01", "缺少时刻“2026-05-01”"),  # a real date: only the time is missing
        ("2017-13-01 10:00", "日期时间不存在“2017-13-01 10:00”"),
    ],
)
def test_an_impossible_date_is_told_as_impossible(text: str, told: str) -> None:
    """A date that does not exist is said to, not only that a time of day is missing."""
    reason = parse_moment(text)
    assert isinstance(reason, str) and reason.startswith(told), reason


def test_channels_by_code_or_label() -> None:
    assert parse_channel("纸质问卷") == Channel.PAPER
    assert parse_channel(" Online ") == Channel.ONLINE
    assert parse_channel("微信") is None


def test_items_fit_the_published_answers_and_a_moment() -> None:
    """The caller validates items with its request model; the shapes are the contract's."""
    header = layout_template(FULL, "csv").decode("utf-8-sig").strip().split(",")
    row = ["Q", "2026-05-01 10:00", "", "", "", "", "满意", "满意", "", "差", *[""] * 8]
    row += ["好", f"区卫健委;{POWER}"]
    [(_, item)], errors = parse([header, row], FULL)
    assert errors == []
    answers = Answers.model_validate({key: item[key] for key in ANSWER_KEYS})
    assert answers.opinions[1].unit_id == UUID(EDU)
    assert answers.recommended_key_targets == (UUID(HEALTH), UUID(POWER))
    moment = TypeAdapter(Moment).validate_python(item["collected_at"])
    assert moment.utcoffset() == timedelta(hours=8)


def test_a_dimension_named_like_the_opinion_column_is_headed_by_code() -> None:
    odd = UploadLayout(
        units=[(EDU, "区教育局")],
        dimensions=[("advice", "意见建议")],
        opinions=True,
        recommendations=False,
    )
    header = layout_template(odd, "csv").decode("utf-8-sig").strip().split(",")
    assert header[6:] == ["区教育局", "区教育局|advice", "区教育局|意见建议", "意见建议"]
    row = ["Q", "2026-05-01 10:00", "", "", "", "", "满意", "一般", "太慢", ""]
    [(_, item)], errors = parse([header, row], odd)
    assert errors == []
    assert item["dimension_ratings"] == {EDU: {"advice": "一般"}}
    assert item["opinions"] == [{"unit_id": EDU, "text": "太慢"}]
