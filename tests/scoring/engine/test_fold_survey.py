"""Questionnaire decisions move the counts exactly: recorded, quarantined, released,
rejected, voided, withdrawn with a batch, corrected; after the close too. One wave of two
units, and the counts checked after every message."""

from __future__ import annotations

import pytest

from services.scoring.engine.fold import RoundFold
from shared.contracts import IntegrationPayload
from shared.contracts.survey import (
    RATINGS,
    ResponseQuarantined,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    WaveClosedV1,
)

from .test_fold_builders import (
    CAMPAIGN,
    ROUND,
    Feed,
    closed,
    corrected,
    decided,
    enrol,
    recorded,
    sid,
    uid,
    wave,
    withdrawn_batch,
)
from .test_fold_world import (
    build_registry,
)

WAVE = "测评"
UNITS = ["市公安局", "市供电公司"]
POLICE, POWER = (sid(name) for name in UNITS)


class Round:
    """A fold fed from a registry (the world's) and a survey feed written by each test."""

    def __init__(self) -> None:
        self.fold = RoundFold(str(CAMPAIGN), ROUND)
        registry = Feed("registry")
        build_registry(registry)
        for message in registry.messages:
            self.fold.apply(message)
        self.survey = Feed("survey")
        self.send(wave(WAVE, UNITS, groups=(), points=()))

    def send(self, payload: IntegrationPayload) -> bool:
        return self.fold.apply(self.survey(payload))

    def counts(self, unit_id: str = POLICE) -> dict[str, int]:
        return dict(self.fold.inputs()["survey"][sid(WAVE)][unit_id]["counts"])


def levels(**counts: int) -> dict[str, int]:
    return {level: counts.get(level, 0) for level in RATINGS}


@pytest.fixture
def r() -> Round:
    return Round()


def test_a_questionnaire_counts_once_per_recording(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["满意", "不满意"]))
    assert r.counts() == levels(满意=1)
    assert r.counts(POWER) == levels(不满意=1)
    # Recorded again under the same response id (survey never does): a questionnaire of its
    # own, as a replay keeping no record of q1 must count it (test_fold_repeated_ids.py).
    assert r.send(recorded(WAVE, "q1", ["不满意", "不满意"]))
    assert r.counts() == levels(满意=1, 不满意=1)
    r.send(decided(ResponseVoided, WAVE, "q1"))  # reaches both
    assert r.counts() == levels()


def test_quarantine_release_and_reject(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["满意", None], flagged=True))
    assert r.counts() == levels()
    r.send(decided(ResponseReleased, WAVE, "q1"))
    assert r.counts() == levels(满意=1)
    r.send(decided(ResponseReleased, WAVE, "q1"))  # released twice: still once
    assert r.counts() == levels(满意=1)
    r.send(decided(ResponseQuarantined, WAVE, "q1"))
    assert r.counts() == levels()
    r.send(decided(ResponseRejected, WAVE, "q1"))
    r.send(decided(ResponseReleased, WAVE, "q1"))  # a rejection is final
    assert r.counts() == levels()


def test_a_void_is_final(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["基本满意", "满意"]))
    r.send(recorded(WAVE, "q2", ["基本满意", None]))
    r.send(decided(ResponseVoided, WAVE, "q1"))
    assert r.counts() == levels(基本满意=1)
    assert r.counts(POWER) == levels()
    r.send(corrected(WAVE, "q1", {"市公安局": "满意"}))
    r.send(decided(ResponseReleased, WAVE, "q1"))
    assert r.counts() == levels(基本满意=1)


def test_a_correction_moves_the_ratings_of_a_counted_questionnaire(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["满意", "满意"]))
    r.send(recorded(WAVE, "q2", ["满意", None]))
    r.send(corrected(WAVE, "q1", {"市公安局": "不满意", "县卫健委": "满意"}))
    # 公安局: 满意 -> 不满意; 供电公司 no longer rated by q1; 县卫健委 is not the wave's
    assert r.counts() == levels(满意=1, 不满意=1)
    assert r.counts(POWER) == levels()


