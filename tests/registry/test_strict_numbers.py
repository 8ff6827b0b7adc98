"""A draw's size and quotas are JSON numbers: `true` or `"4"` is refused by name (a 422
reading Chinese first), never read as a panel of one or four."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.harness import ADMIN, create_app

# (body, the field named): the rest of the body is left out, so the answer lists other
# missing fields too, but a lax number would be missing from it.
CASES = [
    ({"size": True}, "body.size"),
    ({"size": "4"}, "body.size"),
    ({"quotas": {"人大代表": True}}, "body.quotas.人大代表"),
    ({"quotas": {"人大代表": "2"}}, "body.quotas.人大代表"),
]


def test_draw_numbers_must_be_numbers(memory_settings: CommonSettings) -> None:
    with TestClient(create_app("registry", memory_settings)) as client:
        for body, field in CASES:
            response = client.post("/draws", json=body, headers=ADMIN)
            assert response.status_code == 422, response.text
            named = {d["field"]: d for d in response.json()["detail"]}
            assert field in named, (body, response.text)
            assert named[field]["code"] == "int_type"
            assert named[field]["reason"] == "须为整数 (Input should be a valid integer)"
