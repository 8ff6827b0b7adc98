"""The `wave_progress` view: per survey wave, how many questionnaires were collected and
where each stands, by survey point (测评点), county, channel and respondent group, with the
answers of the counted ones per level — from survey's published facts alone.

A questionnaire counts as survey's contract says: recorded without flags, or released from
quarantine, and neither voided, rejected nor in a withdrawn batch; a correction replaces
its answers. So every questionnaire is kept (`progress_responses`: where it was collected,
its status, its answers per level) and each fact moves it between statuses in its wave's
tallies (`progress_waves`). A voided or withdrawn questionnaire stays so, as in survey.

A questionnaire's county is its survey point's jurisdiction, else the respondent's district
when the template asked for one; a point, channel or group the wave did not declare is
counted under its own code, and a missing one under `unspecified`. Channels and groups are
also tallied per county, for a county office's part of a wave.

Questionnaires come one per `survey.response.recorded` (public votes, and pushes in logs
written before batch parts) or a part of a push per `survey.batch.recorded`; both leave the
view the same."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from shared.contracts import IntegrationMessage
from shared.contracts.survey import (
    SCALE_LEVELS,
    BatchWithdrawn,
    Channel,
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
from shared.contracts.survey_batch import level_counts as part_levels
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

WAVES = "progress_waves"
RESPONSES = "progress_responses"
UNSPECIFIED = "unspecified"
DIMENSIONS = ("point", "county", "channel", "group")
BY_COUNTY = ("channel", "group")
"""Dimensions also tallied per county (`by_county_channel`: county -> channel -> bucket), so
that a county's part of a wave has them too (`read.progress`)."""
STATUSES = ("counted", "quarantined", "rejected", "voided", "withdrawn")
FINAL = ("voided", "withdrawn")
Recording = ResponseRecorded
"""A questionnaire's own fields, whichever message brought it."""


def bucket() -> Document:
    return {"collected": 0, **dict.fromkeys(STATUSES, 0), "levels": {}}


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
            "levels": list(SCALE_LEVELS[scale]),
            "channels": [c.value for c in p.channels],
            "points": [point.model_dump(mode="json") for point in p.points],
            "groups": [group.model_dump(mode="json") for group in p.groups],
            "agencies": sorted({str(a.agency_id) for a in p.agencies} | {str(p.agency_id)}),
            "opened_at": m.occurred_at.isoformat(),
            "closed_at": None,
            "sort": f"{m.position:015d}",
            "total": bucket(),
            **{f"by_{dimension}": {} for dimension in DIMENSIONS},
            **{f"by_county_{dimension}": {} for dimension in BY_COUNTY},
        },
    )


def on_accredited(tx: ViewTransaction, p: WaveAgencyAccredited, m: IntegrationMessage) -> None:
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is not None:
        agencies = sorted({*wave["agencies"], str(p.agency_id)})
        tx.put(WAVES, str(p.wave_id), wave | {"agencies": agencies})


def on_closed(tx: ViewTransaction, p: WaveClosed, m: IntegrationMessage) -> None:
    wave = tx.get(WAVES, str(p.wave_id))
    if wave is not None:
        tx.put(WAVES, str(p.wave_id), wave | {"closed_at": m.occurred_at.isoformat()})


def level_counts(answers: Iterable[str | None]) -> dict[str, int]:
    return {answer: n for answer, n in Counter(answers).items() if answer is not None}


def _counties(wave: Document) -> dict[str, str]:
    return {point["code"]: point["jurisdiction_id"] for point in wave["points"]}


def _keys(counties: dict[str, str], q: Recording) -> dict[str, str]:
    return _place_keys(counties, q.survey_point, q.district_id, q.channel, q.group)


def _place_keys(
    counties: dict[str, str],
    point: str | None,
    district: UUID | None,
    channel: Channel | None,
    group: str | None,
) -> dict[str, str]:
    county = counties.get(point or "") or (None if district is None else str(district))
    return {
        "point": point or UNSPECIFIED,
        "county": county or UNSPECIFIED,
        "channel": UNSPECIFIED if channel is None else channel.value,
        "group": group or UNSPECIFIED,
    }


def _add(target: dict[str, int], levels: dict[str, int], sign: int) -> None:
    for level, count in levels.items():
        target[level] = target.get(level, 0) + sign * count


