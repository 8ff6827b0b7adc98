"""A message of survey's delivered again, or the same decision published again under a new
position, changes nothing in the wave's progress (the story of `status_story`)."""

from __future__ import annotations

from services.reporting.progress.views import WAVE_PROGRESS_VIEW
from shared.contracts.survey import (
    ResponseQuarantined,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
)
from tests.reporting.progress.status_story import (
    ACCREDITED,
    PAYLOADS,
    QUARANTINE,
    STEPS,
    SURVEY_LOG,
    WITHDRAWN,
    about,
    agencies,
    apply,
    fresh_store,
    numbered,
    read,
    statuses,
)


def test_a_redelivered_message_changes_nothing() -> None:
    once = fresh_store()
    apply(once, SURVEY_LOG)
    twice = fresh_store()
    # The consumer rewinds and reads the second half again, then the whole log.
    apply(twice, SURVEY_LOG[:8])
    apply(twice, SURVEY_LOG[4:])
    apply(twice, SURVEY_LOG)
    assert list(twice.dump(WAVE_PROGRESS_VIEW.collection_names)) == list(
        once.dump(WAVE_PROGRESS_VIEW.collection_names)
    )
    assert statuses(read(twice)) == STEPS[-1][2]


def test_a_decision_published_again_changes_nothing() -> None:
    """The same facts again under new positions (a producer's retry): each questionnaire is
    already where they put it, and the accredited agency already has that quota."""
    store = fresh_store()
    apply(store, SURVEY_LOG)
    before = read(store)
    again = [
        ResponseReleased(**about(1), reason="复核无误"),
        ResponseRejected(**about(3), reason="复核属实"),
        ResponseVoided(**about(5), reason="重复录入"),
        WITHDRAWN,
        ResponseQuarantined(**about(2), flags=QUARANTINE),
        ACCREDITED,
    ]
    apply(store, numbered("survey", [*PAYLOADS, *again])[len(PAYLOADS) :])
    after = read(store)
    assert after == before
    assert statuses(after) == STEPS[-1][2]
    assert agencies(after)["丙调查公司"] == (2, 0, 0, 0, 2, 3)
