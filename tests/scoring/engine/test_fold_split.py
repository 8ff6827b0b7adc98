"""A survey log folded in ranges apart (`fold.split.count_range`) and joined
(`join_ranges`) gives the document of the whole log folded at once: generated logs of pushes
in every part form and single recordings, with every kind of decision and the close
interleaved, cut anywhere (a part, a decision or the wave's opening at a boundary); and a
range that meets an answer outside the scale says so rather than guess its level."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import RoundFold, named_responses
from services.scoring.engine.fold.split import RangeCounts, count_range, join_ranges
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchRecorded

from .test_fold_batch import ANSWER, rendered, survey_log
from .test_fold_builders import CAMPAIGN, ROUND, Feed, decided, recorded, wave
from .test_fold_keep import folded, with_registry

QUESTIONNAIRES = frozenset({ResponseRecorded.event_type, BatchRecorded.event_type})
IN_SCALE = st.sampled_from(["满意", "基本满意", "不满意", "不了解", None, ""])


def split_fold(
    messages: list[IntegrationMessage], cuts: list[int]
) -> tuple[RoundFold | None, list[RangeCounts | None]]:
    """The fold of `messages` with the survey log counted in ranges cut at `cuts` (indices
    into the survey messages) and joined; None if a range could not say."""
    survey = [m for m in messages if m.origin == "survey"]
    named = named_responses(survey)
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(survey)}), len(survey)]
    ranges = [
        count_range(str(CAMPAIGN), ROUND, survey[:a], survey[a:b], named)
        for a, b in pairwise(bounds)
    ]
    found = [r for r in ranges if r is not None]
    if len(found) < len(ranges):
        return None, ranges
    fold = RoundFold(str(CAMPAIGN), ROUND, keep_records=named)
    for message in messages:
        if message.origin != "survey":
            fold.apply(message)
    skeleton = [m for m in survey if m.event_type not in QUESTIONNAIRES]
    join_ranges(fold, skeleton, found)
    return fold, ranges


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=survey_log(IN_SCALE),
    cuts=st.lists(st.integers(0, 60), max_size=4),
    form=st.sampled_from(["single", "v1", "v2", "scale", "mixed"]),
)
def test_ranges_folded_apart_and_joined_give_the_whole_logs_document(
    entries: list[tuple[str, object]], cuts: list[int], form: str
) -> None:
    messages = with_registry(rendered(entries, form))
    whole = folded(messages, None, frozenset())
    joined, _ = split_fold(messages, cuts)
    assert joined is not None
    assert canonical_json(joined.inputs()) == canonical_json(whole.inputs())
    assert joined.positions() == whole.positions()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=survey_log(ANSWER), cuts=st.lists(st.integers(0, 60), max_size=4))
def test_a_range_meeting_an_answer_outside_the_scale_says_so_and_only_then(
    entries: list[tuple[str, object]], cuts: list[int]
) -> None:
    messages = with_registry(rendered(entries, "mixed"))
    whole = folded(messages, None, frozenset())
    joined, ranges = split_fold(messages, cuts)
    if joined is None:
        # Only a recording's answer outside the scale stops a range; the whole fold met it.
        assert any(wave.codes.learned_levels() for wave in whole._survey.waves.values())
        assert None in ranges
    else:
        assert canonical_json(joined.inputs()) == canonical_json(whole.inputs())


def test_a_named_questionnaire_is_recorded_at_its_place_not_counted_in_its_range() -> None:
    survey = Feed("survey")
    survey(wave("测评", ["市公安局"]))
    survey(recorded("测评", "q1", ["满意"]))
    survey(recorded("测评", "q2", ["不满意"]))
    from shared.contracts.survey import ResponseVoided

    survey(decided(ResponseVoided, "测评", "q1"))
    named = named_responses(survey.messages)
    found = count_range(str(CAMPAIGN), ROUND, [], survey.messages, named)
    assert found is not None
    [tally] = found.tallies.values()
    assert tally.counts.sum() == 1  # q2 only
    assert [item.response_id for item in found.deferred] == [str(next(iter(named)))]
    assert found.deferred[0].position == survey.messages[1].position
    assert found.last_position == survey.messages[2].position  # the decision is not read


def test_tallies_of_different_waves_are_refused() -> None:
    from services.scoring.engine.fold.tally import Tally

    with pytest.raises(ValueError, match="different waves"):
        Tally(3, 4).absorb(Tally(2, 4))
    with pytest.raises(ValueError, match="different waves"):
        Tally(3, 4).absorb(Tally(3, 5))
