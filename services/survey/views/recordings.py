"""Questionnaires entering the wave view: one `survey.response.recorded` at a time (public
votes, and every push in logs written before batch parts), or a part of a push
(`survey.batch.recorded`) at once.

A part leaves the view exactly as its questionnaires would one message each. It is read
from its columns (no object per questionnaire, none per answer: a push applies hundreds of
questionnaires per message): its wave's documents are read and written once, its
questionnaires' rows put together, its counts added to the progress once per distinct place
(point, channel, group, agency, status), and the answers per point counted from the row
texts of each point at once (`level_counts`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC
from itertools import repeat
from typing import Any

from services.survey.views.keyed import BY_AGENCY, BY_COUNTY
from services.survey.views.names import (
    PROGRESS,
    QUESTIONNAIRES,
    UNSPECIFIED,
    UNSPECIFIED_NAME,
    WAVES,
)
from services.survey.views.parts import county_of
from shared.contracts import IntegrationMessage
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchRecorded, level_counts, row_codes
from shared.views import ViewTransaction
from shared.views.base import Document

Recording = ResponseRecorded
Place = tuple[str | None, str | None, str | None, str | None, str]
"""(survey point, channel, group, agency, status) as recorded: what progress counts by."""
Spot = tuple[str | None, str | None, str | None, str | None]
"""(survey point, channel, group, agency): where a questionnaire counts as collected."""


def on_recorded(tx: ViewTransaction, p: ResponseRecorded, m: IntegrationMessage) -> None:
    _record(tx, str(p.wave_id), _text(p.agency_id), _text(p.batch_id), [p], _stored_at(m))


def on_batch_recorded(tx: ViewTransaction, p: BatchRecorded, m: IntegrationMessage) -> None:
    """Each questionnaire of the part means the v3 message `p.responses()` would build; it
    is read from the part's columns instead (hundreds a message), to the same effect as
    `_record` (tests/survey/test_wave_view_parts.py holds the two equal)."""
    wave_id, agency, batch = str(p.wave_id), _text(p.agency_id), _text(p.batch_id)
    doc = tx.get(WAVES, wave_id)
    if doc is not None:
        count = doc["response_count"] + len(p.response_ids)
        tx.put(WAVES, wave_id, doc | {"response_count": count})
    flags = {e.index: [flag.model_dump() for flag in e.flags] for e in p.extras if e.flags}
    channels = [None if channel is None else channel.value for channel in p.channels]
    statuses = ["quarantined" if index in flags else "counted" for index in range(len(channels))]
    tx.put_many(
        [
            (QUESTIONNAIRES, row["response_id"], row)
            for row in _part_rows(
                p, wave_id, agency, batch, _stored_at(m), channels, statuses, flags
            )
        ]
    )
    progress = tx.get(PROGRESS, wave_id)
    if progress is None:
        return
    places = zip(p.survey_points, channels, p.groups, repeat(agency), statuses, strict=False)
    for place, n in Counter(places).items():
        _count_place(progress, place, n)
    counted: dict[str, list[str]] = {}
    for point, status, row in zip(p.survey_points, statuses, p.rows, strict=True):
        if status == "counted" and point is not None:
            counted.setdefault(point, []).append(row)
    for point, rows in counted.items():
        _add_answers(progress, point, level_counts(rows, p.levels))
    tx.put(PROGRESS, wave_id, progress)


def _part_rows(
    p: BatchRecorded,
    wave_id: str,
    agency: str | None,
    batch: str | None,
    recorded_at: str,
    channels: list[str | None],
    statuses: list[str],
    flags: dict[int, list[dict[str, str]]],
) -> Iterator[Document]:
    """The part's questionnaire rows, as `_row` makes them from single messages (every
    one recorded when the part was stored)."""
    columns = zip(
        p.response_ids,
        p.questionnaire_ids,
        p.survey_points,
        channels,
        p.groups,
        p.collected_at,
        statuses,
        strict=True,
    )
    each = each_rows_counts(p.rows, p.levels)
    for index, (response_id, questionnaire_id, point, channel, group, at, status) in enumerate(
        columns
    ):
        yield {
            "response_id": str(response_id),
            "wave_id": wave_id,
            "questionnaire_id": questionnaire_id,
            "agency_id": agency,
            "batch_id": batch,
            "survey_point": point,
            "channel": channel,
            "group": group,
            "collected_at": at.isoformat(),
            "recorded_at": recorded_at,
            "status": status,
            "flags": flags.get(index, []),
            "version": 1,
            "answers": None if point is None else each[index],
        }


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


def _stored_at(m: IntegrationMessage) -> str:
    """When the message's event was stored (its `occurred_at`: the stored event's own
    timestamp, UTC), as `GET .../questionnaires/{id}` says `recorded_at`: part of the
    message, so a rebuild writes the same rows."""
    return m.occurred_at.astimezone(UTC).isoformat()


def _record(
    tx: ViewTransaction,
    wave_id: str,
    agency: str | None,
    batch: str | None,
    recordings: Sequence[Recording],
    recorded_at: str,
) -> None:
    if not recordings:
        return
    doc = tx.get(WAVES, wave_id)
    if doc is not None:
        tx.put(WAVES, wave_id, doc | {"response_count": doc["response_count"] + len(recordings)})
    rows = [_row(wave_id, agency, batch, q, recorded_at) for q in recordings]
    tx.put_many([(QUESTIONNAIRES, row["response_id"], row) for row in rows])
    progress = tx.get(PROGRESS, wave_id)
    if progress is None:
        return
    _count_in(progress, agency, recordings)
    tx.put(PROGRESS, wave_id, progress)


def _status(q: Recording) -> str:
    return "quarantined" if q.flags else "counted"


def _row(
    wave_id: str, agency: str | None, batch: str | None, q: Recording, recorded_at: str
) -> Document:
    return {
        "response_id": str(q.response_id),
        "wave_id": wave_id,
        "questionnaire_id": q.questionnaire_id,
        "agency_id": agency,
        "batch_id": batch,
        "survey_point": q.survey_point,
        "channel": None if q.channel is None else q.channel.value,
        "group": q.group,
        "collected_at": q.collected_at.isoformat(),
        "recorded_at": recorded_at,
        "status": _status(q),
        "flags": [flag.model_dump() for flag in q.flags],
        "version": 1,
        "answers": None if q.survey_point is None else answer_counts(_answers(q)),
    }


def _answers(q: Recording) -> Iterable[str | None]:
    """The overall answers: the row, or the ratings of a message upcast from v1/v2."""
    return q.row if q.row is not None else q.ratings.values()


def each_rows_counts(rows: Sequence[str], levels: Sequence[str]) -> list[dict[str, int]]:
    """Each row text's answers counted by level (`level_counts` of each), for a whole part
    at once: the rows' codes as a (rows, units) matrix and one `bincount` (a part's rows
    share one width; a level's count per row in C, not a Python pass per row)."""
    width = len(rows[0]) if rows else 0
    codes = row_codes("".join(rows)) if all(len(row) == width for row in rows) else None
    if codes is None or not width:
        return [level_counts((row,), levels) for row in rows]
    # Imported at the first part counted: the survey's relay loads this module with the
    # application and counts nothing (numpy is a fifth of its start-up).
    import numpy as np

    bins = len(levels) + 1
    matrix = np.frombuffer(codes, dtype=np.uint8).reshape(len(rows), width).astype(np.intp)
    matrix += (np.arange(len(rows), dtype=np.intp) * bins)[:, None]
    counted = np.bincount(matrix.ravel(), minlength=len(rows) * bins).reshape(len(rows), bins)
    named = list(enumerate(levels, start=1))
    return [{level: row[code] for code, level in named if row[code]} for row in counted.tolist()]


