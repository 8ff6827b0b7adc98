"""A domain check that refuses blank text says which text, Chinese first, as every other
refusal does, not a bare "must not be blank" (reached where a request's model does not
check first: the application called by an importer, a script or another command)."""

from __future__ import annotations

from uuid import UUID

import pytest

from services.survey.domain import InvalidQuestionnaire, InvalidTemplate, InvalidWave, Response
from services.survey.domain.response.questionnaire import require_reason
from services.survey.domain.templates import template_content
from shared.contracts.survey import Scale
from tests.survey.test_application import OFFICE, Setup


def test_closing_a_wave_without_a_reason_names_the_reason(setup: Setup) -> None:
    wave_id = setup.open_wave()
    with pytest.raises(InvalidWave) as caught:
        setup.app.close_wave(OFFICE, wave_id, " \u3000")
    assert (caught.value.field, caught.value.reason) == (
        "reason",
        "关闭原因不能为空 (the reason for closing must not be blank)",
    )


def test_opening_a_wave_without_a_name_names_the_name(setup: Setup) -> None:
    with pytest.raises(InvalidWave) as caught:
        setup.open(name="\u3000")
    assert (caught.value.field, caught.value.reason) == (
        "name",
        "测评批次名称不能为空 (the wave's name must not be blank)",
    )


def test_a_decision_without_a_reason_names_the_reason(setup: Setup) -> None:
    wave_id = setup.open_wave()
    setup.push(wave_id, setup.rows(1))
    with pytest.raises(InvalidQuestionnaire) as caught:
        setup.app.void(OFFICE, wave_id, _first(setup, wave_id), "  ")
    assert (caught.value.field, caught.value.reason) == (
        "reason",
        "原因不能为空 (the reason must not be blank)",
    )
    with pytest.raises(InvalidQuestionnaire):
        require_reason("")


def test_a_template_without_a_name_names_the_name() -> None:
    with pytest.raises(InvalidTemplate) as caught:
        template_content(" ", Scale.FOUR_LEVEL, [], False, False, False, False)
    assert (caught.value.field, caught.value.reason) == (
        "name",
        "问卷模板名称不能为空 (the template's name must not be blank)",
    )


def _first(setup: Setup, wave_id: UUID) -> UUID:
    return Response.create_id(wave_id, "Q0")
