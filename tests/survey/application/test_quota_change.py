"""An office changes an accredited agency's quota on an open wave (`Wave.QuotaChanged`,
with its reason and actor): the next push is screened against the new quota; a quota is
never lowered below the agency's questionnaires that stand (`409 quota_below_collected`),
nor changed for an agency the wave has not accredited, without a reason, to what it is
already, or after the close. A change stored under looser rules still loads. (The
application alone: `Setup`.)"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.survey.domain import InvalidWave, QuotaBelowCollected, Response, Wave, WaveClosedError
from tests.stored_events import store
from tests.survey.test_application import OFFICE, Setup


def _wave(setup: Setup, quota: int | None) -> UUID:
    return setup.open_wave(agencies=[{"agency_id": setup.agency_id, "quota": quota}])


def test_a_raised_quota_screens_the_next_push_against_it(setup: Setup) -> None:
    wave_id = _wave(setup, 2)
    assert setup.push(wave_id, setup.rows(2))["quarantined"] == 0
    changed = setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 3, "样本量增加")
    assert changed["agencies"] == [{"agency_id": str(setup.agency_id), "quota": 3}]
    pushed = setup.push(wave_id, setup.rows(2, start=2))
    assert pushed["quarantined_questionnaire_ids"] == ["Q3"]  # the fourth, over 3
    facts = [e for e in setup.app.events.get(wave_id) if isinstance(e, Wave.QuotaChanged)]
    assert [(e.quota, e.previous, e.reason, e.actor) for e in facts] == [
        (3, 2, "样本量增加", OFFICE.actor)
    ]


def test_a_quota_is_not_lowered_below_what_stands(setup: Setup) -> None:
    wave_id = _wave(setup, None)
    setup.push(wave_id, setup.rows(3))
    with pytest.raises(QuotaBelowCollected) as caught:
        setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 2, "压缩样本")
    assert (caught.value.field, caught.value.status_code) == ("quota", 409)
    assert caught.value.reason.startswith("该测评机构已有 3 份问卷计入配额"), caught.value.reason
    # A voided questionnaire stands no more: the quota may come down to what is left.
    setup.app.void(OFFICE, wave_id, Response.create_id(wave_id, "Q0"), "录入错误")
    setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 2, "压缩样本")
    assert setup.app.wave(wave_id).agencies[str(setup.agency_id)] == 2


def test_a_quota_raised_but_still_under_what_stands_is_taken(setup: Setup) -> None:
    """The agency was over its quota already (the excess quarantined): raising it leaves
    things no worse, so it is not refused as a lowering would be."""
    wave_id = _wave(setup, 1)
    assert setup.push(wave_id, setup.rows(4))["quarantined"] == 3
    setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 2, "放宽配额")
    assert setup.app.wave(wave_id).agencies[str(setup.agency_id)] == 2


def test_what_a_quota_change_is_refused_for(setup: Setup) -> None:
    wave_id = _wave(setup, 5)
    cases = [
        (uuid4(), 6, "调整", "agency_id", "(the agency is not accredited to this wave)"),
        (setup.agency_id, 6, "  ", "reason", "(the reason must not be blank)"),
        (setup.agency_id, 5, "调整", "quota", "(the agency's quota is 5 already)"),
    ]
    for agency, quota, reason, field, english in cases:
        with pytest.raises(InvalidWave) as caught:
            setup.app.change_quota(OFFICE, wave_id, agency, quota, reason)
        assert caught.value.field == field
        assert caught.value.reason.endswith(english), caught.value.reason
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    with pytest.raises(WaveClosedError) as closed:
        setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 6, "调整")
    assert closed.value.reason.startswith("测评批次已结束，不能再调整配额")


def test_a_keyed_retry_answers_as_the_first_change(setup: Setup) -> None:
    wave_id = _wave(setup, 5)
    first = setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 8, "调整", "k1")
    assert setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 8, "调整", "k1") == first
    with pytest.raises(InvalidWave):  # without the key, a second change finds 8 already
        setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 8, "调整")


def test_a_change_stored_under_looser_rules_still_loads(setup: Setup) -> None:
    """Below what stood, with a blank reason, for an agency never accredited: the mutator
    only assigns, so the wave loads with what the event says."""
    wave_id = _wave(setup, None)
    setup.push(wave_id, setup.rows(3))
    wave = setup.app.wave(wave_id)
    stranger = uuid4()
    events = [
        Wave.QuotaChanged(  # type: ignore[call-arg]  # the metaclass makes it a dataclass
            originator_id=wave_id,
            originator_version=wave.version + n,
            timestamp=datetime(2026, 3, 1, tzinfo=UTC),
            agency_id=agency,
            quota=0,
            previous=None,
            reason="",
            actor="office:x",
        )
        for n, agency in ((1, setup.agency_id), (2, stranger))
    ]
    store(setup.app, *events)
    loaded = setup.app.wave(wave_id)
    assert loaded.agencies == {str(setup.agency_id): 0, str(stranger): 0}
