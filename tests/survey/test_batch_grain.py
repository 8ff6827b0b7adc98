"""A push is stored at its own grain: a few batch parts hold the questionnaires' content (one
`survey.batch.recorded` message each) and each questionnaire has only a claim under its own
id. What that must not change: a questionnaire pushed twice still collides, a claimed
questionnaire reads and is decided exactly like one recorded on its own, and no part's
message comes near NATS's 1 MiB limit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.survey.application import SurveyApplication
from services.survey.application.claims import PushMapper
from services.survey.domain import BatchPart, Response, split_parts
from services.survey.domain.response.part import PART_MAX_BYTES, PART_MAX_QUESTIONNAIRES
from services.survey.integration import to_payload
from shared.contracts.survey import SCALE_LEVELS, Scale
from shared.contracts.survey_batch import ROW_ALPHABET, BatchRecorded, row_text
from shared.contracts.wire import encode_body
from tests.harness import IN_MEMORY
from tests.survey.test_application import OFFICE, Setup

NATS_MAX_PAYLOAD = 1024 * 1024


def _log(setup: Setup) -> list[Any]:
    app = setup.app
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 10**6)]


def test_a_push_is_parts_and_claims_and_publishes_only_the_parts(setup: Setup) -> None:
    wave_id = setup.open_wave()
    rows = setup.rows(1200)
    result = setup.push(wave_id, rows)
    assert result["accepted"] == 1200
    events = _log(setup)
    parts = [e for e in events if isinstance(e, BatchPart.Recorded)]
    claims = [e for e in events if isinstance(e, Response.Claimed)]
    assert len(parts) >= 3 and [p.part for p in parts] == list(range(1, len(parts) + 1))
    assert {p.parts for p in parts} == {len(parts)}
    assert len(claims) == 1200
    # Claims first, parts last: the newest events of a push are ones it publishes.
    assert events.index(parts[0]) > events.index(claims[-1])
    published = [to_payload(e) for e in events[events.index(claims[0]) :]]
    batches = [BatchRecorded.model_validate(p.json_payload()) for p in published if p is not None]
    assert all(isinstance(p, BatchRecorded) for p in batches)
    assert len(batches) == len(parts)
    pushed = [q["questionnaire_id"] for _, q in rows]
    assert [qid for b in batches for qid in b.questionnaire_ids] == pushed
    # Codes stand for the wave's scale in its order, stored as published.
    assert {b.levels for b in batches} == {SCALE_LEVELS[Scale.FOUR_LEVEL]}
    assert {row for b in batches for row in b.rows} == {"11"}
    assert [p.questionnaires[0]["row"] for p in parts] == ["11"] * len(parts)
    # What a push stores is plain enough for the fast encodings.
    mapper = setup.app.mapper
    assert isinstance(mapper, PushMapper)
    assert all(mapper._part_state(p) is not None for p in parts)
    assert all(mapper._claim_state(c) is not None for c in claims)
    for claim in claims:
        part = parts[claim.part - 1]
        assert part.questionnaires[claim.index]["response_id"] == str(claim.originator_id)


def _opinions_template(setup: Setup) -> UUID:
    template = setup.app.publish_template(
        OFFICE,
        {
            "jurisdiction_id": setup.county,
            "name": "2026年政风行风满意度问卷",
            "scale": "four_level",
            "dimensions": [],
            "opinions": True,
            "recommendations": False,
            "asks_group": False,
        },
        None,
    )
    return UUID(template["template_id"])


def test_each_recording_reads_as_the_questionnaire_pushed(setup: Setup) -> None:
    wave_id = setup.open_wave(template_id=_opinions_template(setup))
    unit = str(setup.units[0])
    rows = setup.rows(
        2,
        survey_point=None,
        channel="paper",
        group=None,
        opinions=[{"unit_id": unit, "text": "窗口办事效率有待提高"}],
        dimension_ratings={},
    )
    result = setup.push(wave_id, rows)
    assert result["accepted"] == 2, result["problems"]
    [prepared] = [to_payload(e) for e in _log(setup) if isinstance(e, BatchPart.Recorded)]
    assert isinstance(prepared, BatchRecorded)
    message = BatchRecorded.model_validate(prepared.json_payload())
    [first, _] = message.responses()
    assert first.batch_id == UUID(result["batch_id"]) and first.agency_id == setup.agency_id
    assert first.ratings_in(setup.units[:2]) == {unit: "满意", str(setup.units[1]): "满意"}
    stored = setup.app.questionnaire(first.response_id)
    out = setup.app.questionnaire_out(stored)
    assert out["answers"]["ratings"] == {unit: "满意", str(setup.units[1]): "满意"}
    assert out["answers"]["opinions"] == [{"unit_id": unit, "text": "窗口办事效率有待提高"}]
    assert (out["channel"], out["batch_id"], out["agency_id"]) == (
        "paper",
        result["batch_id"],
        str(setup.agency_id),
    )
    assert out["collected_at"] == rows[0][1]["collected_at"].isoformat()
    assert out["recorded_by"] == setup.agency.actor and out["version"] == 1


def test_a_questionnaire_too_large_for_one_message_is_a_row_problem(setup: Setup) -> None:
    """200 opinions of 2,000 characters are 1.2 MB: no part could carry them under NATS's
    1 MiB, so the row is refused with its reason and the rest are recorded."""
    wave_id = setup.open_wave(template_id=_opinions_template(setup))
    long = [{"unit_id": None, "text": "窗口服务态度需改进" * 222}] * 200
    rows = setup.rows(3)
    rows[1] = (1, rows[1][1] | {"opinions": long})
    result = setup.push(wave_id, rows)
    assert result["accepted"] == 2
    [problem] = result["problems"]
    assert (problem["row"], problem["field"], problem["code"]) == (
        1,
        "questionnaires.1.opinions",
        "too_large",
    )
    response_id = Response.create_id(wave_id, "Q0")
    answers = dict(setup.app.questionnaire(response_id).answers) | {"opinions": long}
    with pytest.raises(Exception) as caught:
        setup.app.correct(setup.agency, wave_id, response_id, answers, "补录意见")
    assert getattr(caught.value, "code", None) == "invalid_questionnaire"


def test_a_questionnaire_pushed_again_collides_through_its_claim(setup: Setup) -> None:
    wave_id = setup.open_wave()
    setup.push(wave_id, setup.rows(3))
    again = setup.push(wave_id, setup.rows(3))
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    changed = setup.push(wave_id, setup.rows(1, rating="不满意"))
    assert changed["accepted"] == 0
    assert [p["code"] for p in changed["problems"]] == ["questionnaire_conflict"]
    mixed = setup.push(wave_id, setup.rows(4))
    assert (mixed["accepted"], mixed["duplicates"]) == (1, 3)


@settings(max_examples=200, deadline=None)
@given(st.uuids(), st.lists(st.text(st.characters(blacklist_categories=("Cs",))), max_size=5))
def test_a_push_derives_the_ids_create_id_derives(wave_id: UUID, ids: list[str]) -> None:
    """What makes a re-push collide: the push's ids are exactly `create_id`'s."""
    create_id = Response.ids_in(wave_id)
    for questionnaire_id in ids:
        made = create_id(questionnaire_id)
        assert made == Response.create_id(wave_id, questionnaire_id)
        assert (made.version, made.variant) == (5, "specified in RFC 4122")


def test_a_claimed_questionnaire_is_corrected_and_reviewed_like_any(setup: Setup) -> None:
    wave_id = setup.open_wave()
    setup.push(wave_id, setup.rows(2))
    response_id = Response.create_id(wave_id, "Q1")
    stored = setup.app.questionnaire(response_id)
    answers = dict(stored.answers) | {"ratings": {str(setup.units[0]): "不满意"}}
    out = setup.app.correct(setup.agency, wave_id, response_id, answers, "按纸质问卷更正")
    assert (out["version"], out["answers"]["ratings"]) == (2, {str(setup.units[0]): "不满意"})
    setup.app.quarantine(OFFICE, wave_id, [response_id], [{"code": "manual", "detail": "抽查"}])
    setup.app.review(OFFICE, wave_id, [response_id], "release", "经核实为正常")
    # Read afresh: the claim, the part's content, then every decision in order.
    again = setup.app.questionnaire_out(setup.app.questionnaire(response_id))
    assert (again["status"], again["version"]) == ("counted", 2)
    assert again["flags"] == [{"code": "manual", "detail": "抽查"}]
    versions = setup.app.versions(wave_id, response_id)["versions"]
    assert versions[0]["answers"]["ratings"][str(setup.units[0])] == "满意"


def _entry(index: int, row_width: int, opinion_chars: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "response_id": str(UUID(int=index)),
        "questionnaire_id": f"问卷-{index:06d}",
        "survey_point": "郾城区政务服务中心",
        "collected_at": "2026-03-05T09:00:00.123456+08:00",
        # 百分制's highest codes: Latin-1 letters, two bytes each once encoded.
        "row": row_text(bytes([101]) * row_width),
        "channel": "survey_point",
        "group": "服务对象",
    }
    if opinion_chars:
        entry["opinions"] = [{"unit_id": None, "text": "意" * opinion_chars}]
        entry["flags"] = [{"code": "burst", "detail": "同一测评点短时间内相同答案"}]
    return entry


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 2000), st.sampled_from([0, 0, 0, 200, 2000])),
        min_size=1,
        max_size=1500,
    )
)
def test_parts_stay_under_the_message_limit(shapes: list[tuple[int, int]]) -> None:
    entries = [_entry(i, width, chars) for i, (width, chars) in enumerate(shapes)]
    parts = split_parts(entries)
    assert [e for part in parts for e in part] == entries
    assert all(1 <= len(part) <= PART_MAX_QUESTIONNAIRES for part in parts)
    for number, part in enumerate(parts, start=1):
        body = encode_body(
            "survey",
            BatchRecorded.prepared(
                wave_id=UUID(int=1),
                batch_id=UUID(int=2),
                agency_id=UUID(int=3),
                part=number,
                parts=len(parts),
                levels=SCALE_LEVELS[Scale.PERCENT],
                questionnaires=part,
                coded=True,
            ),
            datetime(2026, 3, 5, tzinfo=UTC),
        )
        assert len(body) <= PART_MAX_BYTES or len(part) == 1
        assert len(body) < NATS_MAX_PAYLOAD // 2


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 10_000)), min_size=1, max_size=30))
def test_claims_are_stored_as_the_library_stores_them(claims: list[tuple[int, int]]) -> None:
    """The fast encoding of a claim, against the library's own, over parts and pushes."""
    plain = SurveyApplication(IN_MEMORY).mapper
    fast = PushMapper.like(plain)
    wave, batches = uuid4(), [uuid4(), uuid4()]
    moment = Response.Claimed.create_timestamp()
    for n, (part, index) in enumerate(claims):
        claim = Response.claimed(
            uuid4(), wave_id=wave, batch_id=batches[n % 2], part=part, index=index, timestamp=moment
        )
        assert fast.to_stored_event(claim) == plain.to_stored_event(claim)
        assert plain.to_domain_event(fast.to_stored_event(claim)) == claim
    assert type(SurveyApplication(IN_MEMORY).mapper) is PushMapper


