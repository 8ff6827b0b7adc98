"""What a closed wave refuses, each in words naming what was refused
(services/survey/domain/wave.py, `Wave.require_open`): a questionnaire pushed after the
close, an agency accredited after it, a second close. All are `409 wave_closed` on
`wave_id`; only the words differ. (The survey application alone, in memory: `Setup`.)"""

from __future__ import annotations

from uuid import UUID

import pytest

from services.survey.domain import WaveClosedError
from tests.survey.test_application import OFFICE, Setup


@pytest.fixture
def closed(setup: Setup) -> UUID:
    """A wave its office has closed."""
    wave_id = setup.open_wave()
    setup.app.close_wave(OFFICE, wave_id, "回收结束")
    return wave_id


def _refusal(error: pytest.ExceptionInfo[WaveClosedError]) -> str:
    assert error.value.field == "wave_id"
    assert error.value.code == "wave_closed"
    return error.value.reason


def test_accrediting_an_agency_to_a_closed_wave_says_so(setup: Setup, closed: UUID) -> None:
    # It answered "no questionnaire is accepted after its close": the office, accrediting,
    # read a rule about questionnaires it had not sent.
    with pytest.raises(WaveClosedError) as refused:
        setup.app.accredit_agency(OFFICE, closed, setup.other_agency_id, None, setup.views)
    reason = _refusal(refused)
    assert reason.startswith("测评批次已结束，不能再认定测评机构")
    assert "accredited" in reason and "questionnaire" not in reason


def test_closing_a_closed_wave_says_it_is_closed_already(setup: Setup, closed: UUID) -> None:
    with pytest.raises(WaveClosedError) as refused:
        setup.app.close_wave(OFFICE, closed, "再次结束")
    reason = _refusal(refused)
    assert reason.startswith("测评批次已经结束")
    assert "already closed" in reason and "questionnaire" not in reason


def test_a_push_into_a_closed_wave_still_names_questionnaires(setup: Setup, closed: UUID) -> None:
    with pytest.raises(WaveClosedError) as refused:
        setup.push(closed, setup.rows(1))
    reason = _refusal(refused)
    assert reason.startswith("测评批次已结束，不再接收问卷")
    assert "no questionnaire is accepted after its close" in reason
