"""SurveyApplication commands directly, in memory, with a registry copy fed by contracts:
campaign waves, templates, row-level batches, the close/batch race, decisions, voting."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from services.survey.application import SurveyApplication
from services.survey.application.batches import Intake
from services.survey.domain import (
    AlreadyVoted,
    DecisionConflict,
    InvalidWave,
    NotPublicWave,
    RejectedBatch,
    Wave,
    WaveClosedError,
)
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.registry import JurisdictionRegistered, PrincipalIssued, UnitRegistered
from shared.contracts.registry_campaigns import (
    CampaignOpened,
    Cycle,
    Pattern,
    UnitEnrolled,
    UnitWithdrawn,
    Window,
)
from shared.contracts.registry_people import (
    PanelDrawn,
    RepresentativeAppointed,
    RepresentativeDisqualified,
)
from shared.principals import Principal
from shared.views import MemoryViewStore
from tests.harness import IN_MEMORY, feed_registry_copy
from tests.survey.voter_codes import Clock, code_for

CST = timezone(timedelta(hours=8))
OFFICE = Principal(uuid4(), "舞阳县纠风办", "office", None)
GOV = "政府部门及其它机构"
PUBLIC_SERVICE = "公共服务行业"
IN_ROUND_1 = datetime(2026, 3, 5, 9, tzinfo=CST)


def _messages(payloads: list[IntegrationPayload]) -> list[IntegrationMessage]:
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("registry", position),
            event_type=p.event_type,
            schema_version=p.schema_version,
            origin="registry",
            position=position,
            previous_position=position - 1 if position > 1 else None,
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            payload=p.model_dump(mode="json"),
        )
        for position, p in enumerate(payloads, start=1)
    ]


class Setup:
    def __init__(self) -> None:
        self.views = MemoryViewStore()
        self.views.setup()
        self.app = SurveyApplication(IN_MEMORY)
        self.county, self.agency_id, self.other_agency_id = uuid4(), uuid4(), uuid4()
        self.campaign_id, self.draw_id = uuid4(), uuid4()
        self.units = [uuid4(), uuid4(), uuid4()]
        self.members = [uuid4(), uuid4()]
        self.appointed = [uuid4(), uuid4(), uuid4()]
        self.agency = Principal(self.agency_id, "调查公司", "agency", None)
        self.other_agency = Principal(self.other_agency_id, "另一调查公司", "agency", None)
        halves = (
            Window(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)),
            Window(starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31)),
        )
        registry: list[IntegrationPayload] = [
            JurisdictionRegistered(
                jurisdiction_id=self.county, name="舞阳县", level="county", parent_id=None
            ),
            *[
                UnitRegistered(
                    unit_id=u,
                    jurisdiction_id=self.county,
                    name=f"单位{i}",
                    short_name=None,
                    kind="government_department",
                    category=GOV,
                )
                for i, u in enumerate(self.units)
            ],
            *[
                PrincipalIssued(
                    principal_id=p, name=n, role="agency", jurisdiction_id=None, key_hash=n
                )
                for p, n in ((self.agency_id, "a"), (self.other_agency_id, "b"))
            ],
            CampaignOpened(
                campaign_id=self.campaign_id,
                jurisdiction_id=self.county,
                name="舞阳县2026年度民主评议",
                pattern=Pattern(code="minzhu_pingyi", label="民主评议政风行风"),
                cycle=Cycle(
                    length="one_year",
                    rounds="half_year",
                    starts_on=date(2026, 1, 1),
                    ends_on=date(2026, 12, 31),
                    round_windows=halves,
                ),
                phases=(),
                categories=(GOV, PUBLIC_SERVICE),
                actor="office:x",
            ),
            UnitEnrolled(
                campaign_id=self.campaign_id, unit_id=self.units[0], category=GOV, actor="x"
            ),
            UnitEnrolled(
                campaign_id=self.campaign_id,
                unit_id=self.units[1],
                category=PUBLIC_SERVICE,
                actor="x",
            ),
            UnitEnrolled(
                campaign_id=self.campaign_id, unit_id=self.units[2], category=GOV, actor="x"
            ),
            UnitWithdrawn(
                campaign_id=self.campaign_id, unit_id=self.units[2], reason="合并", actor="x"
            ),
            PanelDrawn(
                draw_id=self.draw_id,
                jurisdiction_id=self.county,
                campaign_id=self.campaign_id,
                cycle="2026",
                purpose="general",
                size=2,
                quotas={},
                commitment="c",
                seed="s",
                pool_digest="d",
                pool_size=2,
                excluded=(),
                chosen=tuple(self.members),
                actor="office:x",
            ),
            *[
                RepresentativeAppointed(
                    person_id=person,
                    body_kind="office",
                    body_id=self.county,
                    cycle="2026",
                    purpose="general",
                    actor="office:x",
                )
                for person in self.appointed
            ],
            RepresentativeDisqualified(
                person_id=self.appointed[2], reason="违反评议纪律", actor="office:x"
            ),
        ]
        feed_registry_copy(self.views, _messages(registry))

    def open(self, **spec: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "2026年上半年问卷测评",
            "jurisdiction_id": self.county,
            "campaign_id": self.campaign_id,
            "round": 1,
            "agencies": [{"agency_id": self.agency_id, "quota": None}],
        }
        return self.app.open_wave(OFFICE, body | spec, None, views=self.views)

    def open_wave(self, **spec: Any) -> UUID:
        return UUID(self.open(**spec)["wave_id"])

    def rows(
        self, n: int, rating: str = "满意", start: int = 0, **changes: Any
    ) -> list[tuple[int, dict[str, Any]]]:
        return [
            (
                index,
                {
                    "questionnaire_id": f"Q{i}",
                    "survey_point": None,
                    "collected_at": IN_ROUND_1 + timedelta(minutes=i),
                    "channel": None,
                    "group": None,
                    "district_id": None,
                    "device": None,
                    "respondent_id": None,
                    "ratings": {str(u): rating for u in self.units[:2]},
                    "dimension_ratings": {},
                    "opinions": [],
                    "recommended_key_targets": [],
                }
                | changes,
            )
            for index, i in enumerate(range(start, start + n))
        ]

    def push(self, wave_id: UUID, rows: Any, key: str | None = None, **kw: Any) -> dict[str, Any]:
        return self.app.record_batch(self.agency, wave_id, rows, [], key, **kw)


# --- waves of a campaign round ------------------------------------------------------------


def test_a_campaign_wave_takes_enrolled_units_with_their_enrolment_categories(
    setup: Setup,
) -> None:
    wave = setup.open()
    units = {u["unit_id"]: u["category"] for u in wave["units"]}
    # The withdrawn unit is not in the wave; the second unit keeps its enrolment category,
    # not the category it was registered with.
    assert units == {str(setup.units[0]): GOV, str(setup.units[1]): PUBLIC_SERVICE}
    assert (wave["campaign_id"], wave["round"]) == (str(setup.campaign_id), 1)
    assert wave["opens_at"].startswith("2026-01-01T00:00:00")
    assert wave["closes_at"].startswith("2026-06-30T23:59:59")


def test_half_year_campaigns_need_the_round_and_units_must_be_enrolled(setup: Setup) -> None:
    with pytest.raises(InvalidWave) as caught:
        setup.open(round=None)
    assert caught.value.field == "round"
    with pytest.raises(InvalidWave) as caught:
        setup.open(round=3)
    assert caught.value.field == "round"
    with pytest.raises(InvalidWave) as caught:
        setup.open(unit_ids=[setup.units[0], setup.units[2]])
    assert (caught.value.field, caught.value.reason) == (
        "unit_ids.1",
        "该单位未参加该评议活动 (unit is not enrolled in the campaign)",
    )


def test_wave_setup_is_checked(setup: Setup) -> None:
    point = {"code": "P1", "name": "点1", "jurisdiction_id": setup.county, "target": 10}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"groups": [{"code": "a", "name": "甲", "target_percent": 60}]}, "groups"),
        ({"points": [point, point]}, "points.1.code"),
        ({"points": [point | {"jurisdiction_id": uuid4()}]}, "points.0.jurisdiction_id"),
        ({"points": [point | {"quota": 5}]}, "points.0.quota"),
        ({"kind": "representative_evaluation"}, "panel_draw_id"),
        ({"panel_draw_id": setup.draw_id}, "panel_draw_id"),
        ({"agencies": [{"agency_id": uuid4(), "quota": None}]}, "agencies.0.agency_id"),
        ({"opens_at": IN_ROUND_1, "closes_at": IN_ROUND_1}, "closes_at"),
        ({"template_id": uuid4()}, "template_id"),
    ]
    for spec, field in cases:
        with pytest.raises(Exception) as caught:
            setup.open(**spec)
        assert getattr(caught.value, "field", None) == field, spec


def test_a_standalone_wave_names_its_units(setup: Setup) -> None:
    wave = setup.app.open_wave(
        OFFICE,
        {
            "name": "试点",
            "jurisdiction_id": setup.county,
            "agency_id": setup.agency_id,
            "unit_ids": [setup.units[2]],
        },
        None,
        views=setup.views,
    )
    assert [u["category"] for u in wave["units"]] == [GOV]
    assert wave["campaign_id"] is None and wave["opens_at"] is None


# --- batches ------------------------------------------------------------------------------


def test_bad_rows_are_all_reported_and_the_good_ones_recorded(setup: Setup) -> None:
    wave_id = setup.open_wave()
    rows = setup.rows(5)
    rows[1][1]["collected_at"] = datetime(2026, 9, 1, tzinfo=CST)  # round 2's time
    rows[3][1]["ratings"] = {str(uuid4()): "满意", str(setup.units[0]): "很好"}
    rows[4][1]["questionnaire_id"] = "Q0"  # repeats row 0
    result = setup.push(wave_id, rows)
    assert (result["accepted"], result["rejected"]) == (2, 3)
    assert {(p["row"], p["code"]) for p in result["problems"]} == {
        (1, "outside_window"),
        (3, "unknown_unit_in_wave"),
        (3, "scale"),
        (4, "repeated"),
    }
    assert all(p["field"].startswith(f"questionnaires.{p['row']}.") for p in result["problems"])


def test_all_or_nothing_refuses_the_batch_with_every_problem(setup: Setup) -> None:
    wave_id = setup.open_wave()
    before = setup.app.recorder.max_notification_id()
    rows = setup.rows(3)
    rows[0][1]["ratings"] = {str(setup.units[0]): "非常满意"}
    rows[2][1]["ratings"] = {str(setup.units[0]): "一般"}
    with pytest.raises(RejectedBatch) as caught:
        setup.push(wave_id, rows, all_or_nothing=True)
    assert [p["row"] for p in caught.value.body()["detail"]] == [0, 2]
    assert setup.app.recorder.max_notification_id() == before


def test_repushes_are_duplicates_and_changed_answers_a_row_problem(setup: Setup) -> None:
    wave_id = setup.open_wave()
    setup.push(wave_id, setup.rows(3))
    again = setup.push(wave_id, setup.rows(4))
    assert (again["accepted"], again["duplicates"]) == (1, 3)
    changed = setup.push(wave_id, setup.rows(1, rating="不满意"))
    assert changed["accepted"] == 0
    assert [p["code"] for p in changed["problems"]] == ["questionnaire_conflict"]


def test_a_keyed_retry_replays_even_after_the_close(setup: Setup) -> None:
    wave_id = setup.open_wave()
    first = setup.push(wave_id, setup.rows(2), key="k1")
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    assert setup.push(wave_id, setup.rows(2), key="k1") == first
    with pytest.raises(WaveClosedError):
        setup.push(wave_id, setup.rows(2, start=5))


def test_only_accredited_agencies_push_and_quotas_flag_the_excess(setup: Setup) -> None:
    wave_id = setup.open_wave(agencies=[{"agency_id": setup.agency_id, "quota": 2}])
    result = setup.push(wave_id, setup.rows(3))
    assert (result["accepted"], result["quarantined"]) == (3, 1)
    assert result["quarantined_questionnaire_ids"] == ["Q2"]
    with pytest.raises(Exception) as caught:
        setup.app.record_batch(setup.other_agency, wave_id, setup.rows(1, start=7), [], None)
    assert getattr(caught.value, "code", None) == "not_wave_agency"
    setup.app.accredit_agency(OFFICE, wave_id, setup.other_agency_id, None, setup.views)
    assert (
        setup.app.record_batch(setup.other_agency, wave_id, setup.rows(1, start=7), [], None)[
            "accepted"
        ]
        == 1
    )


def test_a_burst_of_identical_questionnaires_goes_to_quarantine(setup: Setup) -> None:
    point = {"code": "P1", "name": "点1", "jurisdiction_id": setup.county, "target": 10}
    wave_id = setup.open_wave(points=[point], integrity={"burst_size": 3, "burst_seconds": 60})
    rows = setup.rows(4, survey_point="P1")
    for _, q in rows:
        q["collected_at"] = IN_ROUND_1
    result = setup.push(wave_id, rows)
    assert result["quarantined_questionnaire_ids"] == ["Q2", "Q3"]
    wave = setup.app.wave(wave_id)
    assert (wave.questionnaires, wave.quarantined) == (4, 2)


# --- the close and the batch conflict --------------------------------------------------------


def test_a_batch_prepared_before_a_close_cannot_commit_after_it(setup: Setup) -> None:
    """The defect: a batch checked the wave was open, a close committed, then the batch
    committed too. Now the batch writes the wave, so its save conflicts."""
    wave_id = setup.open_wave()
    wave = setup.app.wave(wave_id)
    intake = Intake(setup.app, setup.agency, wave, "questionnaires", [])
    aggregates, _ = intake.run(setup.rows(2), checked=False, all_or_nothing=False)
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    with pytest.raises(IntegrityError):
        setup.app.save(*aggregates)
    with pytest.raises(WaveClosedError):
        setup.push(wave_id, setup.rows(2))
    assert setup.app.wave(wave_id).questionnaires == 0


def test_racing_pushes_and_a_close_leave_nothing_after_the_close(setup: Setup) -> None:
    """Agencies push from threads while the office closes: every accepted questionnaire is
    in the log before the close, the close counts exactly those, and every other push was
    refused with wave_closed (an answer, not a silent drop)."""
    wave_id = setup.open_wave()
    accepted: list[int] = []
    refused: list[str] = []
    start = threading.Barrier(5)

    def agency(n: int) -> None:
        start.wait()
        for batch in range(20):
            rows = setup.rows(5, start=1000 * n + 10 * batch)
            try:
                accepted.append(setup.push(wave_id, rows)["accepted"])
            except WaveClosedError:
                refused.append("wave_closed")

    threads = [threading.Thread(target=agency, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    start.wait()
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    for thread in threads:
        thread.join()
    log = [n.topic for n in setup.app.recorder.select_notifications(1, 10**6)]
    closed_at = next(i for i, topic in enumerate(log) if topic.endswith("Wave.Closed"))
    recordings = ("Response.Recorded", "Response.Claimed", "BatchPart.Recorded")
    assert [t for t in log[closed_at:] if t.endswith(recordings)] == []
    parts_before = [t for t in log[:closed_at] if t.endswith("BatchPart.Recorded")]
    assert bool(parts_before) == bool(sum(accepted))
    wave = setup.app.wave(wave_id)
    assert wave.questionnaires == sum(accepted)
    assert len(refused) + len(accepted) == 80


# --- decisions ----------------------------------------------------------------------------


def test_correct_void_review_and_withdraw(setup: Setup) -> None:
    wave_id = setup.open_wave(agencies=[{"agency_id": setup.agency_id, "quota": 1}])
    result = setup.push(wave_id, setup.rows(2))
    ids = {q: setup.app.stored_response(_rid(wave_id, q)) for q in ("Q0", "Q1")}
    first, flagged = ids["Q0"], ids["Q1"]
    assert first is not None and flagged is not None and flagged.status == "quarantined"

    answers = dict(first.answers) | {"ratings": {str(setup.units[0]): "不满意"}}
    out = setup.app.correct(setup.agency, wave_id, first.id, answers, "按纸质问卷更正")
    assert (out["version"], out["status"]) == (2, "counted")
    versions = setup.app.versions(wave_id, first.id)["versions"]
    changes = sorted(versions[1]["changes"], key=lambda c: c["after"] or "")
    assert changes == [
        {"field": f"ratings.{setup.units[1]}", "before": "满意", "after": None},
        {"field": f"ratings.{setup.units[0]}", "before": "满意", "after": "不满意"},
    ]
    with pytest.raises(Exception) as caught:
        setup.app.correct(setup.agency, wave_id, first.id, answers | {"ratings": {}}, "空")
    assert getattr(caught.value, "code", None) == "invalid_questionnaire"

    setup.app.review(OFFICE, wave_id, [flagged.id], "release", "经核实为正常")
    with pytest.raises(DecisionConflict):
        setup.app.review(OFFICE, wave_id, [flagged.id], "reject", "again")

    setup.app.withdraw_batch(OFFICE, wave_id, UUID(result["batch_id"]), "该机构代填问卷")
    assert setup.app.questionnaire_out(setup.app.questionnaire(first.id))["status"] == "withdrawn"
    with pytest.raises(DecisionConflict):
        setup.app.correct(setup.agency, wave_id, first.id, answers, "too late")


def _rid(wave_id: UUID, questionnaire_id: str) -> UUID:
    from services.survey.domain import Response

    return Response.create_id(wave_id, questionnaire_id)


# --- representative evaluation and public voting ---------------------------------------------


def test_panel_members_answer_once(setup: Setup) -> None:
    wave_id = setup.open_wave(kind="representative_evaluation", panel_draw_id=setup.draw_id)
    first = setup.push(wave_id, setup.rows(1, respondent_id=setup.members[0]))
    assert first["accepted"] == 1
    again = setup.push(wave_id, setup.rows(1, start=5, respondent_id=setup.members[0]))
    # Another questionnaire id from the same member: the member has answered already.
    assert again["accepted"] == 0 and [p["code"] for p in again["problems"]] == ["panel_answered"]
    outsider = setup.push(wave_id, setup.rows(1, start=7, respondent_id=uuid4()))
    assert [p["code"] for p in outsider["problems"]] == ["panel"]


def test_one_vote_per_person_per_unit_per_round(setup: Setup) -> None:
    now = datetime.now(UTC)
    clock = setup.app.code_clock = Clock()
    wave_id = setup.open_wave(
        kind="online_public_voting",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
    )
    unit = str(setup.units[0])
    code = code_for(setup.app, wave_id, "13800138000")
    vote = setup.app.vote(wave_id, "138 0013 8000", {unit: "满意"}, code=code)
    assert vote["units"] == 1
    clock.advance(61)
    with pytest.raises(AlreadyVoted) as caught:
        code = code_for(setup.app, wave_id, "13800138000")
        setup.app.vote(wave_id, "+8613800138000", {unit: "不满意"}, code=code)
    # Named to the number's owner only: the code proved it theirs.
    assert caught.value.context["unit_ids"] == [unit]
    # Another wave of the same round is the same round: still once.
    other = setup.open_wave(
        kind="online_public_voting",
        name="第二个网上评议",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
    )
    clock.advance(61)
    with pytest.raises(AlreadyVoted):
        code = code_for(setup.app, other, "13800138000")
        setup.app.vote(other, "13800138000", {unit: "满意"}, code=code)
    code = code_for(setup.app, other, "13900139000")
    assert setup.app.vote(other, "13900139000", {unit: "满意"}, code=code)["units"] == 1
    private = setup.open_wave()
    with pytest.raises(NotPublicWave):
        setup.app.vote(private, "13700137000", {unit: "满意"})
    stored = [n.state for n in setup.app.recorder.select_notifications(1, 10**6)]
    assert not any(b"13800138000" in state for state in stored)


def test_opened_wave_event_carries_the_setup(setup: Setup) -> None:
    wave_id = setup.open_wave()
    wave = setup.app.wave(wave_id)
    assert isinstance(wave, Wave) and wave.campaign_id == setup.campaign_id


def test_the_compact_row_form_records_the_same_ratings(setup: Setup) -> None:
    wave_id = setup.open_wave()
    wave = setup.app.wave(wave_id)
    units = [str(u) for u in wave.unit_ids]
    compact = setup.rows(1, start=1, ratings={}, row=["不满意", None])
    full = setup.rows(1, start=2, ratings={units[0]: "不满意"})
    result = setup.push(wave_id, [*compact, (1, full[0][1])])
    assert result["accepted"] == 2
    stored = [setup.app.stored_response(_rid(wave_id, q)) for q in ("Q1", "Q2")]
    # Stored compactly: a row in the wave's unit order, read back with the wave's units.
    assert [r.details["row"] for r in stored if r is not None] == [["不满意", None]] * 2
    assert [r.attach_units(units).ratings for r in stored if r is not None] == [
        {units[0]: "不满意"}
    ] * 2
    wrong = setup.push(wave_id, setup.rows(1, start=3, ratings={}, row=["满意"]))
    assert [(p["field"], p["code"]) for p in wrong["problems"]] == [("questionnaires.0.row", "row")]


def test_appointed_representatives_who_are_not_disqualified_form_the_panel(setup: Setup) -> None:
    wave_id = setup.open_wave(
        kind="representative_evaluation", panel_body_id=setup.county, panel_cycle="2026"
    )
    assert setup.app.wave(wave_id).panel == {str(p) for p in setup.appointed[:2]}
    disqualified = setup.push(wave_id, setup.rows(1, respondent_id=setup.appointed[2]))
    assert [p["code"] for p in disqualified["problems"]] == ["panel"]
    member = setup.push(wave_id, setup.rows(1, start=3, respondent_id=setup.appointed[0]))
    assert member["accepted"] == 1
    with pytest.raises(InvalidWave) as caught:
        setup.open(kind="representative_evaluation", panel_body_id=setup.county, panel_cycle="2030")
    assert caught.value.field == "panel_body_id"
    with pytest.raises(InvalidWave) as caught:
        setup.open(
            kind="representative_evaluation",
            panel_body_id=setup.county,
            panel_cycle="2026",
            panel_draw_id=setup.draw_id,
        )
    assert caught.value.field == "panel_draw_id"
