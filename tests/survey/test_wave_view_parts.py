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
    PUSHES,
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
    # Collected: what stands, the voided one, the rejected one and the 12 of the withdrawn
    # batch left out.
    assert progress["total"]["collected"] == 54 - 1 - 1 - 12
    assert progress["by_agency"][str(AGENCY)]["collected"] == 40 - 1 - 1
    assert progress["by_agency"][str(LATE_AGENCY)]["collected"] == 12 - 12
    assert progress["by_agency"]["unspecified"]["collected"] == 2
    assert (first["status"], first["version"], len(first["flags"])) == ("quarantined", 2, 1)
    # Answers per point: those of every questionnaire at a point that counts now, as it
    # stands after the decisions (batch_log._decisions), worked out here on their own.
    assert sum(map(Counter, progress["answers_by_point"].values()), Counter()) == _counted_now()


def _counted_now() -> Counter[str]:
    intake = {i: questionnaire(i) for i in range(OLD + 1)}
    status = {i: "quarantined" if q["flags"] else "counted" for i, q in intake.items()}
    answers = {i: Counter(a for a in q["row"] if a) for i, q in intake.items()}

    def move(i: int, to: str) -> None:
        if status[i] not in ("voided", "withdrawn"):
            status[i] = to

    move(0, "quarantined")
    move(3, "counted")
    move(8, "rejected")
    move(1, "voided")
    for corrected in (2, 0):
        answers[corrected] = Counter({"不满意": 1, "满意": 1})
    for withdrawn in PUSHES[1][2]:
        move(withdrawn, "withdrawn")
    move(43, "counted")
    return sum(
        (
            answers[i]
            for i, q in intake.items()
            if status[i] == "counted" and q["survey_point"] is not None
        ),
        Counter(),
    )


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
