"""代表评议: a panel member answers a wave once. A second questionnaire from them (under
another questionnaire id) is refused for what it is: the member has answered already."""

from __future__ import annotations

from tests.survey.test_application import Setup


def test_a_panel_members_second_questionnaire_names_the_member(setup: Setup) -> None:
    wave_id = setup.open_wave(kind="representative_evaluation", panel_draw_id=setup.draw_id)
    member = setup.members[0]
    assert setup.push(wave_id, setup.rows(1, respondent_id=member))["accepted"] == 1
    again = setup.push(wave_id, setup.rows(1, start=5, respondent_id=member))
    assert again["accepted"] == 0
    (refused,) = again["problems"]
    assert refused["field"] == "questionnaires.0.respondent_id"
    assert "already voted" in refused["reason"] and "correct it" not in refused["reason"]


def test_the_same_answers_under_another_id_are_no_duplicate(setup: Setup) -> None:
    """Told "duplicate", an agency would take the second questionnaire for recorded: it is
    the member's first that is."""
    wave_id = setup.open_wave(kind="representative_evaluation", panel_draw_id=setup.draw_id)
    member = setup.members[0]
    assert setup.push(wave_id, setup.rows(1, respondent_id=member))["accepted"] == 1
    again = setup.push(wave_id, setup.rows(1, respondent_id=member, questionnaire_id="R-10"))
    assert (again["accepted"], again["duplicates"]) == (0, 0)
    assert [p["code"] for p in again["problems"]] == ["panel_answered"]
    # The very same questionnaire again is a duplicate, as any re-push is.
    same = setup.push(wave_id, setup.rows(1, respondent_id=member))
    assert (same["accepted"], same["duplicates"], same["problems"]) == (0, 1, [])