def test_a_corrected_quarantined_questionnaire_counts_as_corrected_once_released(
    r: Round,
) -> None:
    r.send(recorded(WAVE, "q1", ["满意", None], flagged=True))
    r.send(corrected(WAVE, "q1", {"市公安局": "不了解", "市供电公司": "基本满意"}))
    assert r.counts() == levels()
    r.send(decided(ResponseReleased, WAVE, "q1"))
    assert r.counts() == levels(不了解=1)
    assert r.counts(POWER) == levels(基本满意=1)


def test_a_batch_withdrawal_ends_its_questionnaires_counted_or_not(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["满意", None], batch="b1"))
    r.send(recorded(WAVE, "q2", ["不满意", None], batch="b1", flagged=True))
    r.send(recorded(WAVE, "q3", ["基本满意", None], batch="b2"))
    r.send(withdrawn_batch(WAVE, "b1", ["q1", "q2", "q1"]))
    assert r.counts() == levels(基本满意=1)
    r.send(decided(ResponseReleased, WAVE, "q2"))
    assert r.counts() == levels(基本满意=1)


@pytest.mark.parametrize("version", [1, 2])
def test_after_the_close_no_questionnaire_enters_but_decisions_apply(
    r: Round, version: int
) -> None:
    r.send(recorded(WAVE, "q1", ["满意", None], flagged=True))
    r.send(recorded(WAVE, "q2", ["满意", None]))
    r.send(closed(WAVE) if version == 2 else WaveClosedV1(wave_id=uid(WAVE), actor="office:test"))
    r.send(recorded(WAVE, "q3", ["满意", "满意"]))
    assert r.counts() == levels(满意=1)
    r.send(decided(ResponseReleased, WAVE, "q1"))
    r.send(decided(ResponseVoided, WAVE, "q2"))
    r.send(corrected(WAVE, "q1", {"市公安局": "不满意"}))
    assert r.counts() == levels(不满意=1)
    assert r.fold.inputs()["waves"][0]["closed"] is True


def test_a_group_or_point_nobody_counts_under_leaves_the_tallies(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["满意", None], group="服务对象", point="源汇"))
    tally = r.fold.inputs()["survey"][sid(WAVE)][POLICE]
    assert tally["by_group"] == {"服务对象": levels(满意=1)}
    assert tally["by_point"] == {"源汇": levels(满意=1)}
    r.send(decided(ResponseVoided, WAVE, "q1"))
    tally = r.fold.inputs()["survey"][sid(WAVE)][POLICE]
    assert tally["by_group"] == {}
    assert tally["by_point"] == {}


def test_an_answer_outside_the_scale_is_counted_under_its_own_key(r: Round) -> None:
    """Survey refuses such answers; if one came through, it stays visible."""
    r.send(recorded(WAVE, "q1", ["满意", None]))
    r.send(corrected(WAVE, "q1", {"市公安局": "非常满意"}))
    assert r.counts() == {**levels(), "非常满意": 1}
    assert r.counts(POWER) == {**levels(), "非常满意": 0}


def test_a_row_that_does_not_fit_the_wave_stalls_without_changing_anything(r: Round) -> None:
    r.send(recorded(WAVE, "q1", ["满意", None]))
    before = (r.fold.inputs(), r.fold.positions())
    bad = r.survey(recorded(WAVE, "q2", ["满意"]))
    with pytest.raises(ValueError, match="row of 1 answers"):
        r.fold.apply(bad)
    assert (r.fold.inputs(), r.fold.positions()) == before
    assert r.fold.positions()["survey"] < bad.position


def test_messages_about_other_waves_are_not_the_rounds(r: Round) -> None:
    assert r.send(wave("上半年", UNITS, round_=1)) is False
    assert r.send(recorded("上半年", "h1", ["满意", None])) is False
    assert r.send(wave("别的活动", UNITS, campaign_id=sid("other-campaign"))) is False
    assert r.send(recorded(WAVE, "q1", ["满意", None])) is True
    assert [w["name"] for w in r.fold.inputs()["waves"]] == [WAVE]


def test_enrolment_of_a_unit_in_another_campaign_is_not_the_rounds() -> None:
    fold = RoundFold(str(CAMPAIGN), ROUND)
    registry = Feed("registry")
    assert fold.apply(registry(enrol("县卫健委", campaign_id=sid("other-campaign")))) is False
    assert fold.apply(registry(enrol("县卫健委"))) is True
