"""Assessment aggregates: validation (code and field as the API reports them), corrections
and withdrawals as new events, derived ids, stored events that break today's rules still
load, and every event's published contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from services.inspection.assessments.domain import (
    AssessmentScore,
    AssessmentScoreExists,
    AssessmentScoreWithdrawn,
    InvalidAssessment,
    RepresentativeViolation,
    ResultCancellation,
    Veto,
    VetoAlreadyRevoked,
    VetoExists,
    cancellation_id,
    score_id,
    veto_id,
)
from services.inspection.dates import Window
from services.inspection.errors import InspectionError
from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from shared.contracts import inspection_assessments as contract
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

HASH = "sha256:" + "ab" * 32
UNIT, JURISDICTION, CAMPAIGN = uuid4(), uuid4(), uuid4()


def score(**overrides: Any) -> AssessmentScore:
    spec: dict[str, Any] = {
        "unit_id": UNIT,
        "jurisdiction_id": JURISDICTION,
        "campaign_id": CAMPAIGN,
        "round": 1,
        "component_code": " organisation ",
        "component_name": " 组织领导与资料 ",
        "score": Decimal("8.5"),
        "maximum": Decimal("10"),
        "assessor": "市评议考核组",
        "basis": "  查阅台账，组织机构健全  ",
        "evidence": [HASH.upper().replace("SHA256", "sha256")],
        "reason": "年终集中评议",
        "actor": "office:a",
    }
    return AssessmentScore.record(**(spec | overrides))


def veto(**overrides: Any) -> Veto:
    spec: dict[str, Any] = {
        "unit_id": UNIT,
        "jurisdiction_id": JURISDICTION,
        "campaign_id": CAMPAIGN,
        "round": 1,
        "basis": "发生重大安全责任事故",
        "authority": "县纪委监委",
        "decided_on": date(2026, 11, 20),
        "actor": "office:a",
        "today": date(2026, 11, 30),
    }
    return Veto.decide(**(spec | overrides))


def test_a_score_is_normalised_and_its_id_derived_from_what_it_scores() -> None:
    recorded = score()
    assert recorded.id == score_id(CAMPAIGN, 1, UNIT, "organisation")
    assert (recorded.component_code, recorded.component_name) == ("organisation", "组织领导与资料")
    assert (recorded.score, recorded.maximum, recorded.evidence) == (
        Decimal("8.5"),
        Decimal("10"),
        (HASH,),
    )
    assert recorded.basis == "查阅台账，组织机构健全" and not recorded.withdrawn
    assert score(round=2).id != recorded.id and score().id == recorded.id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"score": Decimal("10.5")}, "score"),
        ({"score": Decimal("-1")}, "score"),
        ({"score": Decimal("NaN")}, "score"),
        ({"maximum": Decimal("0")}, "maximum"),
        ({"maximum": Decimal("Infinity")}, "maximum"),
        ({"round": 0}, "round"),
        ({"component_code": "  "}, "component_code"),
        ({"component_name": "名" * 101}, "component_name"),
        ({"assessor": ""}, "assessor"),
        ({"basis": " "}, "basis"),
        ({"reason": ""}, "reason"),
        ({"evidence": ["md5:abc"]}, "evidence"),
        ({"evidence": [HASH, HASH]}, "evidence"),
    ],
)
def test_invalid_scores_name_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidAssessment) as raised:
        score(**overrides)
    assert (raised.value.field, raised.value.status_code) == (field, 422)
    assert raised.value.code == "invalid_assessment" and isinstance(raised.value, InspectionError)


def test_a_component_code_typed_full_width_is_the_schemes_code_and_the_same_score() -> None:
    """Scoring matches the code to a scheme's `assessment_code` character for character: a
    code typed full width (ｏｒｇａｎｉｓａｔｉｏｎ, as an input method types it) is the
    half-width code, so it counts, and is the same score (one in force per component)."""
    wide = score(component_code=" ｏｒｇａｎｉｓａｔｉｏｎ＿２ ")
    assert wide.component_code == "organisation_2"
    assert wide.id == score(component_code="organisation_2").id
    assert score(component_code="日常工作").component_code == "日常工作"


@pytest.mark.parametrize("code", ["daily work", "daily.work", "日常/工作", "ＳＴＥＰ！", "①"])
def test_a_component_code_no_scheme_can_name_is_refused(code: str) -> None:
    """Such a score would never count (the scheme's assessment component finds nothing and
    the unit is scored without it), silently: it is refused, naming the field."""
    with pytest.raises(InvalidAssessment) as raised:
        score(component_code=code)
    assert (raised.value.field, raised.value.status_code) == ("component_code", 422)
    assert "assessment_code" in str(raised.value)


def test_a_withdrawn_score_gives_way_to_a_new_one_with_a_new_id() -> None:
    """Withdrawn, the score no longer holds its component: the next one is a new record
    (scoring drops the withdrawn id and counts the new one); one in force is a conflict."""
    stored: dict[Any, AssessmentScore] = {}
    first = score(lookup=stored.get)
    stored[first.id] = first
    with pytest.raises(AssessmentScoreExists) as raised:
        score(lookup=stored.get)
    assert raised.value.context == {"score_id": str(first.id)}
    first.withdraw("评分对象有误", "office:b")
    second = score(lookup=stored.get, score=Decimal("9"))
    assert second.id == score_id(CAMPAIGN, 1, UNIT, "organisation", 1) != first.id
    stored[second.id] = second
    second.withdraw("再次撤销", "office:b")
    third = score(lookup=stored.get)
    assert third.id not in (first.id, second.id)
    assert score_id(CAMPAIGN, 1, UNIT, "organisation", 0) == first.id  # ids stored before


def test_a_revoked_veto_gives_way_to_a_new_one_and_a_veto_is_not_decided_ahead() -> None:
    stored: dict[Any, Veto] = {}
    first = veto(lookup=stored.get)
    stored[first.id] = first
    with pytest.raises(VetoExists) as raised:
        veto(lookup=stored.get)
    assert raised.value.context == {"veto_id": str(first.id)}
    first.revoke("复核后撤销", "office:b")
    second = veto(lookup=stored.get, basis="复核后重新认定")
    assert second.id == veto_id(CAMPAIGN, 1, UNIT, 1) != first.id
    with pytest.raises(InvalidAssessment) as ahead:
        veto(decided_on=date(2099, 11, 20))
    assert (ahead.value.field, ahead.value.reason) == (
        "decided_on",
        "不能晚于今天 (lies in the future)",
    )


def test_a_veto_is_decided_within_its_round() -> None:
    """A veto decided in 2001 is no veto of a 2026 round (the day the hotline and complaints
    are held to as well)."""
    year = Window(date(2026, 1, 1), date(2026, 12, 31))
    assert veto(window=year).decided_on == "2026-11-20"
    assert veto(window=year, decided_on=date(2026, 1, 1)).decided_on == "2026-01-01"
    for day in (date(2001, 3, 1), date(2025, 12, 31)):
        with pytest.raises(InvalidAssessment) as raised:
            veto(window=year, decided_on=day)
        assert (raised.value.code, raised.value.field) == ("invalid_assessment", "decided_on")
        assert raised.value.reason == (
            "不在评议活动本轮期间 2026-01-01 至 2026-12-31 内 "
            "(lies outside the campaign round (2026-01-01 to 2026-12-31))"
        )


def test_score_limits_are_inclusive() -> None:
    assert score(score=Decimal("10")).score == Decimal("10")
    assert score(score=Decimal("0")).score == Decimal("0")


def test_a_correction_is_a_new_event_and_keeps_the_maximum() -> None:
    recorded = score()
    recorded.correct(
        score=Decimal("7"), assessor=None, basis="缺少整改记录", evidence=None,
        reason="复核", actor="office:b",
    )  # fmt: skip
    first, corrected = recorded.collect_events()
    assert first.score == Decimal("8.5")
    assert isinstance(corrected, AssessmentScore.Corrected)
    assert (corrected.score, corrected.maximum, corrected.assessor) == (7, 10, "市评议考核组")
    assert (corrected.unit_id, corrected.campaign_id, corrected.round) == (UNIT, CAMPAIGN, 1)
    assert (recorded.score, recorded.basis, recorded.version) == (7, "缺少整改记录", 2)
    with pytest.raises(InvalidAssessment) as raised:
        recorded.correct(
            score=Decimal("11"), assessor=None, basis=None, evidence=None, reason="r", actor="x"
        )
    assert raised.value.field == "score"
    with pytest.raises(InvalidAssessment) as raised:
        recorded.correct(
            score=Decimal("7"), assessor=None, basis=None, evidence=None, reason="r", actor="x"
        )
    assert raised.value.field == "score"  # changes nothing


def test_a_withdrawn_score_is_neither_corrected_nor_withdrawn_again() -> None:
    recorded = score()
    recorded.withdraw("评分依据不成立", "office:b")
    assert recorded.withdrawn and recorded.withdrawn_reason == "评分依据不成立"
    with pytest.raises(AssessmentScoreWithdrawn):
        recorded.withdraw("again", "office:b")
    with pytest.raises(AssessmentScoreWithdrawn):
        recorded.correct(
            score=Decimal("1"), assessor=None, basis=None, evidence=None, reason="r", actor="x"
        )


def test_a_veto_is_revoked_once() -> None:
    decided = veto()
    assert decided.id == veto_id(CAMPAIGN, 1, UNIT) and decided.decided_on == "2026-11-20"
    decided.revoke("上级复核撤销", "office:b")
    assert decided.revoked and decided.revoked_reason == "上级复核撤销"
    with pytest.raises(VetoAlreadyRevoked):
        decided.revoke("again", "office:b")
    with pytest.raises(InvalidAssessment) as raised:
        veto(authority=" ")
    assert raised.value.field == "authority"


def test_cancellation_and_violation_validate() -> None:
    cancelled = ResultCancellation.cancel(
        unit_id=UNIT, jurisdiction_id=JURISDICTION, campaign_id=CAMPAIGN, round=1,
        reason=" 组织人员代填问卷 ", decided_by="市纠风办", actor="office:a",
    )  # fmt: skip
    assert cancelled.id == cancellation_id(CAMPAIGN, 1, UNIT)
    assert cancelled.reason == "组织人员代填问卷"
    with pytest.raises(InvalidAssessment) as raised:
        RepresentativeViolation.record(
            person_id=uuid4(), jurisdiction_id=JURISDICTION, campaign_id=CAMPAIGN, round=None,
            description="  ", actor="office:a",
        )  # fmt: skip
    assert raised.value.field == "description"


def test_every_event_is_published_with_unit_jurisdiction_campaign_and_round() -> None:
    recorded = score()
    recorded.correct(
        score=Decimal("7"), assessor="县考核组", basis=None, evidence=[], reason="复核",
        actor="office:b",
    )  # fmt: skip
    recorded.withdraw("撤销", "office:c")
    first, corrected, withdrawn = (to_payload(e) for e in recorded.collect_events())
    assert isinstance(first, contract.AssessmentScoreRecorded)
    assert (first.score_id, first.unit_id, first.jurisdiction_id) == (
        recorded.id,
        UNIT,
        JURISDICTION,
    )
    assert (first.campaign_id, first.round, first.score, first.evidence) == (
        CAMPAIGN,
        1,
        Decimal("8.5"),
        [HASH],
    )
    assert corrected == contract.AssessmentScoreCorrected(
        score_id=recorded.id, unit_id=UNIT, jurisdiction_id=JURISDICTION, campaign_id=CAMPAIGN,
        round=1, component_code="organisation", score=Decimal("7"), maximum=Decimal("10"),
        assessor="县考核组", basis="查阅台账，组织机构健全", evidence=[], reason="复核",
        actor="office:b", version=2,
    )  # fmt: skip
    assert isinstance(withdrawn, contract.AssessmentScoreWithdrawn)
    assert (withdrawn.reason, withdrawn.version, withdrawn.actor) == ("撤销", 3, "office:c")

    decided = veto()
    decided.revoke("复核撤销", "office:b")
    vetoed, revoked = (to_payload(e) for e in decided.collect_events())
    assert isinstance(vetoed, contract.VetoDecided) and vetoed.decided_on == date(2026, 11, 20)
    assert (vetoed.authority, vetoed.unit_id, vetoed.round) == ("县纪委监委", UNIT, 1)
    assert isinstance(revoked, contract.VetoRevoked) and revoked.version == 2

    cancelled = ResultCancellation.cancel(
        unit_id=UNIT, jurisdiction_id=JURISDICTION, campaign_id=CAMPAIGN, round=2,
        reason="违反评议纪律", decided_by="市纠风办", actor="office:a",
    )  # fmt: skip
    [message] = (to_payload(e) for e in cancelled.collect_events())
    assert isinstance(message, contract.ResultCancelled)
    assert (message.round, message.decided_by, message.jurisdiction_id) == (
        2,
        "市纠风办",
        JURISDICTION,
    )

    person = uuid4()
    violation = RepresentativeViolation.record(
        person_id=person, jurisdiction_id=JURISDICTION, campaign_id=CAMPAIGN, round=None,
        description="收受礼品", actor="office:a",
    )  # fmt: skip
    [published] = (to_payload(e) for e in violation.collect_events())
    assert isinstance(published, contract.RepresentativeViolationRecorded)
    assert (published.person_id, published.unit_id, published.round) == (person, None, None)


def test_round_trip_keeps_decimals_and_history() -> None:
    app = InspectionService(IN_MEMORY)
    recorded = score()
    recorded.correct(
        score=Decimal("7.25"), assessor=None, basis=None, evidence=None, reason="复核",
        actor="office:b",
    )  # fmt: skip
    app.save(recorded)
    again = app.assessment_score(recorded.id)
    assert again.score == Decimal("7.25") and again.maximum == Decimal("10")
    history = app.describe_score(again)["history"]
    assert [(h["event"], h["score"], h["reason"]) for h in history] == [
        ("recorded", "8.5", "年终集中评议"),
        ("corrected", "7.25", "复核"),
    ]
    decided = veto()
    app.save(decided)
    assert app.veto(decided.id).decided_on == "2026-11-20"


def test_stored_events_that_break_todays_rules_still_load() -> None:
    app = InspectionService(IN_MEMORY)
    where = {"unit_id": UNIT, "jurisdiction_id": JURISDICTION, "campaign_id": CAMPAIGN}
    first = created(
        AssessmentScore, AssessmentScore.Recorded, **where, round=0, component_code="  ",
        component_name="", score=Decimal("12"), maximum=Decimal("10"), assessor="",
        basis="", evidence=("md5:x",), reason="", actor="office:a",
    )  # fmt: skip
    corrected = following(
        first, AssessmentScore.Corrected, **where, round=0, component_code="  ",
        score=Decimal("-3"), maximum=Decimal("10"), assessor="", basis="", evidence=(),
        reason="", actor="office:a",
    )  # fmt: skip
    withdrawn = following(
        corrected, AssessmentScore.Withdrawn, **where, round=0, component_code="", reason="",
        actor="office:a",
    )  # fmt: skip
    again = following(withdrawn, AssessmentScore.Withdrawn, **where, round=0, component_code="",
                      reason="", actor="office:a")  # fmt: skip
    # Decided long before any round of its campaign, as today's command refuses.
    vetoed = created(
        Veto, Veto.Decided, **where, round=-1, basis="", authority="", decided_on="2001-03-01",
        actor="office:a",
    )  # fmt: skip
    revoked = following(vetoed, Veto.Revoked, **where, round=-1, reason="", actor="o")
    revoked_again = following(revoked, Veto.Revoked, **where, round=-1, reason="", actor="o")
    cancelled = created(
        ResultCancellation, ResultCancellation.Cancelled, **where, round=0, reason="",
        decided_by="", actor="o",
    )  # fmt: skip
    violation = created(
        RepresentativeViolation, RepresentativeViolation.Recorded, person_id=uuid4(),
        jurisdiction_id=JURISDICTION, campaign_id=CAMPAIGN, round=0, description="", actor="o",
    )  # fmt: skip
    store(app, first, corrected, withdrawn, again, vetoed, revoked, revoked_again, cancelled,
          violation)  # fmt: skip
    loaded = app.assessment_score(first.originator_id)
    assert (loaded.score, loaded.withdrawn, loaded.version) == (Decimal("-3"), True, 4)
    assert app.veto(vetoed.originator_id).revoked
    assert app.cancellation(cancelled.originator_id).round == 0
    assert app.repository.get(violation.originator_id).description == ""
