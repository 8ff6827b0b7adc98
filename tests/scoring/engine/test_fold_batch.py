"""`survey.batch.recorded`: each questionnaire of a part is folded exactly as the
`survey.response.recorded` v3 of the same fields. Generated logs whose pushes arrive as
batch parts (v1 parts, v2 parts with levels in order of first appearance as an upcast v1
has them, or with the wave's scale as survey publishes them; or each push in any of these
forms or as single recordings, mixed in one log), with every kind of decision interleaved,
give the same inputs document and the same round results as the same questionnaires
recorded one message each, keeping every record or only the named ones (live and replay);
and a part is folded whole or not at all."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine import score_round
from services.scoring.engine.fold import RoundFold, named_responses, relevant
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.survey import (
    SCALE_LEVELS,
    Flag,
    RespondentGroup,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    SurveyPoint,
)
from shared.contracts.survey_batch import (
    BatchQuestionnaire,
    BatchRecorded,
    BatchRecordedV1,
    row_chars,
)

from .schemes import survey_only
from .test_fold_builders import (
    CAMPAIGN,
    CITY,
    IN_WINDOW,
    ROUND,
    Feed,
    closed,
    corrected,
    decided,
    sid,
    uid,
    wave,
    withdrawn_batch,
)
from .test_fold_keep import folded, with_registry
from .test_fold_world import build_registry

WAVE = "测评"
UNITS = ["市公安局", "市供电公司", "市住建局"]
IDS = [f"q{i}" for i in range(16)]
BATCHES = ["b1", "b2", "b3"]
ANSWER = st.sampled_from(["满意", "基本满意", "不满意", "不了解", None, "", "非常满意"])
SCHEME = survey_only(min_sample=1)
FLAG = Flag(code="burst", detail="同一测评点短时集中提交")

Questionnaire = dict[str, Any]
"""A questionnaire's own fields, as `BatchQuestionnaire` takes them."""


def questionnaire(
    response: str, row: list[str | None], group: str | None, point: str | None, flagged: bool
) -> Questionnaire:
    return {
        "response_id": uid(response),
        "questionnaire_id": response,
        "survey_point": point,
        "collected_at": IN_WINDOW,
        "row": tuple(row),
        "group": group,
        "channel": "survey_point",
        "flags": (FLAG,) if flagged else (),
    }


def one_by_one(batch: str, questionnaires: list[Questionnaire]) -> list[IntegrationPayload]:
    """A push as survey recorded it before batch parts: one v3 message per questionnaire."""
    return [
        ResponseRecorded(wave_id=uid(WAVE), agency_id=uid("agency"), batch_id=uid(batch), **q)
        for q in questionnaires
    ]


PART_FORMS = ("v1", "v2", "scale")
"""A part as v1, as v2 with the levels of an upcast v1 (in order of first appearance), or as
v2 with the wave's scale first (as survey publishes it)."""


def as_parts(
    batch: str, questionnaires: list[Questionnaire], cuts: list[int], form: str = "v2"
) -> list[IntegrationPayload]:
    """The same push as batch parts, split where `cuts` say."""
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(questionnaires)}), len(questionnaires)]
    return [
        _part(
            form,
            wave_id=uid(WAVE),
            batch_id=uid(batch),
            agency_id=uid("agency"),
            part=n,
            parts=len(bounds) - 1,
            questionnaires=tuple(BatchQuestionnaire(**q) for q in questionnaires[a:b]),
        )
        for n, (a, b) in enumerate(pairwise(bounds), 1)
    ]


def _part(form: str, **fields: Any) -> IntegrationPayload:
    if form == "v1":
        return BatchRecordedV1(**fields)
    made = BatchRecorded.of_questionnaires(**fields)
    if form == "v2":
        return made
    levels = list(dict.fromkeys([*SCALE_LEVELS[Scale.FOUR_LEVEL], *made.levels]))
    chars = row_chars(levels)
    rows = ["".join(chars[a] for a in made.row_answers(i)) for i in range(len(made.rows))]
    return BatchRecorded.model_validate(
        made.model_dump() | {"levels": tuple(levels), "rows": tuple(rows)}
    )


Entry = tuple[str, Any]
"""("push", (batch, questionnaires, cuts, as parts?)), ("single", payload) or
("decision", payload)."""


