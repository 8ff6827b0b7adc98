"""Reporting's `wave_progress` view reads a push as `survey.batch.recorded` parts exactly as
it reads the same questionnaires one `survey.response.recorded` v3 each: the wave's tallies
and every questionnaire's row come out byte for byte the same, decisions after them
included, on each view store; and however the consumer cuts the log into transactions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.reporting.progress.views import RESPONSES, WAVE_PROGRESS_VIEW, WAVES
from shared.views import MemoryViewStore
from tests.survey.batch_log import (
    LEVEL_ORDERS,
    STORES,
    WAVE,
    applied,
    numbered,
    pushed,
    response,
    store_pair,
    survey_log,
)


@pytest.mark.parametrize("kind", STORES)
def test_parts_leave_the_view_as_one_message_per_questionnaire(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    with store_pair(request, kind, tmp_path) as (store, other):
        by_parts = applied(store, WAVE_PROGRESS_VIEW, survey_log(parts=True))
        one_each = applied(other, WAVE_PROGRESS_VIEW, survey_log(parts=False))
        assert by_parts == one_each
        # The story did happen: every questionnaire, each decision where it should be.
        wave = store.get(WAVES, str(WAVE))
        corrected = store.get(RESPONSES, str(response(2)))
        rows = dict(store.scan(RESPONSES))
    assert wave is not None and corrected is not None
    statuses = ("counted", "quarantined", "rejected", "voided", "withdrawn")
    assert [wave["total"][status] for status in statuses] == [32, 8, 1, 1, 12]  # 54 received
    assert wave["closed_at"] is not None
    assert (corrected["status"], corrected["levels"]) == ("counted", {"不满意": 1, "满意": 1})
    assert sum(wave["by_point"]["unspecified"][status] for status in statuses) == 13
    # The tallies' answers are those of the questionnaires that count, as each row has them.
    counted: list[Counter[str]] = [
        Counter(row["levels"]) for row in rows.values() if row["status"] == "counted"
    ]
    assert Counter(wave["total"]["levels"]) == sum(counted, Counter())
    assert rows[str(response(4))]["levels"] == {"满意": 1, "基本满意": 1, "不满意": 1}


@pytest.mark.parametrize("order", LEVEL_ORDERS)
def test_whatever_the_codes_of_a_part_stand_for_the_view_is_the_same(order: str) -> None:
    """Codes of the wave's scale (as survey publishes today), of the answers in order of
    first appearance (a v1 part upcast), or past a hundred levels never answered."""
    parts = survey_log(parts=True, levels=LEVEL_ORDERS[order])
    by_parts = applied(MemoryViewStore(), WAVE_PROGRESS_VIEW, parts)
    assert by_parts == applied(MemoryViewStore(), WAVE_PROGRESS_VIEW, survey_log(parts=False))


@pytest.mark.parametrize("chunk", [1, 4, 500])
def test_how_the_log_is_cut_into_transactions_changes_nothing(chunk: int) -> None:
    messages = survey_log(parts=True)
    whole = applied(MemoryViewStore(), WAVE_PROGRESS_VIEW, messages, chunk=len(messages))
    assert applied(MemoryViewStore(), WAVE_PROGRESS_VIEW, messages, chunk=chunk) == whole


def test_a_part_into_a_wave_never_opened_is_ignored_as_single_messages_are() -> None:
    by_parts = applied(MemoryViewStore(), WAVE_PROGRESS_VIEW, numbered(pushed(parts=True)))
    one_each = applied(MemoryViewStore(), WAVE_PROGRESS_VIEW, numbered(pushed(parts=False)))
    assert by_parts == one_each == []
