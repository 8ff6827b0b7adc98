"""A questionnaire's body that names a key twice in one object (where JSON keeps the last
silently) is refused, naming each place: a correction or a vote with 422 `duplicate_key`; a
push reports the row (`duplicate_key` at each place) and records the others, and refuses
the body for such a key outside its rows. A unit id the models read as one (in upper and
in lower case, with spaces around) is one key.

A push finds them by counting (`repeated_keys.keys_at_most`) before it reads its bytes a
second time; the count never misses one, however the JSON is written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.survey.domain.errors import RepeatedKey
from services.survey.schemas.batches import BatchIn, JsonBatchIn
from services.survey.schemas.repeated_keys import (
    Place,
    keys_at_most,
    refuse_repeated,
    repeated_keys,
)
from shared.web.repeated_keys import BODY, RepeatedKeys
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import COLLECTED_AT, World, open_wave, push, questionnaire

CHINESE = "同一对象中重复出现, 请只写一次"
"""How a key named twice is told, as the kernel tells it: Chinese first."""


class Obj(list[tuple[str, Any]]):
    """A JSON object as its pairs, in order, a key maybe more than once."""


SPACES = [" ", "\n  ", "\t", "\r\n"]
"""Whitespace JSON allows around a comma or a colon."""


def encode(value: Any, layout: Random | None = None, ascii_only: bool = False) -> str:
    """`value` as JSON text, its objects' pairs as they are (`json.dumps` cannot repeat a
    key): compact, or with whitespace around some commas and colons as `layout` draws them
    (never, rarely, often or always: a count fooled by one spaced key must meet bodies
    with just one)."""
    rate = 0.0 if layout is None else layout.choice([0.0, 0.03, 0.1, 1.0])

    def spaces() -> str:
        return layout.choice(SPACES) if layout is not None and layout.random() < rate else ""

    def around(mark: str) -> str:
        return spaces() + mark + spaces()

    def text(node: Any) -> str:
        if isinstance(node, Obj):
            pairs = (
                json.dumps(key, ensure_ascii=ascii_only) + around(":") + text(item)
                for key, item in node
            )
            return "{" + around(",").join(pairs) + "}"
        if isinstance(node, list):
            return "[" + around(",").join(text(item) for item in node) + "]"
        return json.dumps(node, ensure_ascii=ascii_only)

    return text(value)


def _post(cluster: Cluster, path: str, body: Obj, headers: dict[str, str] | None = None) -> Any:
    raw = encode(body).encode()
    content = {"content-type": "application/json"}
    return cluster["survey"].post(path, content=raw, headers=(headers or {}) | content)


def _refused(response: Any, *fields: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "duplicate_key", body
    assert [(d["field"], d["code"]) for d in body["detail"]] == [
        (field, "duplicate_key") for field in fields
    ]
    assert all(d["reason"].startswith(CHINESE) for d in body["detail"]), body


def test_a_correction_naming_a_key_twice_is_refused_and_changes_nothing(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    pushed = push(cluster, wave_id, [questionnaire("Q1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    cluster.wait_caught_up("survey", "survey")
    (listed,) = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    path = f"/waves/{wave_id}/questionnaires/{listed['response_id']}"
    unit, other = world.unit_ids[0], world.unit_ids[1]

    twice = Obj([("ratings", Obj([(unit, "不满意"), (unit, "满意")])), ("reason", "更正")])
    _refused(_post(cluster, f"{path}/corrections", twice, ADMIN), f"body.ratings.{unit}")
    in_two_cases = Obj(
        [
            ("ratings", Obj([(unit.upper(), "不满意"), (other, "满意"), (unit, "满意")])),
            ("opinions", [Obj([("unit_id", unit), ("text", "好"), ("unit_id", other)])]),
            ("reason", "更正"),
        ]
    )
    _refused(
        _post(cluster, f"{path}/corrections", in_two_cases, ADMIN),
        f"body.ratings.{unit}",
        "body.opinions.0.unit_id",
    )
    read = cluster["survey"].get(path, headers=ADMIN).json()
    assert (read["version"], read["history"]) == (1, [])
    once = Obj([("ratings", Obj([(unit, "不满意")])), ("reason", "更正")])
    corrected = _post(cluster, f"{path}/corrections", once, ADMIN)
    assert corrected.status_code == 200 and corrected.json()["version"] == 2, corrected.text


def test_a_vote_naming_a_unit_twice_is_refused_and_not_counted(
    cluster: Cluster, world: World
) -> None:
    opens_at = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    wave_id = open_wave(
        cluster, world, kind="online_public_voting", voter_check="none", opens_at=opens_at
    )["wave_id"]
    unit = world.unit_ids[0]
    path = f"/public/waves/{wave_id}/votes"
    twice = Obj([("voter", "13800138000"), ("ratings", Obj([(unit, "不满意"), (unit, "满意")]))])
    _refused(_post(cluster, path, twice), f"body.ratings.{unit}")
    # The voter has not voted: the vote as meant is taken.
    once = Obj([("voter", "13800138000"), ("ratings", Obj([(unit, "满意")]))])
    assert _post(cluster, path, once).status_code == 201


def test_a_push_reports_a_row_naming_a_key_twice_and_records_the_others(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    path = f"/waves/{wave_id}/questionnaires:batch"
    unit = world.unit_ids[0]
    clean = [_row(f"Q{number}", world) for number in (1, 3)]
    twice = _row("Q2", world)
    twice.insert(0, ("questionnaire_id", "Q2-重复"))
    twice.append(("ratings", Obj([(unit, "不满意"), (f" {unit} ", "满意")])))
    body = Obj([("questionnaires", [clean[0], twice, clean[1]])])

    pushed = _post(cluster, path, body, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["accepted"] == 2
    assert [
        (p["row"], p["questionnaire_id"], p["field"], p["code"]) for p in pushed.json()["problems"]
    ] == [
        (1, "Q2", "questionnaires.1.questionnaire_id", "duplicate_key"),
        (1, "Q2", "questionnaires.1.ratings", "duplicate_key"),
        (1, "Q2", f"questionnaires.1.ratings. {unit} ", "duplicate_key"),
    ]
    assert all(p["reason"].startswith(CHINESE) for p in pushed.json()["problems"])
    # All or nothing: the row refuses the push, as any bad row does.
    whole = Obj([("questionnaires", [twice]), ("all_or_nothing", True)])
    rejected = _post(cluster, path, whole, world.agency.headers)
    assert rejected.status_code == 422 and rejected.json()["error"] == "batch_rejected"
    assert {p["code"] for p in rejected.json()["detail"]} == {"duplicate_key"}
    # Outside the rows: the body itself is refused.
    outside = Obj([("questionnaires", [clean[0]]), ("all_or_nothing", True)])
    outside.append(("all_or_nothing", False))
    _refused(_post(cluster, path, outside, world.agency.headers), "body.all_or_nothing")


def test_a_key_named_twice_is_named_as_the_kernel_names_a_bodys_field() -> None:
    """Survey's check (its keys compared as its models read them) and the kernel's name a
    place in the body alike, as request validation does: `body.ratings.<unit id>`."""
    places: list[Place] = [("ratings", UNITS[0]), ("opinions", 0, "unit_id")]
    kernel = [entry["field"] for entry in RepeatedKeys(places, root=BODY).body()["detail"]]
    assert kernel == [f"body.ratings.{UNITS[0]}", "body.opinions.0.unit_id"]
    with pytest.raises(RepeatedKey) as several:
        refuse_repeated(places)
    assert [error.field for error in several.value.several] == kernel
    with pytest.raises(RepeatedKey) as one:
        refuse_repeated(places[:1])
    assert one.value.field == kernel[0]


def _row(questionnaire_id: str, world: World) -> Obj:
    return Obj(
        [
            ("questionnaire_id", questionnaire_id),
            ("collected_at", COLLECTED_AT.isoformat()),
            ("ratings", Obj([(unit, "满意") for unit in world.unit_ids])),
        ]
    )


# --- the count a push is checked by first ---------------------------------------------------

UNITS = [str(uuid4()) for _ in range(3)]
AT = "2026-05-12T10:30:00+08:00"
TRICKY = st.text(st.sampled_from(['"', ":", "\\", " ", "\n", "好", "!", "}", "a"]), max_size=8)
"""Texts with quotes, colons, backslashes and whitespace, which a count of colons must not
be fooled by."""


@dataclass
class Batch:
    body: Obj
    places: list[Place]
    """Where a key was named a second time, as the generator put it there."""


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    rows: list[Obj] = []
    places: list[Place] = []
    for index in range(draw(st.integers(1, 3))):
        ratings = Obj([(unit, "满意") for unit in UNITS])
        row = Obj([("questionnaire_id", f"Q{index}"), ("collected_at", AT), ("ratings", ratings)])
        opinion = Obj([("unit_id", UNITS[0]), ("text", draw(TRICKY) or "x")])
        if draw(st.booleans()):
            row.append(("opinions", [opinion]))
        dimension = Obj([("效率", "满意"), (draw(TRICKY).strip() or "作风", "不满意")])
        if draw(st.booleans()) and dimension[0][0] != dimension[1][0]:
            row.append(("dimension_ratings", Obj([(UNITS[1], dimension)])))
        if draw(st.booleans()):
            where = draw(st.sampled_from(["row", "ratings", "opinion"]))
            target, inside = {
                "row": (row, ("questionnaires", index)),
                "ratings": (ratings, ("questionnaires", index, "ratings")),
                "opinion": (opinion, ("questionnaires", index, "opinions", 0)),
            }[where]
            if where != "opinion" or ("opinions", [opinion]) in row:
                key, value = draw(st.sampled_from(list(target)))
                # Another way of writing it that the models read as the same key.
                same = [key] + ([key.upper(), f" {key} "] if key in UNITS else [])
                named = draw(st.sampled_from(same))
                target.append((named, value))
                places.append((*inside, named))
        rows.append(row)
    body = Obj([("questionnaires", rows)])
    if draw(st.booleans()):
        body.append(("all_or_nothing", False))
        if draw(st.booleans()):
            body.append(("all_or_nothing", True))
            places.insert(0, ("all_or_nothing",))  # an object's own, before those inside
    return Batch(body, places)


@settings(max_examples=500, deadline=None)
@given(batches(), st.randoms(use_true_random=False), st.booleans())
def test_a_push_finds_every_key_named_twice_however_its_json_is_written(
    batch: Batch, layout: Random, ascii_only: bool
) -> None:
    raw = encode(batch.body, layout, ascii_only).encode()
    assert repeated_keys(raw) == batch.places
    read = BatchIn.from_json_body(raw)
    assert isinstance(read, JsonBatchIn)
    outside = [place for place in batch.places if place[0] != "questionnaires"]
    if outside:
        with pytest.raises(RepeatedKey):
            read.repeated(raw)
        return
    by_row: dict[int, list[Place]] = {}
    for place in batch.places:
        assert isinstance(place[1], int)
        by_row.setdefault(place[1], []).append(place)
    assert read.repeated(raw) == by_row


def test_a_clean_push_is_checked_by_the_count_alone() -> None:
    """Every key of a questionnaire carrying everything is counted among those its parsed
    objects hold, so a clean push is never read a second time."""
    unit = UNITS[0]
    row = questionnaire("Q1", UNITS) | {
        "dimension_ratings": {unit: {"效率": "满意", "作风": "不满意"}},
        "opinions": [{"unit_id": unit, "text": "窗口服务态度需改进"}, {"text": "好"}],
        "recommended_key_targets": [unit],
        "channel": "paper",
        "group": "service_user",
        "district_id": str(uuid4()),
        "device": "PAD-7",
        "respondent_id": str(uuid4()),
    }
    compact = questionnaire("Q2", []) | {"row": ["满意", None, "不满意"]}
    raw = json.dumps({"questionnaires": [row, compact], "all_or_nothing": False}).encode()
    read = BatchIn.from_json_body(raw)
    assert isinstance(read, JsonBatchIn)
    assert read.keys_held() == keys_at_most(raw) == 28
