"""Survey calls an agency 测评机构, the role's name everywhere else (the registry's roles, the
kernel's 403), in every refusal it answers now; it said 调查机构 in some. (The application
alone: `Setup`.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.survey.domain import InvalidWave, NotWaveAgency, WaveClosedError
from services.survey.domain.errors import SurveyError
from shared.principals import Principal
from tests.survey.test_application import OFFICE, Setup


def _reason(refused: Callable[[], Any], kind: type[SurveyError] = SurveyError) -> str:
    with pytest.raises(kind) as caught:
        refused()
    return caught.value.reason


def _setup_reasons(setup: Setup, **spec: Any) -> dict[str, str]:
    with pytest.raises(SurveyError) as caught:
        setup.open(**spec)
    return {str(e.field): e.reason for e in caught.value.several or (caught.value,)}


def test_a_waves_agencies_are_refused_by_the_roles_name(setup: Setup) -> None:
    twice = [{"agency_id": setup.agency_id, "quota": None}] * 2
    unknown = [{"agency_id": uuid4(), "quota": None}]
    assert _setup_reasons(setup, agencies=twice)["agencies.1.agency_id"] == (
        "测评机构重复列出 (agency listed twice)"
    )
    assert _setup_reasons(setup, agencies=unknown)["agencies.0.agency_id"] == (
        "没有这个测评机构 (no such agency principal)"
    )
    assert _setup_reasons(setup, agencies=[])["agencies"] == (
        "测评批次须至少认定一家测评机构 (a wave needs an accredited agency)"
    )


def test_accreditations_and_quotas_are_refused_by_the_roles_name(setup: Setup) -> None:
    wave_id = setup.open_wave(agencies=[{"agency_id": setup.agency_id, "quota": None}])
    app = setup.app

    def accredit(agency_id: UUID) -> Any:
        return app.accredit_agency(OFFICE, wave_id, agency_id, None, setup.views)

    assert _reason(lambda: accredit(setup.agency_id), InvalidWave) == (
        "该测评机构已获本次评议认定 (the agency is already accredited to this wave)"
    )
    assert _reason(
        lambda: app.change_quota(OFFICE, wave_id, setup.other_agency_id, 3, "调整"), InvalidWave
    ) == ("该测评机构未获本次评议认定 (the agency is not accredited to this wave)")
    assert _reason(
        lambda: app.change_quota(OFFICE, wave_id, setup.agency_id, None, "调整"), InvalidWave
    ) == ("该测评机构本就没有配额, 无需调整 (the agency has no quota already)")
    app.change_quota(OFFICE, wave_id, setup.agency_id, 4, "调整")
    assert _reason(
        lambda: app.change_quota(OFFICE, wave_id, setup.agency_id, 4, "调整"), InvalidWave
    ) == ("该测评机构的配额已是 4 份, 无需调整 (the agency's quota is 4 already)")
    app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    assert _reason(lambda: accredit(setup.other_agency_id), WaveClosedError).startswith(
        "测评批次已结束，不能再认定测评机构 "
    )


def test_a_push_by_an_agency_not_accredited_is_refused_by_the_roles_name(setup: Setup) -> None:
    """The application's own check (the route's scope refuses such a key first)."""
    wave_id = setup.open_wave()
    stranger = Principal(uuid4(), "别的调查公司", "agency", None)
    refused = _reason(
        lambda: setup.app.record_batch(stranger, wave_id, setup.rows(1), [], None),
        NotWaveAgency,
    )
    assert refused.startswith("只有本次评议认定的测评机构才能推送问卷 "), refused