def _tally(wave: Document, keys: dict[str, str], change: dict[str, Any]) -> None:
    """Applies a change of `count` questionnaires (1 unless said) of one place to the wave's
    total and to each of its buckets."""
    buckets = [wave["total"]] + [
        wave[f"by_{dimension}"].setdefault(keys[dimension], bucket()) for dimension in DIMENSIONS
    ]
    for dimension in BY_COUNTY:
        # A row written before these were kept has none (its view is rebuilt).
        in_county = wave.setdefault(f"by_county_{dimension}", {}).setdefault(keys["county"], {})
        buckets.append(in_county.setdefault(keys[dimension], bucket()))
    n = change.get("count", 1)
    for found in buckets:
        found["collected"] += change.get("collected", 0)
        for status in ("from", "to"):
            if change.get(status) is not None:
                found[change[status]] += n if status == "to" else -n
        if change.get("removed"):
            _add(found["levels"], change["removed"], -1)
        if change.get("added"):
            _add(found["levels"], change["added"], 1)


def on_recorded(tx: ViewTransaction, p: ResponseRecorded, m: IntegrationMessage) -> None:
    _record(tx, str(p.wave_id), [p])


def on_batch_recorded(tx: ViewTransaction, p: BatchRecorded, m: IntegrationMessage) -> None:
    """A part of a push: each questionnaire as its own `survey.response.recorded` would be
    (what `p.responses()` builds), read from the part's columns without an object per
    questionnaire or per answer, the wave read and written once and its tallies changed
    once per place and status."""
    wave_id = str(p.wave_id)
    wave = tx.get(WAVES, wave_id)
    if wave is None:
        return
    counties = _counties(wave)
    extras = {extra.index: extra for extra in p.extras}
    rows: list[tuple[str, str, Document]] = []
    places: dict[tuple[str, ...], _Place] = {}
    answered: dict[str, dict[str, int]] = {}
    columns = zip(p.response_ids, p.survey_points, p.channels, p.groups, p.rows, strict=True)
    for index, (response_id, point, channel, group, row) in enumerate(columns):
        extra = extras.get(index)
        levels = answered.get(row)
        if levels is None:
            # Equal rows count alike (a straight-lined questionnaire, a common pattern).
            levels = answered[row] = part_levels((row,), p.levels)
        status = "quarantined" if extra is not None and extra.flags else "counted"
        district = None if extra is None else extra.district_id
        keys = _place_keys(counties, point, district, channel, group)
        doc = {"wave_id": wave_id, "keys": keys, "status": status, "levels": dict(levels)}
        rows.append((RESPONSES, str(response_id), doc))
        place = places.setdefault((*keys.values(), status), _Place(keys, status))
        place.count += 1
        if status == "counted":
            place.levels.update(levels)
    tx.put_many(rows)
    _tally_places(wave, places)
    tx.put(WAVES, wave_id, wave)


def _answers(q: Recording) -> Iterable[str | None]:
    """The overall answers: the row, or the ratings of a message upcast from v1/v2."""
    return q.row if q.row is not None else q.ratings.values()


def _record(tx: ViewTransaction, wave_id: str, recordings: Sequence[Recording]) -> None:
    wave = tx.get(WAVES, wave_id) if recordings else None
    if wave is None:
        return
    counties = _counties(wave)
    rows: list[tuple[str, str, Document]] = []
    places: dict[tuple[str, ...], _Place] = {}
    for q in recordings:
        levels = level_counts(_answers(q))
        status = "quarantined" if q.flags else "counted"
        keys = _keys(counties, q)
        row = {"wave_id": wave_id, "keys": keys, "status": status, "levels": levels}
        rows.append((RESPONSES, str(q.response_id), row))
        place = places.setdefault((*keys.values(), status), _Place(keys, status))
        place.count += 1
        if status == "counted":
            place.levels.update(levels)
    tx.put_many(rows)
    _tally_places(wave, places)
    tx.put(WAVES, wave_id, wave)


def _tally_places(wave: Document, places: dict[tuple[str, ...], _Place]) -> None:
    for place in places.values():
        change = {"collected": place.count, "count": place.count, "to": place.status}
        _tally(wave, place.keys, change | {"added": dict(place.levels)})


@dataclass
class _Place:
    """Questionnaires of one part recorded at one place with one status: tallied at once."""

    keys: dict[str, str]
    status: str
    count: int = 0
    levels: Counter[str] = field(default_factory=Counter)


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
    _tally(wave, doc["keys"], change)
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
    3,
    (
        Collection(WAVES, index=("jurisdiction_id", "campaign_id"), sort="sort"),
        Collection(RESPONSES, index=("wave_id",)),
    ),
    {
        "survey": {
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
    },
    "Per survey wave: questionnaires collected and counted by point, county, channel and "
    "group, with the counted answers per level.",
)
