"""Decisions that would change nothing are refused (services/survey/application/decisions/
commands.py and the questionnaire's own rules): a void of a questionnaire that has already
stopped counting for good — its batch withdrawn, or rejected on review — is refused as a
correction of it is, instead of being recorded beside the decision that stopped it."""

from __future__ import annotations

from uuid import UUID

import pytest

from services.survey.domain import DecisionConflict, Response
from tests.survey.test_application import OFFICE, Setup


def test_a_questionnaire_of_a_withdrawn_batch_is_not_voided(setup: Setup) -> None:
    wave_id = setup.open_wave()
    batch = setup.push(wave_id, setup.rows(2))
    response_id = Response.create_id(wave_id, "Q0")
    setup.app.withdraw_batch(OFFICE, wave_id, UUID(batch["batch_id"]), "该机构代填问卷")
    with pytest.raises(DecisionConflict) as refused:
        setup.app.void(OFFICE, wave_id, response_id, "重复作废")
    assert "withdrawn" in str(refused.value)
    read = setup.app.questionnaire_out(setup.app.questionnaire(response_id))
    assert (read["status"], [h["event"] for h in read["history"]]) == ("withdrawn", ["withdrawn"])


def test_a_rejected_questionnaire_is_not_voided(setup: Setup) -> None:
    wave_id = setup.open_wave(agencies=[{"agency_id": setup.agency_id, "quota": 1}])
    setup.push(wave_id, setup.rows(2))
    flagged = Response.create_id(wave_id, "Q1")  # over the agency's quota: quarantined
    setup.app.review(OFFICE, wave_id, [flagged], "reject", "超出配额")
    with pytest.raises(DecisionConflict) as refused:
        setup.app.void(OFFICE, wave_id, flagged, "作废")
    assert "rejected" in str(refused.value)
    read = setup.app.questionnaire_out(setup.app.questionnaire(flagged))
    assert read["status"] == "rejected"
    assert [h["event"] for h in read["history"]] == ["rejected"]
