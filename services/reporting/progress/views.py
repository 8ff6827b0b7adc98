"""The `wave_progress` view: per survey wave, how many questionnaires were collected and
where each stands, by survey point (测评点), county, channel, respondent group and agency,
with the answers of the counted ones per level — from survey's published facts alone.

A questionnaire counts as survey's contract says: recorded without flags, or released from
quarantine, and neither voided, rejected nor in a withdrawn batch; a correction replaces
its answers. So every questionnaire is kept (`progress_responses`: where it was collected,
its status, its answers per level) and each fact moves it between statuses in its wave's
tallies (`progress_waves`): every bucket counts its questionnaires per status, so a move
takes one off the old status and adds one to the new, and a fact that leaves the status as
it was (a second release, a decision after a void or a withdrawal) changes nothing. A
voided or withdrawn questionnaire stays so, as in survey.

A questionnaire's county is its survey point's jurisdiction, else the respondent's district
when the template asked for one; a point, channel, group or agency the wave did not declare
is counted under its own code, and a missing one under `unspecified`. Channels, groups and
agencies are also tallied per county, for a county office's part of a wave, and points,
counties, channels and groups per agency, for what an agency reads (its own only). The agencies
the wave declared, with their quotas, are kept in the order survey declared them
(`agency_quotas`: the opening's, then each accreditation's), each with its quota as last
given (opening, accreditation or a change of quota).

Questionnaires enter through `recordings`; the counting itself is `tallies`'."""

from __future__ import annotations

from typing import Any

from services.reporting.progress.recordings import on_batch_recorded, on_recorded
from services.reporting.progress.tallies import (
    BREAKDOWNS,
    DIMENSIONS,
    FINAL,
    RESPONSES,
    STATUSES,
    UNSPECIFIED,
    WAVES,
    bucket,
    level_counts,
    tally,
)
from shared.contracts import IntegrationMessage
from shared.contracts.survey import (
    SCALE_LEVELS,
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    WaveAgencyAccredited,
    WaveClosed,
    WaveOpened,
)
from shared.contracts.survey_batch import BatchRecorded
from shared.contracts.survey_quotas import WaveAgencyQuotaChanged
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

# Read through this module by the API and the tests, as before the split.
__all__ = [
    "RESPONSES",
    "STATUSES",
    "UNSPECIFIED",
    "WAVES",
    "WAVE_PROGRESS_VIEW",
]


def _declared_agencies(p: WaveOpened) -> list[Document]:
    """The opening's agencies with their quotas; `agency_id` too, should a producer ever
    name it only there (survey lists it first among `agencies`)."""
    declared = [{"agency_id": str(a.agency_id), "quota": a.quota} for a in p.agencies]
    if str(p.agency_id) not in {a["agency_id"] for a in declared}:
        declared.insert(0, {"agency_id": str(p.agency_id), "quota": None})
    return declared


def on_opened(tx: ViewTransaction, p: WaveOpened, m: IntegrationMessage) -> None:
    scale = p.template.scale if p.template is not None else Scale.FOUR_LEVEL
    tx.put(
        WAVES,
        str(p.wave_id),
        {
            "wave_id": str(p.wave_id),
            "jurisdiction_id": str(p.jurisdiction_id),
            "name": p.name,
            "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
            "round": p.round,
            "kind": p.kind.value,
            "scale": scale.value,
            "voter_check": p.voter_check,
            "levels": list(SCALE_LEVELS[scale]),
            "channels": [c.value for c in p.channels],
            "points": [point.model_dump(mode="json") for point in p.points],
            "groups": [group.model_dump(mode="json") for group in p.groups],
            "agencies": sorted({str(a.agency_id) for a in p.agencies} | {str(p.agency_id)}),
            "agency_quotas": _declared_agencies(p),
            "opened_at": m.occurred_at.isoformat(),
            "closed_at": None,
            "sort": f"{m.position:015d}",
            "total": bucket(),
            **{f"by_{dimension}": {} for dimension in DIMENSIONS},
            **{field: {} for breakdown in BREAKDOWNS for field in breakdown.empty()},
        },
    )


def on_accredited(tx: ViewTransaction, p: WaveAgencyAccredited, m: IntegrationMessage) -> None:
    """The agency joins the wave's readers and its declared agencies; accredited again, it
    keeps its place and takes the quota now given, as survey's wave does."""
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is None:
        return
    quotas = _with_quota(wave["agency_quotas"], str(p.agency_id), p.quota)
    agencies = sorted({*wave["agencies"], str(p.agency_id)})
    tx.put(WAVES, str(p.wave_id), wave | {"agencies": agencies, "agency_quotas": quotas})


