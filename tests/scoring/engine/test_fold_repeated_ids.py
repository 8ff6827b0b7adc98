"""A response id recorded more than once (survey never publishes that; an edited log or an
auditor's bundle may hold it) folds by one rule whatever the fold keeps: every record (the
live service), only the questionnaires a decision names (replay, `pingyi audit verify`,
export) or the survey log in ranges joined (`fold.split`). Each recording counts as a
questionnaire of its own, and a decision naming the id reaches every recording made before
it (`fold.records.Recordings`)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import RoundFold, named_responses
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseVoided

from .test_fold_batch import UNITS, WAVE, Entry, as_parts, questionnaire, rendered, survey_log
from .test_fold_builders import CAMPAIGN, ROUND, decided, sid
from .test_fold_keep import folded, with_registry
from .test_fold_split import IN_SCALE, split_fold

POLICE = sid(UNITS[0])


def three_ways(messages: list[IntegrationMessage], cuts: list[int]) -> list[bytes]:
    """The document folded keeping every record, keeping the named ones, and in ranges."""
    live = folded(messages, None, frozenset())
    replay = folded(messages, named_responses(messages), frozenset())
    joined, _ = split_fold(messages, cuts)
    assert joined is not None
    return [canonical_json(fold.inputs()) for fold in (live, replay, joined)]


@st.composite
def with_repeats(draw: st.DrawFn) -> list[Entry]:
    """A survey log in which pushes and single recordings are recorded again later, as
    they were or with other answers."""
    entries = draw(survey_log(IN_SCALE))
    recordings = [i for i, (kind, _) in enumerate(entries) if kind in ("push", "single")]
    again = st.lists(st.sampled_from(recordings), max_size=4) if recordings else st.just([])
    for source in draw(again):
        kind, entry = entries[source]
        if kind == "single" and draw(st.booleans()):
            row = draw(st.lists(IN_SCALE, min_size=len(UNITS), max_size=len(UNITS)))
            entry = entry.model_copy(update={"row": tuple(row)})
        at = draw(st.integers(source + 1, len(entries)))
        entries.insert(at, (kind, entry))
    return entries


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=with_repeats(),
    cuts=st.lists(st.integers(0, 60), max_size=4),
    form=st.sampled_from(["single", "v1", "v2", "scale", "mixed"]),
)
def test_a_repeated_response_id_folds_alike_whatever_the_fold_keeps(
    entries: list[Entry], cuts: list[int], form: str
) -> None:
    messages = with_registry(rendered(entries, form))
    live, replay, joined = three_ways(messages, cuts)
    assert replay == live
    assert joined == live


def police(fold: RoundFold) -> dict[str, Any]:
    return dict(fold.inputs()["survey"][sid(WAVE)][POLICE]["counts"])


def test_a_questionnaire_recorded_twice_that_nothing_names_counts_twice_everywhere() -> None:
    q = questionnaire("q1", ["满意", None, None], None, None, False)
    log = rendered([("push", ("b1", [q], [], "single")), ("push", ("b2", [q], [], "v2"))], "mixed")
    messages = with_registry(log)
    assert named_responses(messages) == frozenset()
    live, replay, joined = three_ways(messages, [2])
    assert live == replay == joined
    assert police(folded(messages, None, frozenset()))["满意"] == 2


def test_a_void_reaches_every_recording_made_before_it() -> None:
    q = questionnaire("q1", ["满意", None, None], None, None, False)
    later = q | {"row": ("不满意", None, None)}
    log = rendered(
        [
            ("push", ("b1", [q], [], "single")),
            ("push", ("b2", [later], [], "v2")),
            ("decision", decided(ResponseVoided, WAVE, "q1")),
            ("push", ("b3", [q], [], "scale")),  # after the void: counts
        ],
        "mixed",
    )
    messages = with_registry(log)
    for keep in (None, named_responses(messages)):
        fold = RoundFold(str(CAMPAIGN), ROUND, keep_records=keep)
        for message in messages:
            fold.apply(message)
        assert police(fold)["满意"] == 1
        assert police(fold)["不满意"] == 0


def test_a_part_naming_a_questionnaire_twice_counts_both() -> None:
    """Survey never publishes one; the model's reading records each in turn."""
    q = questionnaire("q1", ["满意", None, "不满意"], None, None, False)
    [part] = as_parts("b1", [q, q | {"row": ("不满意", None, None)}], [], "scale")
    messages = with_registry([*rendered([], "single"), part])
    live, replay, joined = three_ways(messages, [])
    assert live == replay == joined
    counts = police(folded(messages, None, frozenset()))
    assert (counts["满意"], counts["不满意"]) == (1, 1)
