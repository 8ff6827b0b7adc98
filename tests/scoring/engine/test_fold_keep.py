"""A replay that keeps records only of the questionnaires some decision names produces the
same document as the live fold that keeps every record: on the fold tests' world, and on
generated survey logs of every decision in any order, asked for part way or not."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import DECISION_TYPES, RoundFold, named_responses
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.survey import (
    RespondentGroup,
    ResponseQuarantined,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    SurveyPoint,
)

from .test_fold_builders import (
    CAMPAIGN,
    CITY,
    ROUND,
    Feed,
    closed,
    corrected,
    decided,
    recorded,
    sid,
    wave,
    withdrawn_batch,
)
from .test_fold_world import build_registry, world


def folded(
    messages: list[IntegrationMessage], keep: frozenset[str] | None, looks: frozenset[int]
) -> RoundFold:
    fold = RoundFold(str(CAMPAIGN), ROUND, keep_records=keep)
    for step, message in enumerate(messages):
        fold.apply(message)
        if step in looks:
            fold.inputs()
    return fold


def records_kept(fold: RoundFold) -> int:
    return sum(len(w.records) for w in fold._survey.waves.values())


def test_the_world_folds_the_same_keeping_only_the_decided_questionnaires() -> None:
    messages = world().in_order()
    keep = named_responses(messages)
    # r3 corrected, r4 released, r5 rejected, r6 and r2 voided, r7 quarantined, r8 and r9
    # withdrawn with batch b1: every other questionnaire is only ever recorded.
    assert keep == {sid(r) for r in ("r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9")}
    everything = folded(messages, None, frozenset())
    replay = folded(messages, keep, frozenset())
    assert canonical_json(replay.inputs()) == canonical_json(everything.inputs())
    assert replay.positions() == everything.positions()
    # The live fold keeps r1..r9 of W1 and p1, p2 of W2; the replay only the eight named.
    assert records_kept(everything) == 11
    assert records_kept(replay) == 8


def test_the_first_pass_reads_only_decisions() -> None:
    survey = Feed("survey")
    survey(recorded("测评", "q1", ["满意"]))
    # An undecodable recording is not a decision: never parsed, never named.
    survey.raw("survey.response.recorded", 3, {"wave_id": "not a uuid"})
    survey(decided(ResponseVoided, "测评", "q1"))
    assert "survey.response.recorded" not in DECISION_TYPES
    assert named_responses(survey.messages) == {sid("q1")}


WAVE = "测评"
UNITS = ["市公安局", "市供电公司", "市住建局"]
IDS = [f"q{i}" for i in range(12)]
ANSWER = st.sampled_from(["满意", "基本满意", "不满意", "不了解", None, "非常满意"])


@st.composite
def survey_log(draw: st.DrawFn) -> list[IntegrationPayload]:
    """A wave's log: each questionnaire recorded at most once (the survey's rule), and any
    decision about any id, recorded or not, before or after the close."""
    unrecorded = list(IDS)
    log: list[IntegrationPayload] = [
        wave(
            WAVE,
            UNITS,
            groups=(RespondentGroup(code="群众", name="群众", target_percent=100),),
            points=(SurveyPoint(code="源汇", name="源汇", jurisdiction_id=CITY, target=9),),
        )
    ]
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from(["record"] * 4 + ["correct", "decide", "withdraw", "close"]))
        some = draw(st.sampled_from(IDS))
        if kind == "record" and unrecorded:
            log.append(_recording(draw, unrecorded.pop(draw(st.integers(0, len(unrecorded) - 1)))))
        elif kind == "correct":
            ratings = {u: a for u in UNITS if (a := draw(ANSWER))}
            log.append(corrected(WAVE, some, ratings))
        elif kind == "decide":
            verdict = (ResponseQuarantined, ResponseReleased, ResponseRejected, ResponseVoided)
            log.append(decided(draw(st.sampled_from(verdict)), WAVE, some))
        elif kind == "withdraw":
            batch = draw(st.sampled_from(["b1", "b2"]))
            log.append(withdrawn_batch(WAVE, batch, draw(st.lists(st.sampled_from(IDS)))))
        elif kind == "close":
            log.append(closed(WAVE))
    return log


def _recording(draw: st.DrawFn, response: str) -> IntegrationPayload:
    return recorded(
        WAVE,
        response,
        draw(st.lists(ANSWER, min_size=len(UNITS), max_size=len(UNITS))),
        group=draw(st.sampled_from([None, "群众", "监督员"])),
        point=draw(st.sampled_from([None, "源汇", "郾城"])),
        flagged=draw(st.booleans()),
        batch=draw(st.sampled_from([None, "b1", "b2"])),
    )


def with_registry(payloads: list[IntegrationPayload]) -> list[IntegrationMessage]:
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    for payload in payloads:
        survey(payload)
    return registry.messages + survey.messages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=survey_log(), looks=st.frozensets(st.integers(0, 60)), data=st.data())
def test_keeping_only_named_records_never_changes_the_document(
    log: list[IntegrationPayload], looks: frozenset[int], data: Any
) -> None:
    messages = with_registry(log)
    keep = named_responses(messages)
    # Naming more than needed (a pass over a longer prefix) changes nothing either.
    extra = data.draw(st.frozensets(st.sampled_from([sid(i) for i in IDS])))
    expected = canonical_json(folded(messages, None, frozenset()).inputs())
    for kept in (keep, keep | extra):
        assert canonical_json(folded(messages, kept, looks).inputs()) == expected
