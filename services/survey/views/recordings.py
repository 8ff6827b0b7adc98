"""Questionnaires entering the wave view: one `survey.response.recorded` at a time (public
votes, and every push in logs written before batch parts), or a part of a push
(`survey.batch.recorded`) at once.

Both go through one fold, so a part leaves the view exactly as its questionnaires would have
one message each; a part only reads and writes its wave's documents once instead of once per
questionnaire (a push applies hundreds of questionnaires per message)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.survey.views.names import PROGRESS, QUESTIONNAIRES, UNSPECIFIED, WAVES
from shared.contracts import IntegrationMessage
from shared.contracts.survey import BatchRecorded, ResponseRecorded
from shared.views import ViewTransaction
from shared.views.base import Document


def on_recorded(tx: ViewTransaction, p: ResponseRecorded, m: IntegrationMessage) -> None:
    _record(tx, str(p.wave_id), [p])


def on_batch_recorded(tx: ViewTransaction, p: BatchRecorded, m: IntegrationMessage) -> None:
    _record(tx, str(p.wave_id), p.responses())


def _record(tx: ViewTransaction, wave_id: str, responses: Sequence[ResponseRecorded]) -> None:
    if not responses:
        return
    doc = tx.get(WAVES, wave_id)
    if doc is not None:
        tx.put(WAVES, wave_id, doc | {"response_count": doc["response_count"] + len(responses)})
    tx.put_many([(QUESTIONNAIRES, str(p.response_id), _row(wave_id, p)) for p in responses])
    progress = tx.get(PROGRESS, wave_id)
    if progress is None:
        return
    for p in responses:
        _count_in(progress, p)
    tx.put(PROGRESS, wave_id, progress)


def _status(p: ResponseRecorded) -> str:
    return "quarantined" if p.flags else "counted"


def _row(wave_id: str, p: ResponseRecorded) -> Document:
    return {
        "response_id": str(p.response_id),
        "wave_id": wave_id,
        "questionnaire_id": p.questionnaire_id,
        "agency_id": None if p.agency_id is None else str(p.agency_id),
        "batch_id": None if p.batch_id is None else str(p.batch_id),
        "survey_point": p.survey_point,
        "channel": None if p.channel is None else p.channel.value,
        "group": p.group,
        "collected_at": p.collected_at.isoformat(),
        "status": _status(p),
        "flags": [flag.model_dump() for flag in p.flags],
        "version": 1,
    }


def _count(buckets: dict[str, Any], key: str, extra: dict[str, Any] | None = None) -> None:
    entry = buckets.setdefault(key, {"collected": 0} | (extra or {}))
    entry["collected"] += 1


def _count_in(progress: Document, p: ResponseRecorded) -> None:
    """One questionnaire added to its wave's progress document (in place)."""
    progress["total"]["collected"] += 1
    point = p.survey_point or UNSPECIFIED
    _count(progress["by_point"], point, {"name": point, "target": None, "quota": None})
    county = progress["point_county"].get(p.survey_point or "", UNSPECIFIED)
    _count(progress["by_county"], county, {"target": None})
    _count(progress["by_channel"], UNSPECIFIED if p.channel is None else p.channel.value)
    _count(progress["by_group"], p.group or UNSPECIFIED, {"name": p.group or UNSPECIFIED})
    agency = UNSPECIFIED if p.agency_id is None else str(p.agency_id)
    _count(progress["by_agency"], agency, {"quota": None})
    status = _status(p)
    progress["by_status"][status] += 1
    if status == "counted" and p.survey_point is not None:
        # What the point-distribution check compares (answers as first recorded).
        counted = progress["counted_by_point"]
        counted[p.survey_point] = counted.get(p.survey_point, 0) + 1
        answers = progress["answers_by_point"].setdefault(p.survey_point, {})
        for value in p.row if p.row is not None else p.ratings.values():
            if value is not None:
                answers[value] = answers.get(value, 0) + 1
