"""The document depends on what each origin published, never on how the origins were
interleaved on their way to scoring; redelivered positions change nothing; event types
scoring does not read pass through."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import RELEVANT_TYPES, RoundFold, relevant
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage
from shared.contracts.survey import WaveAgencyAccredited

from .test_fold_builders import (
    CAMPAIGN,
    ROUND,
    sid,
    uid,
)
from .test_fold_world import (
    PREVIOUS_CYCLE,
    W1,
    world,
)

WORLD = world()
STREAMS = WORLD.streams()


def fold(messages: list[IntegrationMessage]) -> RoundFold:
    folded = RoundFold(str(CAMPAIGN), ROUND)
    for message in messages:
        folded.apply(message)
    return folded


IN_ORDER = canonical_json(fold(WORLD.in_order()).inputs())


def merge(streams: list[list[IntegrationMessage]], picks: list[int]) -> list[IntegrationMessage]:
    """The streams merged, taking the next message of stream `picks[i]` at step i: each
    origin's own order kept."""
    cursors = [0] * len(streams)
    merged = []
    for pick in picks:
        merged.append(streams[pick][cursors[pick]])
        cursors[pick] += 1
    return merged


LABELS = [index for index, stream in enumerate(STREAMS) for _ in stream]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.permutations(LABELS), looks=st.sets(st.integers(0, len(LABELS) - 1)))
def test_any_interleaving_gives_the_same_document(picks: list[int], looks: set[int]) -> None:
    """Also asking for the document part way (as the live service does after each batch)
    leaves the end result alone."""
    folded = RoundFold(str(CAMPAIGN), ROUND)
    for step, message in enumerate(merge(STREAMS, picks)):
        folded.apply(message)
        if step in looks:
            folded.inputs()
    assert canonical_json(folded.inputs()) == IN_ORDER
    assert folded.positions() == {stream[0].origin: stream[-1].position for stream in STREAMS}


def test_questionnaires_folded_before_their_campaign_opened_are_placed_once_it_is() -> None:
    survey_first = WORLD.survey.messages + WORLD.registry.messages
    folded = RoundFold(str(CAMPAIGN), ROUND)
    for message in WORLD.survey.messages:
        folded.apply(message)
    # Not yet: a wave whose campaign is not open at the registry position read.
    early = folded.inputs()
    assert early["waves"] == [] and early["survey"] == {} and early["units"] == []
    assert early["campaign"]["window"] == {"starts_on": "", "ends_on": ""}
    for message in WORLD.registry.messages:
        folded.apply(message)
    assert folded.inputs() == fold(survey_first).inputs()
    assert folded.inputs()["survey"] == fold(WORLD.in_order()).inputs()["survey"]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_redelivered_positions_change_nothing(data: st.DataObject) -> None:
    folded = RoundFold(str(CAMPAIGN), ROUND)
    for stream in STREAMS:
        stop = data.draw(st.integers(1, len(stream)), label=stream[0].origin)
        for message in stream[:stop]:
            folded.apply(message)
    before = canonical_json(folded.inputs())
    positions = folded.positions()
    again = data.draw(
        st.lists(
            st.sampled_from([m for m in WORLD.in_order() if m.position <= positions[m.origin]])
        )
    )
    assert [folded.apply(message) for message in again] == [False] * len(again)
    assert canonical_json(folded.inputs()) == before
    assert folded.positions() == positions


def test_a_redelivered_prefix_then_the_rest_gives_the_same_document() -> None:
    half = len(WORLD.survey.messages) // 2
    replayed = (
        WORLD.registry.messages
        + WORLD.survey.messages[:half]
        + WORLD.survey.messages  # the consumer read again from the start
        + WORLD.inspection.messages
        + WORLD.scoring.messages
    )
    assert canonical_json(fold(replayed).inputs()) == IN_ORDER


def message(
    origin: str, position: int, event_type: str, payload: dict[str, object]
) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for(origin, position),
        event_type=event_type,
        schema_version=1,
        origin=origin,
        position=position,
        previous_position=None,
        occurred_at=datetime(2024, 9, 1, tzinfo=UTC),
        payload=payload,
    )


def test_event_types_scoring_does_not_read_pass_untouched() -> None:
    folded = fold(WORLD.in_order())
    last = folded.positions()["survey"]
    accredited = WaveAgencyAccredited(
        wave_id=uid(W1), agency_id=uid("agency-2"), quota=None, actor="office:test"
    )
    unread = [
        message("survey", last + 1, accredited.event_type, accredited.model_dump(mode="json")),
        # Not even a contract: never decoded.
        message("reporting", 7, "reporting.view.rebuilt", {"anything": ["at", "all"]}),
        message("survey", last + 2, "survey.wave.renamed", {"wave_id": 3}),
    ]
    assert [relevant(m) for m in unread] == [False, False, False]
    assert [folded.apply(m) for m in unread] == [False, False, False]
    assert canonical_json(folded.inputs()) == IN_ORDER
    assert folded.positions()["survey"] == last + 2
    assert folded.positions()["reporting"] == 7


def test_every_message_of_the_world_is_relevant() -> None:
    assert all(relevant(m) for m in WORLD.in_order())
    assert "scoring.round.scored" in RELEVANT_TYPES


def test_a_fold_of_another_round_sees_another_round() -> None:
    first = fold(WORLD.in_order()).inputs()
    round_1 = RoundFold(str(CAMPAIGN), 1)
    for m in WORLD.in_order():
        round_1.apply(m)
    other = round_1.inputs()
    assert other["campaign"]["window"] == {"starts_on": "2024-01-01", "ends_on": "2024-06-30"}
    assert [w["name"] for w in other["waves"]] == ["上半年问卷"]
    # round 1 has no earlier round of its pattern but the previous cycle's
    assert [e["campaign_id"] for e in other["history"][sid("市公安局")]] == [str(PREVIOUS_CYCLE)]
    assert other["findings"][sid("市公安局")][0]["found_on"] == "2024-05-20"
    assert first != other