@st.composite
def survey_log(draw: st.DrawFn, answers: st.SearchStrategy[str | None] = ANSWER) -> list[Entry]:
    """A wave's log: pushes of questionnaires (each recorded once, the survey's rule),
    single recordings, and any decision about any id, before or after the close; the
    questionnaires' answers drawn from `answers`."""
    unrecorded = list(IDS)
    entries: list[Entry] = []
    for _ in range(draw(st.integers(0, 24))):
        kind = draw(st.sampled_from(["push"] * 3 + ["single", "correct", "decide", "withdraw"]))
        some = draw(st.sampled_from(IDS))
        if kind == "push" and unrecorded:
            size = draw(st.integers(1, min(6, len(unrecorded))))
            taken = [unrecorded.pop(draw(st.integers(0, len(unrecorded) - 1))) for _ in range(size)]
            push = [_questionnaire(draw, response, answers) for response in taken]
            cuts = draw(st.lists(st.integers(1, 5), max_size=3))
            form = draw(st.sampled_from(["single", *PART_FORMS]))
            entries.append(("push", (draw(st.sampled_from(BATCHES)), push, cuts, form)))
        elif kind == "single" and unrecorded:
            q = _questionnaire(draw, unrecorded.pop(), answers)
            entries.append(("single", ResponseRecorded(wave_id=uid(WAVE), **q)))
        elif kind == "correct":
            ratings = {u: a for u in UNITS if (a := draw(ANSWER))}
            entries.append(("decision", corrected(WAVE, some, ratings)))
        elif kind == "decide":
            verdict = (ResponseQuarantined, ResponseReleased, ResponseRejected, ResponseVoided)
            entries.append(("decision", decided(draw(st.sampled_from(verdict)), WAVE, some)))
        elif kind == "withdraw":
            batch = draw(st.sampled_from(BATCHES))
            named = draw(st.lists(st.sampled_from(IDS)))
            entries.append(("decision", withdrawn_batch(WAVE, batch, named)))
    if draw(st.booleans()):
        entries.insert(draw(st.integers(0, len(entries))), ("decision", closed(WAVE)))
    return entries


def _questionnaire(
    draw: st.DrawFn, response: str, answers: st.SearchStrategy[str | None]
) -> Questionnaire:
    return questionnaire(
        response,
        draw(st.lists(answers, min_size=len(UNITS), max_size=len(UNITS))),
        draw(st.sampled_from([None, "群众", "监督员"])),
        draw(st.sampled_from([None, "源汇", "郾城"])),
        draw(st.booleans()),
    )


def rendered(entries: list[Entry], form: str) -> list[IntegrationPayload]:
    """The log with every push one message per questionnaire ("single"), as batch parts of
    one of `PART_FORMS`, or each push as drawn ("mixed")."""
    log: list[IntegrationPayload] = [
        wave(
            WAVE,
            UNITS,
            groups=(RespondentGroup(code="群众", name="群众", target_percent=100),),
            points=(SurveyPoint(code="源汇", name="源汇", jurisdiction_id=CITY, target=9),),
        )
    ]
    for kind, entry in entries:
        if kind != "push":
            log.append(entry)
            continue
        batch, questionnaires, cuts, drawn = entry
        grain = drawn if form == "mixed" else form
        if grain == "single":
            log += one_by_one(batch, questionnaires)
        else:
            log += as_parts(batch, questionnaires, cuts, grain)
    return log


def results(messages: list[IntegrationMessage], keep: frozenset[str] | None) -> bytes:
    found = score_round(SCHEME, messages, campaign_id=str(CAMPAIGN), round=ROUND, keep_records=keep)
    # The survey positions differ with the grain; everything computed from them may not.
    found.pop("upstream_positions")
    return canonical_json(found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=survey_log(), looks=st.frozensets(st.integers(0, 40)))
def test_pushes_as_batch_parts_fold_as_the_same_questionnaires_one_by_one(
    entries: list[Entry], looks: frozenset[int]
) -> None:
    single = with_registry(rendered(entries, "single"))
    expected_inputs = canonical_json(folded(single, None, frozenset()).inputs())
    expected = results(single, None)
    for form in (*PART_FORMS, "mixed"):
        messages = with_registry(rendered(entries, form))
        assert named_responses(messages) == named_responses(single)
        for keep in (None, named_responses(messages)):
            assert canonical_json(folded(messages, keep, looks).inputs()) == expected_inputs
            assert results(messages, keep) == expected


