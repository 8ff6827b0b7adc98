"""`survey.batch.recorded`: a part of an accepted push, up to a few hundred questionnaires.

v2 carries a part in columns: one list per field, each questionnaire at the same index in
every list, and each questionnaire's overall answers as one *row text* of one character per
wave unit (in the order of the wave's `unit_ids`): `0` where the unit was not rated, else
the character of the answer's code in `ROW_ALPHABET`, code k meaning the part's
`levels[k - 1]`. The optional fields few questionnaires carry (dimension ratings, opinions,
flags, …) sit in `extras`, keyed by index. A consumer counts a part's rows without making a
Python string per answer (`row_codes`: two C calls a row), which is what lets a replay keep
pace with reading the log. v1 (one object per questionnaire, a row as a list of answer
texts) is upcast to v2, so consumers see v2 only.

Each questionnaire of a part means exactly what a `survey.response.recorded` v3 of the same
fields would (`responses()` gives those), and later decisions name it by its response id as
they name any questionnaire.

This module defines the messages and the v1 questionnaire. The row text is in
`survey_batch_rows.py`, the extras and the column checks and builders in
`survey_batch_columns.py`: kept apart for their size, and re-exported here (`__all__`), so
every name callers use is still named from `shared.contracts.survey_batch`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field, PrivateAttr, model_validator

from shared.contracts.envelope import IntegrationPayload
from shared.contracts.survey import (
    Channel,
    DimensionRatings,
    Flags,
    KeyTargets,
    Opinions,
    ResponseRecorded,
    _Part,
)
from shared.contracts.survey_batch_columns import (
    EXTRA_FIELDS,
    BatchExtra,
    column_problem,
    columns_of,
    constructed,
    extras_of,
)
from shared.contracts.survey_batch_rows import (
    MAX_LEVELS,
    NOT_RATED,
    ROW_ALPHABET,
    level_counts,
    row_chars,
    row_codes,
    row_text,
)


class BatchQuestionnaire(_Part):
    """One questionnaire of a v1 part (kept so that v1 messages still decode)."""

    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    row: tuple[str | None, ...]
    dimension_ratings: DimensionRatings = Field(default_factory=dict)
    opinions: Opinions = ()
    recommended_key_targets: KeyTargets = ()
    channel: Channel | None = None
    group: str | None = None
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    flags: Flags = ()


class BatchRecordedV1(IntegrationPayload):
    """v1: a part as one object per questionnaire, each row a list of answer texts."""

    event_type = "survey.batch.recorded"
    schema_version = 1
    wave_id: UUID
    batch_id: UUID
    agency_id: UUID | None
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    questionnaires: tuple[BatchQuestionnaire, ...]


class BatchRecorded(IntegrationPayload):
    """v2: part `part` of `parts` of one accepted push, in columns (module docstring). Every
    part of a batch is committed in one transaction and published in order, one message
    each (a part stays well under a NATS message's size limit)."""

    event_type = "survey.batch.recorded"
    schema_version = 2
    wave_id: UUID
    batch_id: UUID
    agency_id: UUID | None
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    levels: tuple[str, ...] = Field(max_length=MAX_LEVELS)
    response_ids: tuple[UUID, ...] = Field(min_length=1)
    questionnaire_ids: tuple[str, ...]
    survey_points: tuple[str | None, ...]
    collected_at: tuple[datetime, ...]
    channels: tuple[Channel | None, ...]
    groups: tuple[str | None, ...]
    rows: tuple[str, ...]
    extras: tuple[BatchExtra, ...] = ()

    _prepared: list[dict[str, Any]] | None = PrivateAttr(default=None)
    _coded: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _columns_agree(self) -> BatchRecorded:
        problem = column_problem(
            self.levels, self.response_ids, self.rows, self.extras, self._columns()
        )
        if problem is not None:
            raise ValueError(problem)
        return self

    def _columns(self) -> tuple[Sequence[Any], ...]:
        return (
            self.questionnaire_ids,
            self.survey_points,
            self.collected_at,
            self.channels,
            self.groups,
        )

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        questionnaires = data["questionnaires"]
        levels = list(
            dict.fromkeys(answer for q in questionnaires for answer in q["row"] if answer)
        )
        chars = row_chars(levels)
        return {
            **{key: data[key] for key in ("wave_id", "batch_id", "agency_id", "part", "parts")},
            "levels": levels,
            **columns_of(questionnaires),
            "rows": ["".join([chars[answer] for answer in q["row"]]) for q in questionnaires],
            "extras": extras_of(questionnaires),
        }

    @classmethod
    def of_questionnaires(cls, **fields: Any) -> BatchRecorded:
        """The part whose v1 form has these fields (`questionnaires` one object or dict per
        questionnaire): levels in order of first appearance, as an upcast v1 message has."""
        v1 = BatchRecordedV1.model_validate(fields)
        return cls.model_validate(cls.upcast_from_previous(v1.model_dump(mode="json")))

    @classmethod
    def prepared(
        cls,
        *,
        wave_id: UUID,
        batch_id: UUID,
        agency_id: UUID | None,
        part: int,
        parts: int,
        levels: Sequence[str],
        questionnaires: list[dict[str, Any]],
        coded: bool = False,
    ) -> BatchRecorded:
        """For the producer only, to encode: a part from questionnaires it built from
        validated input, as JSON values (ids as canonical text, `collected_at` as ISO text
        or a datetime, `row` a list of answer texts or None, optional fields left out when
        empty), not validated again. Its `json_payload` is `model_dump(mode="json")` of the
        validated part, made directly (tested against it); nothing else may be read from
        it. `levels`: the wave's scale, which every answer belongs to. `coded`: each `row`
        is already its row text for `levels` (`row_text`), and is copied as it is."""
        made = cls.model_construct(
            wave_id=wave_id,
            batch_id=batch_id,
            agency_id=agency_id,
            part=part,
            parts=parts,
            levels=tuple(levels),
        )
        made._prepared = questionnaires
        made._coded = coded
        return made

    def json_payload(self) -> dict[str, Any]:
        prepared = self._prepared
        if prepared is None:
            return super().json_payload()
        if self._coded:
            rows = [q["row"] for q in prepared]
        else:
            chars = row_chars(self.levels)
            rows = ["".join([chars[answer] for answer in q["row"]]) for q in prepared]
        return {
            "wave_id": str(self.wave_id),
            "batch_id": str(self.batch_id),
            "agency_id": None if self.agency_id is None else str(self.agency_id),
            "part": self.part,
            "parts": self.parts,
            "levels": list(self.levels),
            **columns_of(prepared),
            "rows": rows,
            "extras": extras_of(prepared),
        }

    def row_answers(self, index: int) -> tuple[str | None, ...]:
        """The overall answers of questionnaire `index` as texts (None: not rated)."""
        codes = row_codes(self.rows[index])
        assert codes is not None  # validated
        answers: tuple[str | None, ...] = (None, *self.levels)
        return tuple(answers[code] for code in codes)

    def responses(self) -> list[ResponseRecorded]:
        """Each questionnaire as the `survey.response.recorded` v3 it stands for, built from
        the validated columns without validating them again (a part has hundreds)."""
        extras = {extra.index: extra for extra in self.extras}
        made: list[ResponseRecorded] = []
        for index, response_id in enumerate(self.response_ids):
            extra = extras.get(index)
            values: dict[str, Any] = {
                "wave_id": self.wave_id,
                "response_id": response_id,
                "questionnaire_id": self.questionnaire_ids[index],
                "survey_point": self.survey_points[index],
                "collected_at": self.collected_at[index],
                "row": self.row_answers(index),
                "ratings": {},
                **(
                    {name: getattr(extra, name) for name in EXTRA_FIELDS}
                    if extra is not None
                    else _NO_EXTRAS
                ),
                "channel": self.channels[index],
                "group": self.groups[index],
                "agency_id": self.agency_id,
                "batch_id": self.batch_id,
            }
            made.append(constructed(ResponseRecorded, values))
        return made


_NO_EXTRAS: Mapping[str, Any] = {
    name: BatchExtra.model_fields[name].get_default(call_default_factory=True)
    for name in EXTRA_FIELDS
}


# Every name callers import from here, wherever it is defined (the row text in
# `survey_batch_rows.py`, the column checks and builders in `survey_batch_columns.py`).
__all__ = [
    "EXTRA_FIELDS",
    "MAX_LEVELS",
    "NOT_RATED",
    "ROW_ALPHABET",
    "BatchExtra",
    "BatchQuestionnaire",
    "BatchRecorded",
    "BatchRecordedV1",
    "column_problem",
    "level_counts",
    "row_chars",
    "row_codes",
    "row_text",
]
