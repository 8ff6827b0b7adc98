"""An agency pushing a questionnaire id that another agency of the wave recorded learns
only that the id is taken: not "already recorded with different answers; correct it
instead" (it cannot correct another agency's questionnaire, and the wording tells it
about the other's answers), and for a panel member not the other agency's questionnaire
id. An agency reads only its own questionnaires (docs/survey.md). (The survey application
alone, in memory: `Setup`.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from shared.contracts.survey import WaveKind
from tests.survey.test_application import Setup


def _two_agencies(setup: Setup, **spec: Any) -> UUID:
    agencies = [
        {"agency_id": setup.agency_id, "quota": None},
        {"agency_id": setup.other_agency_id, "quota": None},
    ]
    return setup.open_wave(agencies=agencies, **spec)


def _problems(pushed: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p["field"], p["code"], p["reason"]) for p in pushed["problems"]]


def test_an_id_recorded_by_another_agency_is_refused_as_taken(setup: Setup) -> None:
    wave_id = _two_agencies(setup)
    rows = setup.rows(1)
    assert setup.push(wave_id, rows)["accepted"] == 1
    for answers in ("满意", "不满意"):  # the same answers or others: one answer
        pushed = setup.app.record_batch(
            setup.other_agency, wave_id, setup.rows(1, answers), [], None
        )
        assert (pushed["accepted"], pushed["duplicates"]) == (0, 0), pushed
        assert _problems(pushed) == [
            (
                "questionnaires.0.questionnaire_id",
                "other_agency",
                "该问卷编号已由本批次的另一测评机构使用 (this questionnaire id was recorded "
                "by another agency of this wave)",
            )
        ]
    # The agency that recorded it still finds its re-push a duplicate.
    assert setup.push(wave_id, rows)["duplicates"] == 1


def test_a_panel_member_recorded_by_another_agency_names_no_questionnaire(setup: Setup) -> None:
    wave_id = _two_agencies(
        setup, kind=WaveKind.REPRESENTATIVE_EVALUATION.value, panel_draw_id=setup.draw_id
    )
    member = setup.members[0]
    mine = setup.rows(1, respondent_id=member)
    assert setup.push(wave_id, mine)["accepted"] == 1
    theirs = setup.rows(1, respondent_id=member, start=7)  # another questionnaire id
    pushed = setup.app.record_batch(setup.other_agency, wave_id, theirs, [], None)
    assert pushed["accepted"] == 0
    ((field, code, reason),) = _problems(pushed)
    assert (field, code) == ("questionnaires.0.respondent_id", "other_agency")
    assert "Q0" not in reason
