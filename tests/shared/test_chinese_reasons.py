"""Validation reasons read Chinese first, pydantic's English after (`中文 (English)`): the
county and city offices that meet them read Chinese, while `code` stays pydantic's error
type for the machines that read it."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from pydantic_core.core_schema import ErrorType

from shared.reasons import reason_of
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
            json={
                "jurisdiction_id": "00000000-0000-0000-0000-000000000001",
                "cycle": "2026",
                "size": 1,
                "commitment": "ab",
            },
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
    too_short = found["body.commitment", "string_too_short"]
    english = "should have at least 64 characters, not 2"
    assert too_short["reason"] == f"至少 64 个字符, 现为 2 个 ({english})"
    day = found["query.as_of", "date_from_datetime_parsing"]
    assert day["reason"].startswith("须为日期, 如 2024-05-01 (Input should be a valid date")
    for problem in (name, too_short, day):
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


def test_a_lone_surrogate_and_a_number_past_range_are_refused_chinese_first(
    memory_settings: CommonSettings,
) -> None:
    """JSON can carry what no text or number of ours holds: a lone surrogate (`"\\ud800"`),
    read before our text check; NaN and a number past the float range (`1e400`)."""
    headers = ADMIN | {"content-type": "application/json"}
    with TestClient(create_app("inspection", memory_settings)) as client:
        text = client.post("/complaints", content=b'{"summary": "\\ud800"}', headers=headers)
        numbers = client.post(
            "/assessment-scores", content=b'{"score": 1e400, "maximum": NaN}', headers=headers
        )
    found = {d["field"]: d for response in (text, numbers) for d in response.json()["detail"]}
    assert found["body.summary"]["code"] == "string_unicode"
    assert found["body.summary"]["reason"].startswith("须为有效的 Unicode 文本")
    for field in ("body.score", "body.maximum"):
        assert found[field]["code"] == "finite_number"
        assert found[field]["reason"].startswith("须为有限的数"), found[field]
        assert found[field]["reason"].endswith("(Input should be a finite number)")


# Error types pydantic raises only for Python input (a model built in code, a dataclass, a
# call's arguments), never for a JSON body, a header or a cell of ours; and value_error,
# whose sentence is our own and already Chinese first.
PYTHON_ONLY = {
    "value_error", "assertion_error", "no_such_attribute", "needs_python_object",
    "recursion_loop", "recursion_depth_exceeded", "frozen_field", "frozen_instance",
    "invalid_key", "get_attribute_error", "dataclass_type", "dataclass_exact_type",
    "named_tuple_type", "default_factory_not_called", "iteration_error", "frozen_dict_type",
    "ordered_dict_type", "counter_type", "deque_type", "set_item_not_hashable",
    "bytes_too_short", "bytes_too_long", "missing_sentinel_error", "ellipsis_error",
    "is_instance_of", "is_subclass_of", "callable_type", "arguments_type", "missing_argument",
    "unexpected_keyword_argument", "missing_keyword_only_argument",
    "unexpected_positional_argument", "missing_positional_only_argument",
    "multiple_argument_values", "fraction_type", "fraction_parsing", "complex_type",
    "complex_str_parsing",
}  # fmt: skip
CONTEXT = {
    "gt": 1, "ge": 1, "lt": 1, "le": 1, "multiple_of": 5, "max_digits": 3,
    "decimal_places": 1, "whole_digits": 2, "expected_version": 4, "expected_tags": "'a', 'b'",
    "discriminator": "'kind'", "expected": "'a' or 'b'", "max_length": 1, "min_length": 3,
    "actual_length": 2,
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(set(get_args(ErrorType)) - PYTHON_ONLY))
def test_every_error_a_request_can_meet_reads_chinese_first(kind: str) -> None:
    """A new pydantic error type fails here until it has Chinese words (or is Python-only)."""
    reason = reason_of({"type": kind, "msg": "English words", "input": "ab", "ctx": CONTEXT})
    assert CHINESE_FIRST.match(reason), (kind, reason)