def on_quota_changed(tx: ViewTransaction, p: WaveAgencyQuotaChanged, m: IntegrationMessage) -> None:
    """The agency's quota from now on (None: lifted). Survey changes it only for an agency
    it accredited, whose message came first; one missing here is still listed, last, so
    the quota shown is never a stale one. The readers (`agencies`) stay as accreditation
    left them: a quota change grants no reading."""
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is None:
        return
    quotas = _with_quota(wave["agency_quotas"], str(p.agency_id), p.quota)
    tx.put(WAVES, str(p.wave_id), wave | {"agency_quotas": quotas})


def _with_quota(quotas: list[Document], agency_id: str, quota: int | None) -> list[Document]:
    """The declared agencies with `agency_id`'s quota set: in its place, else appended."""
    agency = {"agency_id": agency_id, "quota": quota}
    declared = [a["agency_id"] for a in quotas]
    if agency_id not in declared:
        return [*quotas, agency]
    return [agency if a["agency_id"] == agency_id else a for a in quotas]


def on_closed(tx: ViewTransaction, p: WaveClosed, m: IntegrationMessage) -> None:
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is not None:
        tx.put(WAVES, str(p.wave_id), wave | {"closed_at": m.occurred_at.isoformat()})


def _move(
    tx: ViewTransaction, response_id: Any, status: str | None, levels: dict[str, int] | None = None
) -> None:
    """The questionnaire to `status` (None: unchanged) with `levels` (None: unchanged)."""
    doc = tx.get(RESPONSES, str(response_id))
    if doc is None:
        return
    wave = tx.get(WAVES, doc["wave_id"])
    before, old = doc["status"], doc["levels"]
    after = before if status is None or before in FINAL else status
    new = old if levels is None else levels
    tx.put(RESPONSES, str(response_id), doc | {"status": after, "levels": new})
    if wave is None or (after == before and (new == old or before != "counted")):
        return
    change: dict[str, Any] = {}
    if after != before:
        change |= {"from": before, "to": after}
    if before == "counted":
        change["removed"] = old
    if after == "counted":
        change["added"] = new
    tally(wave, doc["keys"], change)
    tx.put(WAVES, doc["wave_id"], wave)


def on_corrected(tx: ViewTransaction, p: ResponseCorrected, m: IntegrationMessage) -> None:
    _move(tx, p.response_id, None, level_counts(p.answers.ratings.values()))


def on_voided(tx: ViewTransaction, p: ResponseVoided, m: IntegrationMessage) -> None:
    _move(tx, p.response_id, "voided")


def on_quarantined(tx: ViewTransaction, p: ResponseQuarantined, m: IntegrationMessage) -> None:
    _move(tx, p.response_id, "quarantined")


def on_released(tx: ViewTransaction, p: ResponseReleased, m: IntegrationMessage) -> None:
    _move(tx, p.response_id, "counted")


def on_rejected(tx: ViewTransaction, p: ResponseRejected, m: IntegrationMessage) -> None:
    _move(tx, p.response_id, "rejected")


def on_withdrawn(tx: ViewTransaction, p: BatchWithdrawn, m: IntegrationMessage) -> None:
    for response_id in p.response_ids:
        _move(tx, response_id, "withdrawn")


WAVE_PROGRESS_VIEW = View(
    "wave_progress",
    # 4: questionnaires tallied by agency too (and per county), and the declared agencies
    # with their quotas kept. 5: buckets hold the statuses only; `collected` (survey's: no
    # voided or withdrawn questionnaire) and `received` (every one) are read from them.
    # 6: a wave's `voter_check` (survey.wave.opened v3; a v2 public wave upcasts to `none`).
    # 7: points, counties, channels and groups tallied per agency too (`of_agency_point`, …),
    # what an agency reads of the progress. 8: an agency's quota changed on an open wave
    # (survey.wave.agency_quota_changed).
    8,
    (
        Collection(WAVES, index=("jurisdiction_id", "campaign_id"), sort="sort"),
        Collection(RESPONSES, index=("wave_id",)),
    ),
    {
        "survey": {
            WaveOpened: on_opened,
            WaveAgencyAccredited: on_accredited,
            WaveAgencyQuotaChanged: on_quota_changed,
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
    },
    "Per survey wave: questionnaires collected and where each stands, by point, county, "
    "channel, group and agency, with the counted answers per level and the agencies' quotas.",
)
