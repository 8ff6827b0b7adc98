"""Files that are not what an office or agency meant to send, to survey's questionnaire
upload and registry's imports: GBK-encoded CSV (read: the routes accept GB18030, of which GBK
is a part, as a Chinese Windows Excel writes "CSV"), bytes that are neither UTF-8 nor GB18030
(422 naming the encodings), and malformed workbooks: cut short, a zip that is not a workbook,
formulas, a workbook that unpacks past 100 MB, a sheet that claims a million rows, more rows
than the route takes. Never a 5xx; each answer in the shared error shape."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tests.fuzz.checks import request_checked
from tests.fuzz.conftest import UPLOAD_WAVE
from tests.fuzz.seed import Fuzzed
from tests.fuzz.workbooks import with_part, workbook
from tests.harness import ADMIN

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POINT = "舞阳县政务服务中心（北区）"


def units(fuzzed: Fuzzed) -> list[str]:
    """The upload wave's units, which head their rating columns by id (names may have been
    changed by the fuzz tests before these run)."""
    return fuzzed.seeded.ids["unit_id"]


def upload(fuzzed: Fuzzed, content: bytes, content_type: str, filename: str) -> Any:
    wave_id = fuzzed.seeded.ids[UPLOAD_WAVE][0]
    path = f"/waves/{wave_id}/questionnaires:upload"
    return request_checked(
        fuzzed.cluster["survey"],
        "POST",
        path,
        label=f"POST {path} ({filename})",
        params={"filename": filename},
        content=content,
        headers=ADMIN | {"Content-Type": content_type},
    )


def import_units(fuzzed: Fuzzed, content: bytes, content_type: str) -> Any:
    return request_checked(
        fuzzed.cluster["registry"],
        "POST",
        "/imports/units",
        label="POST /imports/units",
        params={"jurisdiction_id": fuzzed.seeded.pool("jurisdiction_id")[0], "dry_run": "true"},
        content=content,
        headers=ADMIN | {"Content-Type": content_type},
    )


def questionnaire_csv(fuzzed: Fuzzed, prefix: str, rows: int) -> str:
    header = ["问卷编号", "采集时间", "测评点", "渠道", *units(fuzzed)]
    lines = [",".join(header)]
    for i in range(rows):
        answers = ["满意", "基本满意", "不满意"]
        lines.append(f"{prefix}-{i:03d},2026-05-12 10:{i:02d},{POINT},测评点," + ",".join(answers))
    return "\r\n".join(lines) + "\r\n"


def test_a_gbk_csv_of_questionnaires_is_read_as_gb18030(fuzzed: Fuzzed) -> None:
    content = questionnaire_csv(fuzzed, "gbk", 3).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the upload really is GBK, not UTF-8 by accident
    answered = upload(fuzzed, content, CSV, "问卷.csv")
    assert answered.status_code == 200, answered.text
    assert answered.json()["accepted"] == 3, answered.text
    wave_id = fuzzed.seeded.ids[UPLOAD_WAVE][0]
    # The list is a view following survey's own log: it may trail the answer a moment.
    fuzzed.cluster.wait_caught_up("survey", "survey")
    listed = fuzzed.cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires", params={"limit": 200}, headers=ADMIN
    )
    points = {q["questionnaire_id"]: q["survey_point"] for q in listed.json()}
    assert {points.get(f"gbk-{i:03d}") for i in range(3)} == {POINT}


def test_a_gbk_csv_of_units_is_read_as_gb18030(fuzzed: Fuzzed) -> None:
    text = "单位名称,单位类型,类别\r\n舞阳县编码测试局,政府部门,政府部门及其它机构\r\n"
    answered = import_units(fuzzed, text.encode("gbk"), CSV)
    assert answered.status_code == 200, answered.text
    report = answered.json()
    assert (report["rows"], report["valid"], report["errors"]) == (1, 1, []), answered.text
    assert report["preview"][0]["name"] == "舞阳县编码测试局", answered.text


UNDECODABLE = "问卷编号,测评点\r\n".encode("gbk") + b"q-1,\x81\x20\xff\xfe\r\n"


@pytest.mark.parametrize("route", ["survey upload", "registry import"])
def test_text_in_no_accepted_encoding_is_422_naming_the_encodings(
    fuzzed: Fuzzed, route: str
) -> None:
    if route == "survey upload":
        answered = upload(fuzzed, UNDECODABLE, CSV, "问卷.csv")
    else:
        answered = import_units(fuzzed, UNDECODABLE, CSV)
    assert answered.status_code == 422, answered.text
    body = answered.json()
    assert body["error"] == "unreadable_file"
    assert body["detail"][0]["field"] == "file"
    assert "GB18030" in body["detail"][0]["reason"] and "UTF-8" in body["detail"][0]["reason"]


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _questionnaire_workbook(unit_ids: list[str], cells: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["问卷编号", "采集时间", "测评点", "渠道", *unit_ids])
    for row in cells:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _claims_a_million_rows(unit_ids: list[str]) -> bytes:
    """A workbook whose only data cell is in the sheet's last row (A1048576)."""
    whole = _questionnaire_workbook(unit_ids, [])
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    last = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>q-last</t></is></c></row>'
    sheet = sheet.replace("</sheetData>", last + "</sheetData>")
    sheet = sheet.replace('<dimension ref="A1:G1"/>', '<dimension ref="A1:XFD1048576"/>')
    return with_part(whole, "xl/worksheets/sheet1.xml", sheet.encode())


