"""Bodies answered in words a caller can act on: one that is JSON by its syntax but that
Python's reader refuses — bytes that are not UTF-8, a number of thousands of digits, nesting
deeper than the interpreter recurses — as malformed JSON is (422 naming the body, not
FastAPI's bare 400); a value outside a choice of a hundred values without the hundred."""

from __future__ import annotations

from typing import Literal

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from shared.reasons import reason_of
from shared.settings import CommonSettings
from tests.harness import ADMIN, create_app

HUNDRED = Literal[tuple(str(n) for n in range(101))]  # type: ignore[valid-type]

BODIES = {
    "not_utf8": b'{"name": "\xff\xfe"}',
    "huge_number": b'{"name": "x", "level": ' + b"9" * 5000 + b"}",
    "deep": b"[" * 5000 + b"]" * 5000,
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_an_unreadable_body_is_a_422_naming_the_body(
    memory_settings: CommonSettings, kind: str
) -> None:
    with TestClient(create_app("registry", memory_settings)) as client:
        response = client.post(
            "/jurisdictions",
            content=BODIES[kind],
            headers=ADMIN | {"content-type": "application/json"},
        )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_failed"
    assert [d["field"] for d in body["detail"]] == ["body"]
    assert "not JSON this service reads" in body["detail"][0]["reason"]


def test_a_value_outside_a_long_choice_is_said_in_words() -> None:
    """Not pydantic's list of a hundred values (survey's answers, once such a choice, are
    now checked against the wave's own scale: tests/survey/test_no_scale_answers.py)."""
    choice: TypeAdapter[str] = TypeAdapter(HUNDRED)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        choice.validate_python("很好")
    (error,) = refused.value.errors()
    assert reason_of(error) == (
        "不是可接受的值之一, 可接受的值见接口文档 /docs "
        "(not one of the accepted values; the request's schema lists them: /docs)"
    )


def test_a_long_header_is_counted_in_characters(memory_settings: CommonSettings) -> None:
    """A length limit on one of our text types is checked by pydantic's generic validator,
    which counts "items": a text is said to have characters."""
    headers = ADMIN | {"Idempotency-Key": "k" * 500}
    with TestClient(create_app("registry", memory_settings)) as client:
        response = client.post(
            "/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=headers
        )
    assert response.status_code == 422, response.text
    (detail,) = response.json()["detail"]
    assert detail["field"] == "header.Idempotency-Key"
    assert (
        detail["reason"]
        == "至多 200 个字符, 现为 500 个 (should have at most 200 characters, not 500)"
    )


def test_a_key_in_chinese_is_refused_as_not_ascii(memory_settings: CommonSettings) -> None:
    """Header text is read as Latin-1: UTF-8 Chinese arrives as other characters, one of
    which (U+0096) reads as a control character. The reason says what to do instead."""
    headers = ADMIN | {"Idempotency-Key": "中文键".encode()}
    with TestClient(create_app("registry", memory_settings)) as client:
        response = client.post(
            "/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=headers
        )
    assert response.status_code == 422, response.text
    (detail,) = response.json()["detail"]
    assert detail["field"] == "header.Idempotency-Key"
    assert detail["reason"].startswith("只能含可打印的 ASCII 字符, 位置 0 处是 U+00E4"), detail
    assert "(must be printable ASCII (found U+00E4 at position 0)" in detail["reason"]


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain; charset=utf-8"]
)
def test_a_body_of_another_media_type_is_a_415(
    memory_settings: CommonSettings, content_type: str
) -> None:
    with TestClient(create_app("registry", memory_settings)) as client:
        response = client.post(
            "/jurisdictions",
            content=b"name=%E6%BC%AF%E6%B2%B3%E5%B8%82&level=city",
            headers=ADMIN | {"content-type": content_type},
        )
    assert response.status_code == 415, response.text
    body = response.json()
    assert body["error"] == "unsupported_media_type"
    assert [d["field"] for d in body["detail"]] == ["Content-Type"]


def test_a_json_body_with_a_json_media_type_is_read(memory_settings: CommonSettings) -> None:
    with TestClient(create_app("registry", memory_settings)) as client:
        response = client.post(
            "/jurisdictions",
            content='{"name": "漯河市", "level": "city"}'.encode(),
            headers=ADMIN | {"content-type": "application/merge-patch+json"},
        )
    assert response.status_code == 201, response.text
