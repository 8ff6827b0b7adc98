"""Waves, their questionnaires' standing and their collection progress, from survey's own
published log: it holds what other services can also see, so a rebuild from the stream
reproduces it exactly.

- `waves`: status and the number of questionnaires recorded, for listing by scope;
  questionnaires arrive one per `survey.response.recorded` or a part of a push per
  `survey.batch.recorded` (`recordings`), to the same effect;
- `questionnaires`: one row per questionnaire with where it stands (counted, quarantined,
  rejected, voided, withdrawn), its flags and version, when it was collected and when
  recorded (`recorded_at`, its message's `occurred_at`): the quarantine list is a filter on
  it;
- `progress`: collected against target per survey point, county, channel, respondent group
  and agency — the questionnaires that stand: a voided one, a rejected one, or one of a
  withdrawn batch, leaves every `collected` (it counts toward no target) — and how many
  stand in each status (`by_status`, every questionnaire recorded).

Split by subject: the wave's own facts (`lifecycle`), decisions about its questionnaires
(`decisions`), and reading pages of it (`lists`); recordings are `views.recordings`. Every
name the API, the application and the tests read is re-exported here.
"""

from __future__ import annotations

from typing import Any

from services.survey.views.agencies import agency_part
from services.survey.views.names import PROGRESS, QUESTIONNAIRES, WAVE_AGENCIES, WAVES
from services.survey.views.parts import county_part
from services.survey.views.recordings import on_batch_recorded, on_recorded
from services.survey.views.waves.decisions import (
    on_corrected,
    on_quarantined,
    on_rejected,
    on_released,
    on_voided,
    on_withdrawn,
)
from services.survey.views.waves.lifecycle import on_accredited, on_closed, on_opened
from services.survey.views.waves.lists import (
    RANGE_CHUNK,
    collected_between,
    visible_waves,
    wave_standing,
    with_quotas,
)
from shared.contracts.survey import (
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    WaveAgencyAccredited,
    WaveClosed,
    WaveOpened,
)
from shared.contracts.survey_batch import BatchRecorded
from shared.messaging.inbox import ViewHandler
from shared.views import Collection
from shared.views.model import View

# The collections' names are read through this module by the API and the application.
__all__ = [
    "PROGRESS",
    "QUESTIONNAIRES",
    "RANGE_CHUNK",
    "SURVEY_VIEW_HANDLERS",
    "WAVES",
    "WAVES_VIEW",
    "WAVE_AGENCIES",
    "agency_part",
    "collected_between",
    "county_part",
    "visible_waves",
    "wave_standing",
    "with_quotas",
]

SURVEY_VIEW_HANDLERS: dict[Any, ViewHandler] = {
    WaveOpened: on_opened,
    WaveAgencyAccredited: on_accredited,
    WaveClosed: on_closed,
    ResponseRecorded: on_recorded,
    BatchRecorded: on_batch_recorded,
    ResponseCorrected: on_corrected,
    ResponseVoided: on_voided,
    ResponseQuarantined: on_quarantined,
    ResponseReleased: on_released,
    ResponseRejected: on_rejected,
    BatchWithdrawn: on_withdrawn,
}

WAVES_VIEW = View(
    "waves",
    # 11: progress's `collected` leaves out voided and withdrawn questionnaires; 12: and
    # rejected ones. 13: a wave's `voter_check` (survey.wave.opened v3). 14: progress
    # counted per agency too (`by_agency_breakdown`), what an agency reads of it.
    14,
    (
        Collection(
            WAVES, index=("jurisdiction_id", "agency_id", "status"), sort="name", sort_as="pinyin"
        ),
        Collection(
            QUESTIONNAIRES,
            index=("wave_id", "status", "survey_point", "agency_id"),
            sort="questionnaire_id",
        ),
        Collection(PROGRESS, index=("jurisdiction_id", "agency_id")),
        Collection(WAVE_AGENCIES, index=("agency_id",), sort="name", sort_as="pinyin"),
    ),
    {"survey": SURVEY_VIEW_HANDLERS},
    "Waves with their status and counts, every questionnaire's standing (counted, "
    "quarantined, rejected, voided, withdrawn) and collection progress against target, "
    "from survey's own published log.",
)
