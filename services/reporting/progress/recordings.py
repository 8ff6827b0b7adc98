"""Questionnaires entering the `wave_progress` view: one per `survey.response.recorded`
(public votes, and pushes in logs written before batch parts) or a part of a push per
`survey.batch.recorded`; both leave the view the same (tests/reporting/progress/
test_parts.py). Each is kept with where it was collected (point, county, channel, group,
agency), its status and its answers per level, and tallied once per place and status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.reporting.progress.tallies import (
    RESPONSES,
    WAVES,
    Place,
    level_counts,
    place_keys,
    point_counties,
    tally_places,
)
from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchRecorded
from shared.contracts.survey_batch import level_counts as part_levels
from shared.views import Document, ViewTransaction

Recording = ResponseRecorded
"""A questionnaire's own fields, whichever message brought it."""


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
    counties = point_counties(wave)
    extras = {extra.index: extra for extra in p.extras}
    rows: list[tuple[str, str, Document]] = []
    places: dict[tuple[str, ...], Place] = {}
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
        keys = place_keys(counties, point, district, channel, group, p.agency_id)
        doc = {"wave_id": wave_id, "keys": keys, "status": status, "levels": dict(levels)}
        rows.append((RESPONSES, str(response_id), doc))
        _placed(places, keys, status, levels)
    tx.put_many(rows)
    tally_places(wave, places)
    tx.put(WAVES, wave_id, wave)


def _answers(q: Recording) -> Iterable[str | None]:
    """The overall answers: the row, or the ratings of a message upcast from v1/v2."""
    return q.row if q.row is not None else q.ratings.values()


def _record(tx: ViewTransaction, wave_id: str, recordings: Sequence[Recording]) -> None:
    wave = tx.get(WAVES, wave_id) if recordings else None
    if wave is None:
        return
    counties = point_counties(wave)
    rows: list[tuple[str, str, Document]] = []
    places: dict[tuple[str, ...], Place] = {}
    for q in recordings:
        levels = level_counts(_answers(q))
        status = "quarantined" if q.flags else "counted"
        keys = place_keys(counties, q.survey_point, q.district_id, q.channel, q.group, q.agency_id)
        row = {"wave_id": wave_id, "keys": keys, "status": status, "levels": levels}
        rows.append((RESPONSES, str(q.response_id), row))
        _placed(places, keys, status, levels)
    tx.put_many(rows)
    tally_places(wave, places)
    tx.put(WAVES, wave_id, wave)


def _placed(
    places: dict[tuple[str, ...], Place], keys: dict[str, str], status: str, levels: dict[str, int]
) -> None:
    place = places.setdefault((*keys.values(), status), Place(keys, status))
    place.count += 1
    if status == "counted":
        place.levels.update(levels)
