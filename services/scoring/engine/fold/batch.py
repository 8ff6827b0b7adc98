"""A `survey.batch.recorded` v1 payload (a part of an accepted push: up to ~500
questionnaires as compact rows) read straight from its decoded JSON, as `plain` reads a
single `survey.response.recorded` v3. v1 is what survey published before v2 (`columns`);
its model is upcast to v2, so a part is read here only where the upcast succeeds too.

Each questionnaire of a part means what a v3 recording of the same fields means, so it is
read by the same checks (`plain.questionnaire`) to the same `Recording`. The part's own
fields (wave, batch, agency, part numbers) are checked once. One check more than v3 needs:
a batch's questionnaire is a strict model (`extra="forbid"`), so a key it does not know
sends the part to the model, which refuses it. A part is read whole or not at all: if any
questionnaire is not in the plain form, None, and the caller parses the model for the whole
part, so no questionnaire of a part is folded twice or left out
(tests/scoring/engine/test_fold_batch.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.contracts.survey_batch import MAX_LEVELS, BatchQuestionnaire, BatchRecordedV1

from .plain import Recording, questionnaire, uuid_text

EVENT_TYPE = BatchRecordedV1.event_type
VERSION = BatchRecordedV1.schema_version
_FIELDS = frozenset(BatchQuestionnaire.model_fields)
_MISSING = object()


def plain_batch(payload: Mapping[str, Any]) -> tuple[str, list[Recording]] | None:
    """(wave id, each questionnaire's facts) if the part is in the plain form, else None."""
    get = payload.get
    wave_id: Any = get("wave_id")
    questionnaires = get("questionnaires")
    agency, part, parts = get("agency_id", _MISSING), get("part"), get("parts")
    if not (
        type(questionnaires) is list
        and questionnaires
        and uuid_text(wave_id)
        and uuid_text(get("batch_id"))
        and (agency is None or uuid_text(agency))
        and type(part) is int
        and part >= 1
        and type(parts) is int
        and parts >= 1
    ):
        return None
    read: list[Recording] = []
    append, fields = read.append, _FIELDS
    for value in questionnaires:
        if type(value) is not dict or not value.keys() <= fields:
            return None
        recording = questionnaire(wave_id, value.get)
        if recording is None:
            return None
        append(recording)
    return (wave_id, read) if _upcasts(read) else None


def _upcasts(read: list[Recording]) -> bool:
    """Whether the part becomes a v2 part, as every v1 part is read (upcast): its rows of
    one width, its distinct answers few enough to be a v2 part's levels."""
    if len({len(r.row) for r in read}) != 1:
        return False
    try:
        answers = set().union(*(r.row for r in read))
    except TypeError:  # an answer a row cannot hold (a list, a dict): the model's to refuse
        return False
    return len(answers - {None, ""}) <= MAX_LEVELS
