"""An office changes an accredited agency's quota on an open wave (调整配额,
`survey.wave.agency_quota_changed`): the wave's progress shows the quota now in force, not
the one the agency was accredited with — through the real registry, survey and reporting
services, and, message by message, delivered again without changing anything."""

from __future__ import annotations

from typing import Any

from services.reporting.progress.views import WAVE_PROGRESS_VIEW
from shared.contracts.survey_quotas import WaveAgencyQuotaChanged
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.progress.status_story import (
    ACTOR,
    AG3,
    PAYLOADS,
    SURVEY_LOG,
    WAVE,
    agencies,
    apply,
    fresh_store,
    numbered,
    read,
)
from tests.reporting.progress.story import wave_story

SERVICES = ["registry", "survey", "reporting"]
OTHER = "另一调查公司"


def _quota(cluster: Cluster, wave: str, headers: Any, name: str) -> Any:
    cluster.wait_caught_up("reporting", "survey")
    answer = cluster["reporting"].get(f"/waves/{wave}/progress", headers=headers)
    assert answer.status_code == 200, answer.text
    return {row["name"]: row["quota"] for row in answer.json()["by_agency"]}[name]


def test_the_progress_shows_the_quota_in_force() -> None:
    with Cluster(in_memory(), SERVICES) as cluster:
        told = wave_story(cluster)
        survey, world, wave = cluster["survey"], told.world, told.wave_id
        office = world.city_office.headers
        agency = world.other_agency.principal_id
        accredit = {"agency_id": agency, "quota": 2}
        accredited = survey.post(f"/waves/{wave}/agencies", json=accredit, headers=office)
        assert accredited.status_code == 200, accredited.text
        assert _quota(cluster, wave, office, OTHER) == 2
        for quota in (6, None):
            change = {"agency_id": agency, "quota": quota, "reason": "根据样本量调整配额"}
            changed = survey.post(f"/waves/{wave}/agencies:quota", json=change, headers=office)
            assert changed.status_code == 200, changed.text
            assert _quota(cluster, wave, office, OTHER) == quota
        # The agency that opened the wave keeps its own.
        assert _quota(cluster, wave, office, "某某社会调查公司") == 100


def _changed(quota: int | None, previous: int | None) -> WaveAgencyQuotaChanged:
    return WaveAgencyQuotaChanged(
        wave_id=WAVE, agency_id=AG3, quota=quota, previous=previous, reason="调整", actor=ACTOR
    )


CHANGES = [_changed(6, 3), _changed(None, 6)]
LOG = numbered("survey", [*PAYLOADS, *CHANGES])


def test_a_change_applies_once_and_redelivery_changes_nothing() -> None:
    store = fresh_store()
    apply(store, SURVEY_LOG)
    assert agencies(read(store))["丙调查公司"][-1] == 3  # as accredited (status_story)
    apply(store, LOG[: len(PAYLOADS) + 1])
    assert agencies(read(store))["丙调查公司"][-1] == 6
    apply(store, LOG)
    once = list(store.dump(WAVE_PROGRESS_VIEW.collection_names))
    assert agencies(read(store))["丙调查公司"][-1] is None
    # The consumer rewinds and reads the changes (and everything before them) again.
    apply(store, LOG[len(PAYLOADS) :])
    apply(store, LOG)
    assert list(store.dump(WAVE_PROGRESS_VIEW.collection_names)) == once
    assert [a["agency_id"] for a in store.get("progress_waves", str(WAVE))["agency_quotas"]] == [
        a["agency_id"] for a in fresh_wave_quotas()
    ]


def fresh_wave_quotas() -> list[dict[str, Any]]:
    """The declared agencies as the log without the changes leaves them (their order)."""
    store = fresh_store()
    apply(store, SURVEY_LOG)
    wave = store.get("progress_waves", str(WAVE))
    assert wave is not None
    return list(wave["agency_quotas"])
