"""Bodies answered in words a caller can act on: one that is JSON by its syntax but that
Python's reader refuses — bytes that are not UTF-8, a number of thousands of digits, nesting
deeper than the interpreter recurses — as malformed JSON is (422 naming the body, not
FastAPI's bare 400); a value outside a choice of a hundred values without the hundred."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.harness import ADMIN, create_app

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


def test_a_value_outside_a_long_choice_is_said_in_words(memory_settings: CommonSettings) -> None:
    """A public vote's answer on no scale: not pydantic's list of a hundred answers."""
    wave, unit = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
    body = {"voter": "13800138000", "ratings": {unit: "很好"}}
    with TestClient(create_app("survey", memory_settings)) as client:
        response = client.post(f"/public/waves/{wave}/votes", json=body)
    assert response.status_code == 422, response.text
    (detail,) = response.json()["detail"]
    assert detail["field"] == f"body.ratings.{unit}"
    assert detail["reason"].startswith("not one of the accepted values")
    assert detail["type"] == "literal_error"
