"""The wave view's handlers of decisions about recorded questionnaires: a correction, a
void, a quarantine, a release, a rejection and a batch's withdrawal, each moving the
questionnaire's row and its wave's progress (`restate`)."""

from __future__ import annotations

from typing import Any

from services.survey.views.keyed import BY_AGENCY, BY_COUNTY
from services.survey.views.names import GONE, NOT_STANDING, PROGRESS, QUESTIONNAIRES, UNSPECIFIED
from services.survey.views.parts import county_of
from services.survey.views.recordings import answer_counts, collect, move_counted
from shared.contracts import IntegrationMessage
from shared.contracts.survey import (
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
)
from shared.views import ViewTransaction


def restate(
    tx: ViewTransaction,
    response_id: Any,
    status: str | None,
    answers: dict[str, int] | None = None,
    **changes: Any,
) -> None:
    """Move one questionnaire to `status` (None: keep it), with new `answers` (None: keep
    them), and count the move in its wave."""
    doc = tx.get(QUESTIONNAIRES, str(response_id))
    if doc is None:
        return
    before = doc["status"]
    after = before if status is None or before in GONE else status
    old = doc.get("answers")
    new = old if answers is None or doc["survey_point"] is None else answers
    tx.put(QUESTIONNAIRES, str(response_id), doc | changes | {"status": after, "answers": new})
    progress = tx.get(PROGRESS, doc["wave_id"])
    if progress is None or (after == before and (new == old or before != "counted")):
        return
    if after != before:
        progress["by_status"][before] -= 1
        progress["by_status"][after] += 1
        county = county_of(progress, doc["survey_point"])
        BY_COUNTY.restate(progress, county, before, after)
        BY_AGENCY.restate(progress, doc["agency_id"] or UNSPECIFIED, before, after)
    if after in NOT_STANDING and before not in NOT_STANDING:
        # Collected counts toward targets: one voided, withdrawn or rejected no longer
        # stands (a rejected one then withdrawn with its batch leaves it once).
        spot = (doc["survey_point"], doc["channel"], doc["group"], doc["agency_id"])
        collect(progress, spot, -1)
    if before == "counted":
        move_counted(progress, doc["survey_point"], old, -1)
    if after == "counted":
        move_counted(progress, doc["survey_point"], new, 1)
    tx.put(PROGRESS, doc["wave_id"], progress)


def on_corrected(tx: ViewTransaction, p: ResponseCorrected, m: IntegrationMessage) -> None:
    restate(tx, p.response_id, None, answer_counts(p.answers.ratings.values()), version=p.version)


def on_voided(tx: ViewTransaction, p: ResponseVoided, m: IntegrationMessage) -> None:
    restate(tx, p.response_id, "voided")


def on_quarantined(tx: ViewTransaction, p: ResponseQuarantined, m: IntegrationMessage) -> None:
    doc = tx.get(QUESTIONNAIRES, str(p.response_id))
    flags = [] if doc is None else doc["flags"]
    restate(tx, p.response_id, "quarantined", flags=flags + [f.model_dump() for f in p.flags])


def on_released(tx: ViewTransaction, p: ResponseReleased, m: IntegrationMessage) -> None:
    restate(tx, p.response_id, "counted")


def on_rejected(tx: ViewTransaction, p: ResponseRejected, m: IntegrationMessage) -> None:
    restate(tx, p.response_id, "rejected")


def on_withdrawn(tx: ViewTransaction, p: BatchWithdrawn, m: IntegrationMessage) -> None:
    for response_id in p.response_ids:
        restate(tx, response_id, "withdrawn")
