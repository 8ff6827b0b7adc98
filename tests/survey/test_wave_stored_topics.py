"""A wave's facts are declared in parts (wave_quotas.py, wave_freed.py) and nested in `Wave`,
so each is still stored under the topic every wave event was stored under before the parts
existed, `services.survey.domain.wave:Wave.<fact>`: events stored then and now load alike
and fold to the same wave."""

from __future__ import annotations

from uuid import uuid4

from services.survey.application import SurveyApplication
from services.survey.domain import Wave
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

MODULE = "services.survey.domain.wave"
AGENCY, OTHER, BATCH = uuid4(), uuid4(), uuid4()


def test_every_wave_fact_is_stored_under_the_wave_modules_topic_and_loads() -> None:
    app = SurveyApplication(IN_MEMORY)
    opened = created(
        Wave,
        Wave.Opened,
        jurisdiction_id=uuid4(),
        name="2026年第一轮",
        agency_id=AGENCY,
        unit_ids=(uuid4(),),
        actor="office:x",
        setup={},
    )
    accredited = following(opened, Wave.AgencyAccredited, agency_id=OTHER, quota=5, actor="o")
    # Built as `following` builds it, which names its first argument `previous` too.
    quota = Wave.QuotaChanged(  # type: ignore[call-arg]  # the metaclass makes it a dataclass
        originator_id=opened.originator_id,
        originator_version=3,
        timestamp=accredited.timestamp,
        agency_id=OTHER,
        quota=8,
        previous=5,
        reason="样本量增加",
        actor="office:x",
    )
    batch = following(
        quota,
        Wave.BatchAccepted,
        batch_id=BATCH,
        agency_id=OTHER,
        accepted=3,
        quarantined=1,
        by_point={"P1": 3},
        integrity_state={},
    )
    voided = following(
        batch,
        Wave.QuotaFreed,
        agency_id=OTHER,
        by_point={"P1": 1},
        count=1,
        batch_id=BATCH,
        why="voided",
        voided_ids=["q-1"],
    )
    withdrawn = following(
        voided,
        Wave.QuotaFreed,
        agency_id=OTHER,
        by_point={"P1": 2},
        count=2,
        batch_id=BATCH,
        why="withdrawn",
        voided_ids=[],
    )
    closed = following(
        withdrawn, Wave.Closed, actor="office:x", reason="问卷回收完毕", questionnaires=3, batches=1
    )
    events = [opened, accredited, quota, batch, voided, withdrawn, closed]
    topics = [app.mapper.to_stored_event(e).topic for e in events]
    assert topics == [
        f"{MODULE}:Wave.{name}"
        for name in (
            "Opened",
            "AgencyAccredited",
            "QuotaChanged",
            "BatchAccepted",
            "QuotaFreed",
            "QuotaFreed",
            "Closed",
        )
    ]
    store(app, *events)
    wave: Wave = app.repository.get(opened.originator_id)
    assert type(wave) is Wave and wave.version == 7
    assert wave.agencies == {str(AGENCY): None, str(OTHER): 8}
    assert wave.freed() == ({str(OTHER): 3}, {"P1": 3})
    assert wave.freed_in_batch == {}  # the withdrawal ended what the batch freed one by one
    assert wave.voided_one_by_one == {"q-1": "voided"}
    assert (wave.status, wave.closed_reason, wave.standing(OTHER)) == ("closed", "问卷回收完毕", 0)