def _unpacks_past_100_mb(unit_ids: list[str]) -> bytes:
    """Deflate turns 101 MB of one byte into about 100 KB."""
    whole = _questionnaire_workbook(unit_ids, [])
    return with_part(whole, "xl/sharedStrings.xml", b" " * (101 * 1024 * 1024))


def _too_many_rows(unit_ids: list[str], rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("问卷")
    sheet.append(["问卷编号", "采集时间", "测评点", "渠道", *unit_ids])
    for i in range(rows):
        sheet.append([f"many-{i:05d}", "2026-05-12 10:00", POINT, "测评点", "满意"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WORKBOOKS = {
    "cut short": lambda _units: workbook()[: len(workbook()) // 2],
    "a zip that is not a workbook": lambda _units: _zip({"readme.txt": "这不是工作簿".encode()}),
    "an empty zip": lambda _units: _zip({}),
    "claims a million rows": _claims_a_million_rows,
    "unpacks past 100 MB": _unpacks_past_100_mb,
}


@pytest.mark.parametrize("damage", sorted(WORKBOOKS))
@pytest.mark.parametrize("route", ["survey upload", "registry import"])
def test_a_malformed_workbook_is_a_clear_4xx(fuzzed: Fuzzed, route: str, damage: str) -> None:
    content = WORKBOOKS[damage](units(fuzzed))
    if route == "survey upload":
        answered = upload(fuzzed, content, XLSX, "问卷.xlsx")
    else:
        answered = import_units(fuzzed, content, XLSX)
    if damage == "claims a million rows":
        # Not damaged at all: blank rows are skipped; the one data row is read.
        assert answered.status_code in (200, 422), answered.text
        return
    assert 400 <= answered.status_code < 500, answered.text
    expected = {"unpacks past 100 MB": "file_too_large"}.get(damage, "unreadable_file")
    assert answered.json()["error"] == expected, answered.text


def test_formulas_are_never_taken_as_answers(fuzzed: Fuzzed) -> None:
    """Formula cells carry no value a person typed (the workbook is read for cached values,
    and these have none), so nothing of the formula text reaches the record."""
    formulas = ['=HYPERLINK("http://evil.example","点击")', "=cmd|' /C calc'!A0", "=1+1"]
    content = _questionnaire_workbook(
        units(fuzzed),
        [
            ["formula-001", "2026-05-12 10:00", formulas[0], "测评点", "满意", formulas[1], "满意"],
            [formulas[2], "2026-05-12 10:01", POINT, "测评点", "满意", "满意", "满意"],
        ],
    )
    answered = upload(fuzzed, content, XLSX, "问卷.xlsx")
    assert answered.status_code == 200, answered.text
    wave_id = fuzzed.seeded.ids[UPLOAD_WAVE][0]
    # The list is a view following survey's own log: it may trail the answer a moment.
    fuzzed.cluster.wait_caught_up("survey", "survey")
    listed = fuzzed.cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires", params={"limit": 200}, headers=ADMIN
    )
    assert listed.status_code == 200
    assert not any(f in listed.text for f in ("HYPERLINK", "cmd|", "=1+1"))


def test_more_rows_than_the_upload_takes_is_413(fuzzed: Fuzzed) -> None:
    answered = upload(fuzzed, _too_many_rows(units(fuzzed), 20_001), XLSX, "问卷.xlsx")
    assert answered.status_code == 413, answered.text
    assert answered.json()["error"] == "too_many_rows"


def test_an_upload_past_its_size_is_413(fuzzed: Fuzzed) -> None:
    content = questionnaire_csv(fuzzed, "big", 1).encode() + b"," * (21 * 1024 * 1024)
    answered = upload(fuzzed, content, CSV, "问卷.csv")
    assert answered.status_code == 413, answered.text
    assert answered.json()["detail"][0]["field"] == "file"
