"""Survey's wave view reads a push as `survey.batch.recorded` parts exactly as it reads the
same questionnaires one `survey.response.recorded` v3 each: wave documents, questionnaire
rows, progress and agencies come out byte for byte the same, decisions after them included,
on each view store; and however the consumer cuts the log into transactions (a rebuild
applies 500 at a time, a live consumer what has arrived)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.survey.views.waves import PROGRESS, QUESTIONNAIRES, WAVES, WAVES_VIEW
from shared.views import MemoryViewStore
from tests.survey.batch_log import (
    AGENCY,
    LATE_AGENCY,
    LEVEL_ORDERS,
    OLD,
    STORES,
    WAVE,
    applied,
    numbered,
    pushed,
    questionnaire,
    response,
    store_pair,
    survey_log,
)


@pytest.mark.parametrize("kind", STORES)
def test_parts_leave_the_view_as_one_message_per_questionnaire(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    with store_pair(request, kind, tmp_path) as (store, other):
        by_parts = applied(store, WAVES_VIEW, survey_log(parts=True))
        one_each = applied(other, WAVES_VIEW, survey_log(parts=False))
        assert by_parts == one_each
        # The story did happen: every questionnaire, each decision where it should be.
        wave, progress = store.get(WAVES, str(WAVE)), store.get(PROGRESS, str(WAVE))
        first = store.get(QUESTIONNAIRES, str(response(0)))
    assert wave is not None and progress is not None and first is not None
    assert (wave["response_count"], wave["status"]) == (54, "closed")
    assert progress["by_status"] == {
        "counted": 32,
        "quarantined": 8,
        "rejected": 1,
        "voided": 1,
        "withdrawn": 12,
    }
    assert progress["by_agency"][str(AGENCY)]["collected"] == 40
    assert progress["by_agency"][str(LATE_AGENCY)]["collected"] == 12
    assert progress["by_agency"]["未填"]["collected"] == 2
    assert (first["status"], first["version"], len(first["flags"])) == ("quarantined", 2, 1)
    # Answers per point: those of every questionnaire counted at intake at a point.
    intake = [questionnaire(i) for i in range(OLD + 1)]
    answers = Counter(
        a for q in intake if not q["flags"] and q["survey_point"] for a in q["row"] if a
    )
    assert sum(map(Counter, progress["answers_by_point"].values()), Counter()) == answers


@pytest.mark.parametrize("order", LEVEL_ORDERS)
def test_whatever_the_codes_of_a_part_stand_for_the_view_is_the_same(order: str) -> None:
    """Codes of the wave's scale (as survey publishes today), of the answers in order of
    first appearance (a v1 part upcast), or past a hundred levels never answered."""
    parts = survey_log(parts=True, levels=LEVEL_ORDERS[order])
    by_parts = applied(MemoryViewStore(), WAVES_VIEW, parts)
    assert by_parts == applied(MemoryViewStore(), WAVES_VIEW, survey_log(parts=False))


@pytest.mark.parametrize("chunk", [1, 4, 500])
def test_how_the_log_is_cut_into_transactions_changes_nothing(chunk: int) -> None:
    messages = survey_log(parts=True)
    whole = applied(MemoryViewStore(), WAVES_VIEW, messages, chunk=len(messages))
    assert applied(MemoryViewStore(), WAVES_VIEW, messages, chunk=chunk) == whole


def test_a_part_into_a_wave_never_opened_keeps_its_rows_as_single_messages_do() -> None:
    """Neither form counts into a wave the view never saw open; both keep the rows."""
    by_parts = applied(MemoryViewStore(), WAVES_VIEW, numbered(pushed(parts=True)))
    one_each = applied(MemoryViewStore(), WAVES_VIEW, numbered(pushed(parts=False)))
    assert by_parts == one_each
    assert [collection for collection, _, _ in by_parts] == [QUESTIONNAIRES] * 52