def answer_counts(answers: Iterable[str | None]) -> dict[str, int]:
    return {a: n for a, n in Counter(answers).items() if a is not None}


def _count_in(progress: Document, agency: str | None, recordings: Sequence[Recording]) -> None:
    """The questionnaires added to their wave's progress document (in place)."""
    places: Counter[Place] = Counter()
    answers: dict[str, Counter[str | None]] = {}
    for q in recordings:
        status = _status(q)
        channel = None if q.channel is None else q.channel.value
        places[(q.survey_point, channel, q.group, agency, status)] += 1
        if status == "counted" and q.survey_point is not None:
            # What the point-distribution check compares (moved as questionnaires stop or
            # start counting, or are corrected: `move_counted`).
            answers.setdefault(q.survey_point, Counter()).update(_answers(q))
    for place, n in places.items():
        _count_place(progress, place, n)
    for point, found in answers.items():
        _add_answers(progress, point, {a: n for a, n in found.items() if a is not None})


def _add_answers(progress: Document, point: str, found: Mapping[str, int], sign: int = 1) -> None:
    """Answers of counted questionnaires at `point` added (or, `sign` -1, taken off), in
    place; an answer no counted questionnaire gives any more leaves the tally."""
    tally = progress["answers_by_point"].setdefault(point, {})
    for answer, n in found.items():
        left = tally.get(answer, 0) + sign * n
        if left:
            tally[answer] = left
        else:
            tally.pop(answer, None)


