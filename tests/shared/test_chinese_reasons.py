"""Validation reasons read Chinese first, pydantic's English after (`中文 (English)`): the
county and city offices that meet them read Chinese, while `code` stays pydantic's error
type for the machines that read it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.harness import ADMIN, create_app

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def test_missing_short_and_bad_date_reasons_are_chinese_first(
    memory_settings: CommonSettings,
) -> None:
    with TestClient(create_app("registry", memory_settings)) as client:
        missing = client.post("/jurisdictions", json={"level": "city"}, headers=ADMIN)
        short = client.post(
            "/draws",
            json={"jurisdiction_id": "00000000-0000-0000-0000-000000000001", "cycle": "26"},
            headers=ADMIN,
        )
        bad_date = client.get("/units", params={"as_of": "2024-13-01"}, headers=ADMIN)
    for response in (missing, short, bad_date):
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "validation_failed"
    found = {
        (d["field"], d["code"]): d
        for response in (missing, short, bad_date)
        for d in response.json()["detail"]
    }
    name = found["body.name", "missing"]
    assert name["reason"] == "必填 (Field required)"
    cycle = found["body.cycle", "string_too_short"]
    assert cycle["reason"] == "至少 4 个字符, 现为 2 个 (should have at least 4 characters, not 2)"
    day = found["query.as_of", "date_from_datetime_parsing"]
    assert day["reason"].startswith("须为日期, 如 2024-05-01 (Input should be a valid date")
    for problem in (name, cycle, day):
        assert CHINESE_FIRST.match(problem["reason"]), problem
        assert problem["type"] == problem["code"]  # machines read the code, never the words


def test_a_missing_or_unknown_api_key_is_refused_chinese_first(
    memory_settings: CommonSettings,
) -> None:
    with TestClient(create_app("registry", memory_settings)) as client:
        without = client.get("/jurisdictions")
        unknown = client.get("/jurisdictions", headers={"X-API-Key": "not-a-key-of-anyone"})
    for response, english in (
        (without, "an API key is required in the X-API-Key header"),
        (unknown, "unknown or revoked API key"),
    ):
        assert response.status_code == 401, response.text
        [problem] = response.json()["detail"]
        assert problem["field"] == "X-API-Key"
        assert CHINESE_FIRST.match(problem["reason"]), problem
        assert english in problem["reason"]
