"""An agency's quota changed on an open wave is published (`survey.wave.agency_quota_changed`
v1, `shared.contracts.survey_quotas`): the stored `Wave.QuotaChanged` maps to the payload,
the payload survives the wire, and the consumers that do not read it (reporting's and
scoring's, and survey's own views) pass over it without stalling."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from services.survey.domain import Wave
from services.survey.integration import to_payload
from shared.contracts import IntegrationMessage, latest_version, parse_payload
from shared.contracts.survey_quotas import WaveAgencyQuotaChanged
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.scoring.rounds.helpers import published
from tests.survey.helpers import open_wave, seed_world
from tests.survey.test_application import OFFICE, Setup

SUBJECT = "survey.wave.agency_quota_changed"


def test_a_stored_quota_change_becomes_its_contract(setup: Setup) -> None:
    wave_id = setup.open_wave(agencies=[{"agency_id": setup.agency_id, "quota": 2}])
    setup.app.change_quota(OFFICE, wave_id, setup.agency_id, 5, "样本量增加")
    setup.app.change_quota(OFFICE, wave_id, setup.agency_id, None, "取消配额")
    stored = [e for e in setup.app.events.get(wave_id) if isinstance(e, Wave.QuotaChanged)]
    assert [to_payload(e) for e in stored] == [
        WaveAgencyQuotaChanged(
            wave_id=wave_id,
            agency_id=setup.agency_id,
            quota=5,
            previous=2,
            reason="样本量增加",
            actor=OFFICE.actor,
        ),
        WaveAgencyQuotaChanged(
            wave_id=wave_id,
            agency_id=setup.agency_id,
            quota=None,
            previous=5,
            reason="取消配额",
            actor=OFFICE.actor,
        ),
    ]


def test_the_payload_round_trips_as_the_newest_model() -> None:
    assert latest_version(SUBJECT) == 1
    for quota, previous in ((7, None), (None, 3), (0, 4)):
        payload = WaveAgencyQuotaChanged(
            wave_id=uuid4(),
            agency_id=uuid4(),
            quota=quota,
            previous=previous,
            reason="调整配额 \u3000",
            actor="office:x",
        )
        message = IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("survey", 9),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin="survey",
            position=9,
            previous_position=8,
            occurred_at=datetime(2026, 5, 5, tzinfo=UTC),
            payload=payload.json_payload(),
        )
        decoded = IntegrationMessage.decode(message.encode())
        assert decoded.subject("pingyi") == f"pingyi.{SUBJECT}"
        assert parse_payload(decoded) == payload


def test_consumers_that_do_not_read_it_pass_over_it() -> None:
    with Cluster(in_memory(), ["registry", "survey", "scoring", "reporting"]) as cluster:
        world = seed_world(cluster)
        agency = world.agency.principal_id
        agencies = [{"agency_id": agency, "quota": 2}]
        wave_id = open_wave(cluster, world, agency_id=None, agencies=agencies)["wave_id"]
        body = {"agency_id": agency, "quota": 6, "reason": "样本量增加"}
        changed = cluster["survey"].post(
            f"/waves/{wave_id}/agencies:quota", json=body, headers=world.county_office.headers
        )
        assert changed.status_code == 200, changed.text
        [message] = [m for m in published(cluster, "survey") if m.event_type == SUBJECT]
        assert message.payload == {
            "wave_id": wave_id,
            "agency_id": agency,
            "quota": 6,
            "previous": 2,
            "reason": "样本量增加",
            "actor": message.payload["actor"],
        }
        assert message.payload["actor"]
        # Each consumer of survey's log applies past it: none stalls on a subject it
        # has no handler for.
        for downstream in ("survey", "scoring", "reporting"):
            cluster.wait_caught_up(downstream, "survey")
