"""Every route of every service refuses a JSON body that names a key twice in one object
(`shared.web.repeated_keys`, each `PolicyRouter` route's last dependency): JSON keeps the
last value without a word, so `{"name": "x", …, "name": "y"}` registered "y" and lost the
"x" the caller also sent. Survey compares keys as its models read them
(tests/survey/test_keys_named_twice.py); the kernel compares them as sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.web.repeated_keys import repeated_keys
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with Cluster(in_memory(tmp_path_factory.mktemp("unwritten")), ["registry"]) as running:
        yield running


def _post(cluster: Cluster, path: str, raw: str, headers: dict[str, str] | None = None) -> Any:
    return cluster["registry"].post(
        path,
        content=raw.encode(),
        headers={"Content-Type": "application/json", **(ADMIN if headers is None else headers)},
    )


def test_a_name_sent_twice_is_refused_naming_it_and_nothing_is_registered(
    registry: Cluster,
) -> None:
    answer = _post(registry, "/jurisdictions", '{"name": "甲市", "level": "city", "name": "乙市"}')
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "duplicate_key"
    assert [(e["field"], e["code"]) for e in body["detail"]] == [("body.name", "duplicate_key")]
    listed = registry["registry"].get("/jurisdictions", headers=ADMIN).json()
    assert not {"甲市", "乙市"} & {j["name"] for j in listed}


def test_a_place_is_named_as_request_validation_names_a_body_field(registry: Cluster) -> None:
    """A draw's quotas naming a sector twice said `quotas.人大代表`, where every other error
    about the body's fields (a missing size, a quota that is no number) says `body.…`."""
    made = _post(registry, "/jurisdictions", '{"name": "丁市", "level": "city"}').json()
    county = made["jurisdiction_id"]
    head = f'{{"jurisdiction_id": "{county}", "cycle": "2026-2027", "commitment": "{"0" * 64}", '
    repeated = _post(
        registry, "/draws", head + '"size": 6, "quotas": {"人大代表": 4, "人大代表": 6}}'
    )
    assert repeated.status_code == 422, repeated.text
    assert [(e["field"], e["code"]) for e in repeated.json()["detail"]] == [
        ("body.quotas.人大代表", "duplicate_key")
    ]
    invalid = _post(registry, "/draws", head + '"size": 6, "quotas": {"人大代表": "四"}}')
    assert invalid.status_code == 422, invalid.text
    assert [e["field"] for e in invalid.json()["detail"]] == ["body.quotas.人大代表"]


def test_every_place_is_named_however_deep() -> None:
    raw = b'{"a": 1, "b": [{"c": 1, "c": 2}, {"d": {"e": 1, "e": 2, "e": 3}}], "a": 2}'
    assert repeated_keys(raw) == [("a",), ("b", 0, "c"), ("b", 1, "d", "e")]
    assert repeated_keys(b'{"a": 1, "A": 2, " a": 3}') == []  # compared as sent
    assert repeated_keys(b"not json") == []  # answered by the ordinary reading


def test_a_caller_the_policy_refuses_learns_nothing_of_the_body(registry: Cluster) -> None:
    raw = '{"name": "甲市", "level": "city", "name": "乙市"}'
    assert _post(registry, "/jurisdictions", raw, {}).status_code == 401
    forged = {"X-API-Key": "pk_not_a_key"}
    assert _post(registry, "/jurisdictions", raw, forged).status_code == 401


def test_a_body_without_repeats_is_answered_as_before(registry: Cluster) -> None:
    answer = _post(registry, "/jurisdictions", '{"name": "丙市", "level": "city"}')
    assert answer.status_code == 201, answer.text
