"""Questionnaire uploads through HTTP (memory mode, registry and survey running): the
district and panel-member columns, formula cells, problems naming their column, a header
that leaves units out or is wrong, and the Content-Type deciding the format."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from shared.tabular import XLSX
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, created, open_wave, response_count

CYCLE = "2026"
NAMES = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]


def _template(cluster: Cluster, world: World, **changes: Any) -> str:
    body = {
        "jurisdiction_id": world.county_id,
        "name": "问卷模板",
        "scale": "four_level",
    } | changes
    response = cluster["survey"].post("/templates", json=body, headers=world.county_office.headers)
    return str(created(response)["template_id"])


def _header(cluster: Cluster, world: World, wave_id: str) -> list[str]:
    response = cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires:template?format=csv", headers=world.agency.headers
    )
    assert response.status_code == 200, response.text
    header: list[str] = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    return header


def _csv(rows: list[list[str]]) -> bytes:
    return ("\r\n".join(",".join(row) for row in rows) + "\r\n").encode("utf-8")


def _upload(
    cluster: Cluster,
    world: World,
    wave_id: str,
    content: bytes,
    content_type: str | None = "text/csv",
    **params: Any,
) -> Any:
    headers = world.agency.headers | ({"Content-Type": content_type} if content_type else {})
    return cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:upload", content=content, headers=headers, params=params
    )


def _problems(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["row"], p["questionnaire_id"], p["field"], p.get("column"), p["code"])
        for p in body["problems"]
    ]


def test_a_wave_asking_the_district_takes_it_by_name_or_id(cluster: Cluster, world: World) -> None:
    template_id = _template(cluster, world, asks_district=True)
    wave_id = open_wave(cluster, world, template_id=template_id)["wave_id"]
    header = _header(cluster, world, wave_id)
    assert header == ["问卷编号", "采集时间", "测评点", "渠道", "群体", "设备", "区县", *NAMES]
    fixed = ["2026-05-12 10:30", "", "纸质问卷", "", ""]
    rows = [
        header,
        ["D-1", *fixed, "舞阳县", "满意", "", ""],  # by name: one of the wave's jurisdictions
        ["D-2", *fixed, world.county_id, "满意", "", ""],
        ["D-3", *fixed, "临颍县", "满意", "", ""],  # another county's, not the wave's
        ["D-4", *fixed, "", "满意", "", ""],
    ]
    answered = _upload(cluster, world, wave_id, _csv(rows))
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"]) == (2, 2), body
    assert _problems(body) == [
        (4, "D-3", "rows.4.district_id", "区县", "district"),
        (5, "D-4", "rows.5.district_id", "区县", "missing_value"),
    ]
    # Without the column, the sheet is refused whole instead of every row.
    without = _upload(cluster, world, wave_id, _csv([NAMES, ["满意", "", ""]]))
    assert without.status_code == 422
    cluster.wait_caught_up("survey", "survey")
    listed = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    assert {q["questionnaire_id"] for q in listed} == {"D-1", "D-2"}


def _appointed(cluster: Cluster, world: World, count: int) -> list[str]:
    registry = cluster["registry"]
    rows = [
        {"jurisdiction_id": world.county_id, "name": f"评议代表{i}", "sector": "人大代表"}
        for i in range(count)
    ]
    people = created(registry.post("/people:batch", json={"people": rows}, headers=ADMIN))
    ids = [str(person["person_id"]) for person in people["people"]]
    appointment = {
        "body": {"kind": "office", "jurisdiction_id": world.county_id},
        "cycle": CYCLE,
        "purpose": "general",
    }
    for person_id in ids:
        created(registry.post(f"/people/{person_id}/appointments", json=appointment, headers=ADMIN))
    cluster.wait_caught_up("survey", "registry")
    return ids


def test_a_representative_evaluation_takes_the_panel_member_from_the_sheet(
    cluster: Cluster, world: World
) -> None:
    member, other = _appointed(cluster, world, 2)
    wave_id = open_wave(
        cluster,
        world,
        kind="representative_evaluation",
        panel_body_id=world.county_id,
        panel_cycle=CYCLE,
    )["wave_id"]
    header = _header(cluster, world, wave_id)
    assert header[6:] == ["评议代表", *NAMES]
    fixed = ["2026-05-12 10:30", "", "纸质问卷", "", ""]
    outsider = world.unit_ids[0]  # an id, but no panel member's
    rows = [
        header,
        ["R-1", *fixed, member, "满意", "基本满意", ""],
        ["R-2", *fixed, outsider, "满意", "", ""],
        ["R-3", *fixed, "张三", "满意", "", ""],
        ["R-4", *fixed, member, "不满意", "", ""],
        ["R-5", *fixed, other, "", "", "满意"],
    ]
    answered = _upload(cluster, world, wave_id, _csv(rows))
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"]) == (2, 3), body
    assert _problems(body) == [
        (3, "R-2", "rows.3.respondent_id", "评议代表", "panel"),
        (4, "R-3", "rows.4.respondent_id", "评议代表", "uuid_parsing"),
        (5, "R-4", "rows.5.questionnaire_id", "问卷编号", "repeated"),
    ]


def _workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_problems_name_the_column_and_the_questionnaire(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    header = ["问卷编号", "采集时间", "测评点", *NAMES]
    point = "舞阳县政务服务中心"
    content = _workbook(
        [
            header,
            ["F-1", "2026-05-12 10:30", point, "满意", "=1+1", "满意"],  # a formula, no value
            ["F-2", "2026-05-12 10:31", point, "非常满意", "满意", ""],  # another scale's
            ["F-3", "2026-05-12 10:32", point, "满意", "", "满意"],
            ["F-4", "2026-05-12 10:33", point, "满意", "", "很好"],  # no scale's answer
        ]
    )
    answered = _upload(cluster, world, wave_id, content, XLSX, filename="问卷.xlsx")
    assert answered.status_code == 200, answered.text
    body = answered.json()
    education, police = world.unit_ids[1], world.unit_ids[0]
    power = world.unit_ids[2]
    assert (body["accepted"], body["rejected"]) == (1, 3), body
    assert _problems(body) == [
        (2, "F-1", f"rows.2.ratings.{education}", "舞阳县教育局", "bad_cell"),
        (3, "F-2", f"rows.3.ratings.{police}", "舞阳县公安局", "scale"),
        (5, "F-4", f"rows.5.ratings.{power}", "舞阳县供电公司", "scale"),
    ]
    assert "formula" in body["problems"][0]["reason"]
    # An answer on no scale reads as another scale's does, not as every scale's list: the
    # same words, each quoting the value read.
    no_scale, other_scale = body["problems"][2]["reason"], body["problems"][1]["reason"]
    assert "：“很好”" in no_scale
    assert no_scale.replace("“很好”", "“非常满意”") == other_scale
    # All or nothing: the refusal names the columns as well.
    again = _upload(cluster, world, wave_id, content, XLSX, all_or_nothing="true")
    assert again.status_code == 422, again.text
    assert [p.get("column") for p in again.json()["detail"]] == [
        "舞阳县教育局",
        "舞阳县公安局",
        "舞阳县供电公司",
    ]


def test_a_json_push_problem_has_no_column(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    bad = {"questionnaire_id": "J-1", "collected_at": "2026-05-12T10:30:00+08:00", "ratings": {}}
    answered = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": [bad]},
        headers=world.agency.headers,
    )
    assert answered.status_code == 200, answered.text
    assert [set(p) for p in answered.json()["problems"]] == [
        {"row", "questionnaire_id", "field", "reason", "code"}
    ]


def test_a_header_leaving_units_out_rates_them_in_no_row(cluster: Cluster, world: World) -> None:
    """The header is no row: a sheet without some units' columns records its rows as
    rating the others, and reports nothing about row 1."""
    wave_id = open_wave(cluster, world)["wave_id"]
    rows = [
        ["问卷编号", "采集时间", "测评点", NAMES[0]],
        ["H-1", "2026-05-12 10:30", "舞阳县政务服务中心", "满意"],
    ]
    answered = _upload(cluster, world, wave_id, _csv(rows))
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"], body["problems"]) == (1, 0, [])


def test_a_wrong_header_refuses_the_sheet_and_records_nothing(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    rows = [
        ["问卷编号", "测评点", NAMES[0], "备注"],
        ["W-1", "舞阳县政务服务中心", "满意", "无"],
    ]
    answered = _upload(cluster, world, wave_id, _csv(rows))
    assert answered.status_code == 422, answered.text
    body = answered.json()
    assert body["error"] == "sheet_rejected"
    assert [(p["row"], p["field"], p["column"], p["code"]) for p in body["detail"]] == [
        (1, "header", "备注", "unknown_column"),
        (1, "header", "采集时间", "missing_column"),
    ]
    assert response_count(cluster, wave_id) == 0


def test_the_content_type_decides_the_format(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    answered = _upload(cluster, world, wave_id, pdf, "application/pdf")
    assert answered.status_code == 415, answered.text
    body = answered.json()
    assert body["error"] == "unsupported_file"
    assert body["detail"][0]["field"] == "Content-Type"
    # A CSV sent as a workbook is not read as CSV behind the caller's back.
    csv = _csv([["问卷编号", "采集时间", NAMES[0]], ["C-1", "2026-05-12 10:30", "满意"]])
    assert _upload(cluster, world, wave_id, csv, XLSX).status_code == 422
    # application/octet-stream: the bytes (and a file name, if any) say what it is.
    answered = _upload(cluster, world, wave_id, csv, "application/octet-stream")
    assert answered.status_code == 200, answered.text
    assert answered.json()["accepted"] == 1
