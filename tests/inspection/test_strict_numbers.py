"""A whole number in a request body is a JSON number: `true` or `"1"` is refused by name
(a 422 reading Chinese first), never read as round 1 or one working day. Query and path
parameters arrive as text and stay lax."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.inspection.rectification.schemas import VerificationIn
from shared.reasons import reason_of
from tests.conftest import in_memory
from tests.harness import ADMIN, create_app

# (path, field): each body integer inspection reads; the rest of the body is left out, so
# the answer lists other missing fields too, but a lax field would be missing from it.
FIELDS = [
    ("/vetoes", "round"),
    ("/cancellations", "round"),
    ("/representative-violations", "round"),
    ("/assessment-scores", "round"),
    ("/complaints", "round"),
    ("/complaints", "deadline_days"),
    ("/hotline-appearances", "round"),
    ("/rectifications", "round"),
    ("/rectifications", "working_days"),
    ("/tasks", "round"),
]
WRONG = [(True, "bool"), ("1", "numeric string")]


@pytest.fixture(scope="module")
def client() -> Any:
    with TestClient(create_app("inspection", in_memory())) as running:
        yield running


@pytest.mark.parametrize(("path", "field"), FIELDS)
@pytest.mark.parametrize(("value", "_kind"), WRONG)
def test_a_body_integer_must_be_a_number(
    client: TestClient, path: str, field: str, value: object, _kind: str
) -> None:
    response = client.post(path, json={field: value}, headers=ADMIN)
    assert response.status_code == 422, response.text
    named = {d["field"]: d for d in response.json()["detail"]}
    assert f"body.{field}" in named, response.text
    problem = named[f"body.{field}"]
    assert problem["code"] == "int_type"
    assert problem["reason"] == "须为整数 (Input should be a valid integer)"


@pytest.mark.parametrize(("value", "_kind"), WRONG)
def test_a_verification_deadline_must_be_a_number(value: object, _kind: str) -> None:
    """A verification names its order in the path, which is looked up (hidden from callers
    outside its scope) before the body is read: its model is checked on its own."""
    body = {"outcome": "returned", "reason": "整改措施未落实到位", "working_days": value}
    with pytest.raises(ValidationError) as refused:
        VerificationIn.model_validate_json(json.dumps(body))
    [problem] = refused.value.errors()
    assert problem["loc"] == ("working_days",)
    assert reason_of(problem) == "须为整数 (Input should be a valid integer)"
