"""The push's body at the edge: a malformed one is a 422 in the shared shape; a keyed push is
known by its body, byte for byte; and a key recorded before bodies were fingerprinted still
replays its first answer."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from services.survey.schemas.batches import BatchIn
from shared.canonical import fingerprint
from shared.idempotency import IdempotencyRecord
from tests.harness import Cluster
from tests.survey.helpers import World, error_fields, questionnaire


def _post(cluster: Cluster, wave_id: str, body: bytes, headers: dict[str, str]) -> Any:
    return cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        content=body,
        headers=headers | {"content-type": "application/json"},
    )


def _body(world: World, *ids: str, **batch: Any) -> dict[str, Any]:
    return {"questionnaires": [questionnaire(qid, world.unit_ids) for qid in ids]} | batch


def test_a_malformed_body_is_a_422_naming_where_it_breaks(
    cluster: Cluster, world: World, wave: dict[str, Any]
) -> None:
    raw = json.dumps(_body(world, "Q1")).encode()[:-30]
    with pytest.raises(json.JSONDecodeError) as broken:
        json.loads(raw)
    response = _post(cluster, wave["wave_id"], raw, world.agency.headers)
    assert response.status_code == 422
    body = response.json()
    # The words are the kernel's (Chinese first where shared/reasons.py has them).
    assert "JSON decode error" in body["detail"][0].pop("reason")
    # The body is the field; where it breaks is its line and column, not a field path.
    assert body == {
        "error": "validation_failed",
        "detail": [
            {
                "field": "body",
                "code": "json_invalid",
                "type": "json_invalid",
                "context": {"line": broken.value.lineno, "column": broken.value.colno},
            }
        ],
    }


def test_a_key_replays_only_the_same_body(
    cluster: Cluster, world: World, wave: dict[str, Any]
) -> None:
    headers = world.agency.headers | {"Idempotency-Key": "push-7"}
    body = _body(world, "Q1", "Q2")
    raw = json.dumps(body, ensure_ascii=False).encode()
    first = _post(cluster, wave["wave_id"], raw, headers)
    again = _post(cluster, wave["wave_id"], raw, headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.content == again.content
    others = [
        json.dumps(body | {"all_or_nothing": True}, ensure_ascii=False).encode(),
        json.dumps(_body(world, "Q1", "Q3"), ensure_ascii=False).encode(),
        # The same questionnaires written another way: not the body the key was used for.
        json.dumps(body, ensure_ascii=False, indent=1).encode(),
    ]
    for other in others:
        refused = _post(cluster, wave["wave_id"], other, headers)
        assert refused.status_code == 409, refused.text
        assert error_fields(refused) == ["Idempotency-Key"]


def test_a_key_recorded_by_the_request_fingerprint_still_replays(
    cluster: Cluster, world: World, wave: dict[str, Any]
) -> None:
    """What the survey recorded for a key before it fingerprinted bodies: the fingerprint of
    the request as `record_batch` builds it."""
    body = _body(world, "Q1", "Q2")
    rows, refused, _ = BatchIn.model_validate(body).rows()
    request = {
        "wave_id": UUID(wave["wave_id"]),
        "rows": [[index, q] for index, q in rows],
        "refused": refused,
        "all_or_nothing": False,
    }
    first_answer = {
        "wave_id": wave["wave_id"],
        "batch_id": None,
        "accepted": 99,  # no push could have answered this one
        "quarantined": 0,
        "quarantined_questionnaire_ids": [],
        "duplicates": 0,
        "duplicate_questionnaire_ids": [],
        "rejected": 0,
        "problems": [],
    }
    app = cluster["survey"].app.state.runtime.application
    scope = f"questionnaires:{wave['wave_id']}"
    agency = UUID(world.agency.principal_id)
    app.save(IdempotencyRecord(agency, scope, "old-key", fingerprint(request), first_answer))
    headers = world.agency.headers | {"Idempotency-Key": "old-key"}
    replay = _post(cluster, wave["wave_id"], json.dumps(body).encode(), headers)
    assert replay.status_code == 200, replay.text
    assert replay.json() == first_answer
    other = _post(cluster, wave["wave_id"], json.dumps(_body(world, "Q3")).encode(), headers)
    assert other.status_code == 409


@pytest.mark.parametrize("where", ["ratings", "row"])
def test_an_answer_on_no_scale_is_a_scale_problem_with_a_short_reason(
    cluster: Cluster, world: World, wave: dict[str, Any], where: str
) -> None:
    q = questionnaire("N-1", world.unit_ids)
    if where == "row":
        del q["ratings"]
        q["row"] = ["很好"] + ["满意"] * (len(world.unit_ids) - 1)
    else:
        q["ratings"][world.unit_ids[0]] = "很好"
    body = json.dumps({"questionnaires": [q]}).encode()
    answered = _post(cluster, wave["wave_id"], body, world.agency.headers)
    assert answered.status_code == 200, answered.text
    (problem,) = answered.json()["problems"]
    assert problem["code"] == "scale"
    assert problem["reason"] == (
        "不是本次评议量表上的答案：“很好” "
        "(not an answer on the wave's scale (四级：满意/基本满意/不满意/不了解))"
    )
