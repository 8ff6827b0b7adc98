"""Online public voting as the public meets it (services/survey/application/voting.py and the
wave checks it needs, application/waves/setup.py), in memory with a registry copy fed by
contracts: a wave opened to the public can record a vote, and a closed one says so without
the office's own record of why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.survey.domain import InvalidWave, WaveClosedError
from tests.survey.test_application import OFFICE, Setup
from tests.survey.voter_codes import code_for


def _window() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1)}


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"kind": "online_public_voting", "channels": ["survey_point", "paper"]}, "channels"),
        ({"public": True, "channels": ["phone"]}, "channels"),
        (
            {
                "kind": "representative_evaluation",
                "public": True,
                "panel_body_id": "county",
                "panel_cycle": "2026",
            },
            "public",
        ),
    ],
)
def test_a_public_wave_no_vote_could_be_recorded_in_is_refused(
    setup: Setup, spec: dict[str, Any], field: str
) -> None:
    # Opened, such a wave refused every voter for a field a vote does not carry (`channel`,
    # `respondent_id`): the office learns it when opening, not the public when voting.
    if spec.get("panel_body_id") == "county":
        spec = spec | {"panel_body_id": setup.county}
    with pytest.raises(InvalidWave) as refused:
        setup.open(**spec, **_window())
    assert refused.value.field == field


def test_a_public_wave_on_the_online_channel_among_others_takes_votes(setup: Setup) -> None:
    wave_id = setup.open_wave(
        kind="online_public_voting", channels=["paper", "online"], **_window()
    )
    code = code_for(setup.app, wave_id, "13800138000")
    vote = setup.app.vote(wave_id, "13800138000", {str(setup.units[0]): "满意"}, code=code)
    assert vote["units"] == 1


def test_a_closed_wave_answers_a_voter_without_the_offices_reason(setup: Setup) -> None:
    wave_id = setup.open_wave(kind="online_public_voting", **_window())
    setup.app.close_wave(OFFICE, wave_id, "内部: 发现刷票, 暂停")
    with pytest.raises(WaveClosedError) as refused:
        setup.app.vote(wave_id, "13800138000", {str(setup.units[0]): "满意"})
    assert refused.value.field == "wave_id"
    assert "刷票" not in str(refused.value) + repr(refused.value.context)