_ODD = 'a"\\\n'
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_ENTRY = st.fixed_dictionaries(
    {
        "response_id": st.uuids().map(str),
        "questionnaire_id": _TEXT,
        "survey_point": st.none() | _TEXT,
        "collected_at": st.just("2026-03-05T09:00:00+08:00"),
        "row": st.text(alphabet=ROW_ALPHABET[:102], max_size=8),
    },
    optional={
        "opinions": st.lists(st.fixed_dictionaries({"unit_id": st.none() | _TEXT, "text": _TEXT})),
        "dimension_ratings": st.dictionaries(_TEXT, st.dictionaries(_TEXT, _TEXT, max_size=2)),
        "flags": st.lists(st.fixed_dictionaries({"code": _TEXT, "detail": _TEXT}), max_size=2),
        "respondent_id": st.uuids(),  # not plain JSON: the library's path
    },
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ENTRY, max_size=6), _TEXT)
def test_parts_are_stored_as_the_library_stores_them(
    entries: list[dict[str, Any]], actor: str
) -> None:
    plain = SurveyApplication(IN_MEMORY).mapper
    fast = PushMapper.like(plain)
    part = BatchPart.bring(
        uuid4(),
        2,
        wave_id=uuid4(),
        agency_id=uuid4(),
        parts=3,
        levels=list(SCALE_LEVELS[Scale.PERCENT]),
        questionnaires=entries,
        actor=actor,
    )
    [recorded] = part.collect_events()
    assert fast.to_stored_event(recorded) == plain.to_stored_event(recorded)
    assert plain.to_domain_event(fast.to_stored_event(recorded)) == recorded
    # The fast path was taken wherever the content is plain JSON.
    taken = fast._part_state(recorded) is not None
    assert taken == all("respondent_id" not in e for e in entries)
