"""The survey's own read model of waves, built from its published log like any consumer's.

Listing waves by scope needs a scan, not an aggregate per wave; the response count comes
free because each recorded questionnaire is applied exactly once with its position.
"""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseRecorded, WaveClosed, WaveOpened
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, ViewTransaction
from shared.views.model import View

WAVES = "waves"


def _opened(tx: ViewTransaction, p: WaveOpened, m: IntegrationMessage) -> None:
    doc = p.model_dump(mode="json") | {"status": "open", "response_count": 0}
    tx.put(WAVES, str(p.wave_id), doc)


def _closed(tx: ViewTransaction, p: WaveClosed, m: IntegrationMessage) -> None:
    doc = tx.get(WAVES, str(p.wave_id))
    if doc is not None:
        tx.put(WAVES, str(p.wave_id), doc | {"status": "closed", "closed_by": p.actor})


def _recorded(tx: ViewTransaction, p: ResponseRecorded, m: IntegrationMessage) -> None:
    doc = tx.get(WAVES, str(p.wave_id))
    if doc is not None:
        tx.put(WAVES, str(p.wave_id), doc | {"response_count": doc["response_count"] + 1})


SURVEY_VIEW_HANDLERS: dict[Any, ViewHandler] = {
    WaveOpened: _opened,
    WaveClosed: _closed,
    ResponseRecorded: _recorded,
}

WAVES_VIEW = View(
    "waves",
    1,
    (Collection(WAVES, index=("jurisdiction_id", "agency_id", "status"), sort="name"),),
    {"survey": SURVEY_VIEW_HANDLERS},
    "Waves with their status and the number of questionnaires recorded, from survey's own "
    "published log: it holds what other services can also see.",
)