def move_counted(
    progress: Document,
    point: str | None,
    answers: Mapping[str, int] | None,
    sign: int,
    questionnaires: int = 1,
) -> None:
    """A questionnaire at `point` entering (`sign` 1) or leaving (-1) the counted ones, with
    its answers, so that the point-distribution check compares what counts now (in place).
    Rows written before they kept their answers (None) cannot be moved: the view is rebuilt
    when its version changes, so none remain."""
    if point is None or answers is None:
        return
    _add_answers(progress, point, answers, sign)
    counted = progress["counted_by_point"]
    counted[point] = counted.get(point, 0) + sign * questionnaires


def _count_place(progress: Document, place: Place, n: int) -> None:
    point, channel, group, agency, status = place
    county = collect(progress, (point, channel, group, agency), n)
    progress["by_status"][status] += n
    BY_COUNTY.restate(progress, county, None, status, n)
    BY_AGENCY.restate(progress, agency or UNSPECIFIED, None, status, n)
    if status == "counted" and point is not None:
        counted = progress["counted_by_point"]
        counted[point] = counted.get(point, 0) + n


def collect(progress: Document, spot: Spot, n: int) -> str:
    """`n` questionnaires collected at `spot` added to what was collected (in place): the
    total and each breakdown, the county's too; -1 takes off one that stopped standing
    (voided, or its batch withdrawn), which counts toward no target any more. Its county."""
    point, channel, group, agency = spot
    progress["total"]["collected"] += n
    name = point or UNSPECIFIED_NAME
    _count(
        progress["by_point"], point or UNSPECIFIED, n, {"name": name, "target": None, "quota": None}
    )
    county = county_of(progress, point)
    _count(progress["by_county"], county, n, {"target": None})
    keys = {
        "by_channel": channel or UNSPECIFIED,
        "by_group": group or UNSPECIFIED,
        "by_agency": agency or UNSPECIFIED,
    }
    _count(progress["by_channel"], keys["by_channel"], n)
    _count(progress["by_group"], keys["by_group"], n, {"name": group or UNSPECIFIED_NAME})
    _count(progress["by_agency"], keys["by_agency"], n, {"quota": None})
    BY_COUNTY.collect(progress, county, keys, n)
    where = {"by_point": point or UNSPECIFIED, "by_county": county}
    BY_AGENCY.collect(progress, keys["by_agency"], keys | where, n)
    return county


def _count(buckets: dict[str, Any], key: str, n: int, extra: dict[str, Any] | None = None) -> None:
    entry = buckets.setdefault(key, {"collected": 0} | (extra or {}))
    entry["collected"] += n
