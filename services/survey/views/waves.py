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
  and agency — the questionnaires that stand: a voided one, or one of a withdrawn batch,
  leaves every `collected` (it counts toward no target) — and how many stand in each status
  (`by_status`, every questionnaire recorded).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.survey.views.names import (
    GONE,
    PROGRESS,
    QUESTIONNAIRES,
    STATUSES,
    WAVE_AGENCIES,
    WAVES,
)
from services.survey.views.parts import agency_part, county_of, county_part, restate_in_county
from services.survey.views.recordings import (
    answer_counts,
    collect,
    move_counted,
    on_batch_recorded,
    on_recorded,
)

# The collections' names are read through this module by the API and the application.
__all__ = [
    "PROGRESS",
    "QUESTIONNAIRES",
    "WAVES",
    "WAVES_VIEW",
    "agency_part",
    "collected_between",
    "county_part",
    "visible_waves",
]
from shared.contracts import IntegrationMessage
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
from shared.views import Collection, ViewStore, ViewTransaction
from shared.views.base import Document, Filter, encode_cursor
from shared.views.model import View
from shared.web.pagination import Paging


def _opened(tx: ViewTransaction, p: WaveOpened, m: IntegrationMessage) -> None:
    summary = {
        "wave_id": str(p.wave_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "name": p.name,
        "agency_id": str(p.agency_id),
        "unit_ids": [str(u) for u in p.unit_ids],
        "actor": p.actor,
        "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
        "round": p.round,
        "kind": p.kind.value,
        "public": p.public,
        "status": "open",
        "response_count": 0,
    }
    tx.put(WAVES, str(p.wave_id), summary)
    tx.put(PROGRESS, str(p.wave_id), _progress(p))
    for agency in p.agencies:
        _accredit(tx, str(p.wave_id), p.name, str(agency.agency_id))


def _accredit(tx: ViewTransaction, wave_id: str, name: str, agency_id: str) -> None:
    row = {"wave_id": wave_id, "agency_id": agency_id, "name": name}
    tx.put(WAVE_AGENCIES, f"{wave_id}|{agency_id}", row)


def _progress(p: WaveOpened) -> dict[str, Any]:
    def bucket(target: int | None = None) -> dict[str, Any]:
        return {"collected": 0, "target": target}

    total_target = sum(point.target for point in p.points) or None
    by_county: dict[str, dict[str, Any]] = {}
    for point in p.points:
        county = by_county.setdefault(str(point.jurisdiction_id), bucket(0))
        county["target"] += point.target
    return {
        "wave_id": str(p.wave_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "agency_id": str(p.agency_id),
        "total": bucket(total_target),
        "point_county": {point.code: str(point.jurisdiction_id) for point in p.points},
        "by_point": {
            point.code: {
                "name": point.name,
                "collected": 0,
                "target": point.target,
                "quota": point.quota,
            }
            for point in p.points
        },
        "by_county": by_county,
        "by_channel": {channel.value: bucket() for channel in p.channels},
        "by_group": {
            group.code: {
                "name": group.name,
                "collected": 0,
                "target_percent": group.target_percent,
            }
            for group in p.groups
        },
        "by_agency": {str(a.agency_id): {"collected": 0, "quota": a.quota} for a in p.agencies},
        "by_status": dict.fromkeys(STATUSES, 0),
        "answers_by_point": {},
        "counted_by_point": {},
        # What a county's part lists even at 0 (`parts.county_part`), and its counts.
        "declared": {
            "by_channel": [channel.value for channel in p.channels],
            "by_group": [group.code for group in p.groups],
            "by_agency": [str(a.agency_id) for a in p.agencies],
        },
        "by_county_breakdown": {},
    }


def _accredited(tx: ViewTransaction, p: WaveAgencyAccredited, m: IntegrationMessage) -> None:
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is not None:
        _accredit(tx, str(p.wave_id), wave["name"], str(p.agency_id))
    progress = tx.get(PROGRESS, str(p.wave_id))
    if progress is not None:
        agencies = progress["by_agency"] | {str(p.agency_id): {"collected": 0, "quota": p.quota}}
        declared = progress.get("declared", {})
        declared["by_agency"] = [*declared.get("by_agency", ()), str(p.agency_id)]
        tx.put(PROGRESS, str(p.wave_id), progress | {"by_agency": agencies, "declared": declared})


def _closed(tx: ViewTransaction, p: WaveClosed, m: IntegrationMessage) -> None:
    doc = tx.get(WAVES, str(p.wave_id))
    if doc is not None:
        closed = {"status": "closed", "closed_by": p.actor, "closed_reason": p.reason}
        tx.put(WAVES, str(p.wave_id), doc | closed)


def _restate(
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
        restate_in_county(progress, county, before, after)
    if after in GONE and before not in GONE:
        # Collected counts toward targets: one voided or withdrawn no longer stands.
        spot = (doc["survey_point"], doc["channel"], doc["group"], doc["agency_id"])
        collect(progress, spot, -1)
    if before == "counted":
        move_counted(progress, doc["survey_point"], old, -1)
    if after == "counted":
        move_counted(progress, doc["survey_point"], new, 1)
    tx.put(PROGRESS, doc["wave_id"], progress)


def _corrected(tx: ViewTransaction, p: ResponseCorrected, m: IntegrationMessage) -> None:
    _restate(tx, p.response_id, None, answer_counts(p.answers.ratings.values()), version=p.version)


def _voided(tx: ViewTransaction, p: ResponseVoided, m: IntegrationMessage) -> None:
    _restate(tx, p.response_id, "voided")


def _quarantined(tx: ViewTransaction, p: ResponseQuarantined, m: IntegrationMessage) -> None:
    doc = tx.get(QUESTIONNAIRES, str(p.response_id))
    flags = [] if doc is None else doc["flags"]
    _restate(tx, p.response_id, "quarantined", flags=flags + [f.model_dump() for f in p.flags])


def _released(tx: ViewTransaction, p: ResponseReleased, m: IntegrationMessage) -> None:
    _restate(tx, p.response_id, "counted")


def _rejected(tx: ViewTransaction, p: ResponseRejected, m: IntegrationMessage) -> None:
    _restate(tx, p.response_id, "rejected")


def _withdrawn(tx: ViewTransaction, p: BatchWithdrawn, m: IntegrationMessage) -> None:
    for response_id in p.response_ids:
        _restate(tx, response_id, "withdrawn")


def visible_waves(
    views: ViewStore, page: Paging, where: Filter, agency: str | None
) -> list[Document]:
    """A page of waves: an agency's (`agency`, its principal id) found through its
    accreditations, in name order like everyone else's; the others under `where`."""
    if agency is None:
        return page.fetch(views, WAVES, where=where)
    rows = page.fetch(views, WAVE_AGENCIES, where={"agency_id": agency})
    found = views.get_many(WAVES, [row["wave_id"] for row in rows])
    return [found[row["wave_id"]] for row in rows if row["wave_id"] in found]


RANGE_CHUNK = 1000
"""Questionnaire rows read at a time when a page is filtered by when they were collected."""


def collected_between(
    views: ViewStore,
    page: Paging,
    where: Filter,
    start: datetime | None,
    end: datetime | None,
) -> list[Document]:
    """A page of questionnaire rows under `where` collected from `start` to `end` (both
    included; None: no bound), in the list's order (questionnaire id), with a cursor after
    its last row when more follow. When is no index of the rows (a store filters on
    equality only, and every index slot is taken), so with a bound the rows under `where`
    are read in chunks in that order and those outside the range passed over, holding no
    more than a page: a narrow range of a large wave reads the whole wave."""
    if start is None and end is None:
        return page.fetch(views, QUESTIONNAIRES, where=where)
    order = views.collection(QUESTIONNAIRES)
    cursor = page.cursor
    kept: list[Document] = []
    while True:
        found = views.page(QUESTIONNAIRES, where=where, cursor=cursor, limit=RANGE_CHUNK)
        for doc in found.items:
            collected = datetime.fromisoformat(doc["collected_at"])
            if (start is not None and collected < start) or (end is not None and collected > end):
                continue
            if len(kept) == page.limit:  # one more follows: the page ends before it
                last = kept[-1]
                return page.send(kept, encode_cursor(order.sort_value(last), last["response_id"]))
            kept.append(doc)
        if found.next_cursor is None:
            return page.send(kept, None)
        cursor = found.next_cursor


SURVEY_VIEW_HANDLERS: dict[Any, ViewHandler] = {
    WaveOpened: _opened,
    WaveAgencyAccredited: _accredited,
    WaveClosed: _closed,
    ResponseRecorded: on_recorded,
    BatchRecorded: on_batch_recorded,
    ResponseCorrected: _corrected,
    ResponseVoided: _voided,
    ResponseQuarantined: _quarantined,
    ResponseReleased: _released,
    ResponseRejected: _rejected,
    BatchWithdrawn: _withdrawn,
}

WAVES_VIEW = View(
    "waves",
    # 11: progress's `collected` leaves out voided and withdrawn questionnaires.
    11,
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
