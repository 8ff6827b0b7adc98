"""An office listing waves sees how each public wave verifies its voters (`voter_check`):
survey publishes it in `survey.wave.opened` v3, its wave view keeps it, and `GET /waves`
shows it. A v2 opening (before waves chose) reads as survey reads such a wave: `none` for a
public wave, null for a private one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from services.survey.domain import Wave
from services.survey.integration import to_payload
from services.survey.views.waves import WAVES, WAVES_VIEW
from shared.contracts import IntegrationMessage, IntegrationPayload, parse_payload
from shared.contracts import survey as contract
from shared.views import MemoryViewStore
from tests.harness import Cluster
from tests.stored_events import created, store
from tests.survey.helpers import World, open_wave
from tests.survey.test_application import Setup

AT = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _message(payload: IntegrationPayload, position: int = 1) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=uuid4(),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin="survey",
        position=position,
        previous_position=None if position == 1 else position - 1,
        occurred_at=AT,
        payload=payload.model_dump(mode="json"),
    )


def _v2(public: bool) -> contract.WaveOpenedV2:
    agency = uuid4()
    return contract.WaveOpenedV2(
        wave_id=uuid4(),
        jurisdiction_id=uuid4(),
        name="旧的网上评议" if public else "旧的问卷测评",
        agency_id=agency,
        unit_ids=(uuid4(),),
        actor="office:x",
        agencies=(contract.AgencyQuota(agency_id=agency),),
        public=public,
    )


def test_an_opening_before_voter_checks_decodes_as_survey_reads_its_wave() -> None:
    public, private = _v2(public=True), _v2(public=False)
    read = []
    for payload in (public, private):
        decoded = parse_payload(IntegrationMessage.decode(_message(payload).encode()))
        assert isinstance(decoded, contract.WaveOpened) and decoded.schema_version == 3
        read.append(decoded)
    assert [p.voter_check for p in read] == ["none", None]
    assert read[0].model_dump(exclude={"voter_check"}) == public.model_dump()
    v1 = contract.WaveOpenedV1(
        wave_id=uuid4(),
        jurisdiction_id=uuid4(),
        name="测评",
        agency_id=uuid4(),
        unit_ids=(),
        actor="x",
    )
    opened = parse_payload(_message(v1))
    assert isinstance(opened, contract.WaveOpened) and opened.voter_check is None


def _window() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1)}


def _published_opening(setup: Setup, wave_id: UUID) -> contract.WaveOpened:
    first = next(iter(setup.app.repository.event_store.get(wave_id)))
    assert isinstance(first, Wave.Opened)
    published = to_payload(first)
    assert isinstance(published, contract.WaveOpened)
    return published


def test_survey_publishes_how_each_wave_checks_its_voters(setup: Setup) -> None:
    checked = setup.open_wave(kind="online_public_voting", **_window())
    unchecked = setup.open_wave(kind="online_public_voting", voter_check="none", **_window())
    private = setup.open_wave()
    published = [_published_opening(setup, w) for w in (checked, unchecked, private)]
    assert [p.voter_check for p in published] == ["sms_code", "none", None]
    # A public wave stored before waves chose: published as the wave reads it.
    wave = setup.app.wave(checked)
    old = created(
        Wave,
        Wave.Opened,
        jurisdiction_id=wave.jurisdiction_id,
        name="旧的网上评议",
        agency_id=wave.agency_id,
        unit_ids=tuple(wave.unit_ids),
        actor="office:x",
        setup={k: v for k, v in wave.setup.items() if k != "voter_check"},
    )
    store(setup.app, old)
    assert setup.app.wave(old.originator_id).voter_check == "none"
    assert _published_opening(setup, old.originator_id).voter_check == "none"


def test_the_wave_view_keeps_the_check_of_old_and_new_openings() -> None:
    views = MemoryViewStore()
    views.declare(WAVES_VIEW.collections)
    views.setup()
    old_public, old_private = _v2(public=True), _v2(public=False)
    new = contract.WaveOpened(
        **old_public.model_dump() | {"wave_id": uuid4(), "voter_check": "sms_code"}
    )
    messages = [_message(p, n) for n, p in enumerate((old_public, old_private, new), start=1)]
    WAVES_VIEW.inbox(views, "survey").apply("survey", messages)
    docs = [views.get(WAVES, str(p.wave_id)) for p in (old_public, old_private, new)]
    assert [None if d is None else d["voter_check"] for d in docs] == ["none", None, "sms_code"]


def test_the_wave_list_shows_each_waves_voter_check(cluster: Cluster, world: World) -> None:
    opens_at = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    opened = {
        open_wave(
            cluster, world, name="甲网上评议", kind="online_public_voting", opens_at=opens_at
        )["wave_id"]: "sms_code",
        open_wave(
            cluster,
            world,
            name="乙网上评议",
            kind="online_public_voting",
            voter_check="none",
            opens_at=opens_at,
        )["wave_id"]: "none",
        open_wave(cluster, world, name="丙问卷测评")["wave_id"]: None,
    }
    cluster.wait_caught_up("survey", "survey")
    # An office lists by jurisdiction, an agency through its accreditations.
    for caller in (world.county_office, world.agency):
        listed = cluster["survey"].get("/waves", headers=caller.headers)
        assert listed.status_code == 200, listed.text
        shown = {w["wave_id"]: w["voter_check"] for w in listed.json()}
        assert {w: shown.get(w, "missing") for w in opened} == opened