def test_a_batch_part_is_relevant_and_names_nothing_itself() -> None:
    survey = Feed("survey")
    survey(wave(WAVE, UNITS))
    part = survey(
        as_parts("b1", [questionnaire("q1", ["满意", None, "不满意"], None, None, False)], [])[0]
    )
    assert relevant(part)
    assert named_responses(survey.messages) == frozenset()


def _fold_with_wave(scale_units: list[str] = UNITS) -> tuple[RoundFold, Feed]:
    fold = RoundFold(str(CAMPAIGN), ROUND)
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    for message in registry.messages:
        fold.apply(message)
    fold.apply(survey(wave(WAVE, scale_units, groups=(), points=())))
    return fold, survey


def test_an_answer_the_wave_lacks_sends_the_whole_part_the_models_way() -> None:
    fold, survey = _fold_with_wave()
    push = [
        questionnaire("q1", ["满意", "满意", None], None, None, False),
        questionnaire("q2", ["非常满意", "不满意", None], None, None, False),
    ]
    [part] = as_parts("b1", push, [])
    assert fold.apply(survey(part))
    counts = fold.inputs()["survey"][sid(WAVE)]
    assert counts[sid("市公安局")]["counts"] == {
        "满意": 1,
        "基本满意": 0,
        "不满意": 0,
        "不了解": 0,
        "非常满意": 1,
    }
    assert counts[sid("市供电公司")]["counts"]["不满意"] == 1


def test_a_part_with_a_row_that_does_not_fit_raises_with_nothing_of_it_folded() -> None:
    fold, survey = _fold_with_wave()
    before = canonical_json(fold.inputs())
    push = [
        questionnaire("q1", ["满意"], None, None, False),
        questionnaire("q2", ["不满意"], None, None, False),
    ]
    # Every row of a part has one width: here 1, for a wave of 3 units.
    [part] = as_parts("b1", push, [])
    message = survey(part)
    with pytest.raises(ValueError, match="row of 1 answers"):
        fold.apply(message)
    assert canonical_json(fold.inputs()) == before
    assert fold.positions()["survey"] < message.position


def spelled_out(message: IntegrationMessage) -> IntegrationMessage:
    """The same part with its ids in capitals: the model reads it to the same values, the
    plain reader leaves it to the model."""
    if message.event_type != BatchRecorded.event_type:
        return message
    payload = dict(message.payload)
    payload["wave_id"] = payload["wave_id"].upper()
    return message.model_copy(update={"payload": payload})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=survey_log(), again=st.lists(st.integers(0, 60), max_size=3))
def test_parts_fold_the_same_through_the_model_and_the_plain_reader(
    entries: list[Entry], again: list[int]
) -> None:
    """Also where a part is recorded again later (survey never does so; its questionnaires
    then count again, `fold.records.Recordings`)."""
    log = rendered(entries, "mixed")
    for at in again:
        if at < len(log) and isinstance(log[at], BatchRecorded | BatchRecordedV1):
            log.append(log[at])
    messages = with_registry(log)
    plain, modelled = RoundFold(str(CAMPAIGN), ROUND), RoundFold(str(CAMPAIGN), ROUND)
    for message in messages:
        plain.apply(message)
        modelled.apply(spelled_out(message))
    assert canonical_json(plain.inputs()) == canonical_json(modelled.inputs())


def test_a_part_naming_a_questionnaire_twice_is_read_by_the_model() -> None:
    """Survey never publishes one; the model's reading records each in turn, as it would
    two recordings (test_fold_repeated_ids.py)."""
    fold, survey = _fold_with_wave()
    q = questionnaire("q1", ["满意", None, "不满意"], None, None, False)
    [part] = as_parts("b1", [q, q | {"row": ("不满意", None, None)}], [], "scale")
    assert fold.apply(survey(part))
    counts = fold.inputs()["survey"][sid(WAVE)]
    assert counts[sid("市公安局")]["counts"]["满意"] == 1
    assert counts[sid("市公安局")]["counts"]["不满意"] == 1
