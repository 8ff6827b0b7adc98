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
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field, PrivateAttr, TypeAdapter, model_validator

from shared.contracts.envelope import IntegrationPayload
from shared.contracts.survey import Channel, Flag, Opinion, ResponseRecorded, _Part

ROW_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + "".join(
    map(chr, range(0xC0, 0x100))
)
"""A row text's characters by code: `0` not rated, then codes 1, 2, … Letters and digits
first (every worded scale and 0–10 stay ASCII), then Latin-1 letters for 百分制's 101
levels. Every character is one byte in Latin-1, so a row text's codes are one `encode` and
one `translate` away."""
MAX_LEVELS = len(ROW_ALPHABET) - 1
NOT_RATED = ROW_ALPHABET[0]

_TEXT_OF_CODE = ROW_ALPHABET.encode("latin-1").ljust(256, b"\x00")
_INVALID = 0xFF
_CODE_OF_TEXT = bytearray([_INVALID]) * 256
for _code, _char in enumerate(ROW_ALPHABET):
    _CODE_OF_TEXT[ord(_char)] = _code
_CODE_OF_TEXT_TABLE = bytes(_CODE_OF_TEXT)


def row_text(codes: bytes) -> str:
    """Code bytes (0 not rated, k for `levels[k - 1]`, at most `MAX_LEVELS`) as a row text."""
    return codes.translate(_TEXT_OF_CODE).decode("latin-1")


def row_codes(row: str) -> bytes | None:
    """A row text as its code bytes; None if a character is outside `ROW_ALPHABET`."""
    try:
        raw = row.encode("latin-1")
    except UnicodeEncodeError:
        return None
    codes = raw.translate(_CODE_OF_TEXT_TABLE)
    return None if _INVALID in codes else codes


def row_chars(levels: Sequence[str]) -> dict[str | None, str]:
    """answer -> its character in a row text, for a part with these `levels`; None and ""
    (a unit not rated) -> `0`."""
    chars: dict[str | None, str] = {None: NOT_RATED, "": NOT_RATED}
    chars.update({level: ROW_ALPHABET[code] for code, level in enumerate(levels, start=1)})
    return chars


_COUNT_EACH = 16
"""Up to this many levels a row's codes are counted one level at a time (`bytes.count`, a
C pass each); longer scales (百分制) in one pass through a `Counter`."""


def level_counts(rows: Iterable[str], levels: Sequence[str]) -> dict[str, int]:
    """level -> how many answers of these (valid) row texts are that level, in `levels`'
    order, levels never answered left out: counted in C, without a string per answer."""
    codes = row_codes("".join(rows))
    if codes is None:
        raise ValueError("not a row text")
    if len(levels) <= _COUNT_EACH:
        found = ((level, codes.count(code)) for code, level in enumerate(levels, start=1))
        return {level: n for level, n in found if n}
    counted = Counter(codes)
    return {level: counted[code] for code, level in enumerate(levels, start=1) if counted[code]}


class BatchQuestionnaire(_Part):
    """One questionnaire of a v1 part (kept so that v1 messages still decode)."""

    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    row: tuple[str | None, ...]
    dimension_ratings: dict[UUID, dict[str, str]] = Field(default_factory=dict)
    opinions: tuple[Opinion, ...] = ()
    recommended_key_targets: tuple[UUID, ...] = ()
    channel: Channel | None = None
    group: str | None = None
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    flags: tuple[Flag, ...] = ()


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


class BatchExtra(_Part):
    """The optional fields of the questionnaire at `index`, present only where one is set."""

    index: int = Field(ge=0)
    dimension_ratings: dict[UUID, dict[str, str]] = Field(default_factory=dict)
    opinions: tuple[Opinion, ...] = ()
    recommended_key_targets: tuple[UUID, ...] = ()
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    flags: tuple[Flag, ...] = ()


EXTRA_FIELDS: tuple[str, ...] = tuple(name for name in BatchExtra.model_fields if name != "index")
_EXTRA_FIELD_SET = frozenset(EXTRA_FIELDS)


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
            **_columns_of(questionnaires),
            "rows": ["".join([chars[answer] for answer in q["row"]]) for q in questionnaires],
            "extras": _extras_of(questionnaires),
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
            **_columns_of(prepared),
            "rows": rows,
            "extras": _extras_of(prepared),
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
            made.append(_constructed(ResponseRecorded, values))
        return made


_NO_EXTRAS: Mapping[str, Any] = {
    name: BatchExtra.model_fields[name].get_default(call_default_factory=True)
    for name in EXTRA_FIELDS
}


def column_problem(
    levels: Sequence[str],
    response_ids: Sequence[Any],
    rows: Sequence[str],
    extras: Sequence[BatchExtra],
    columns: Iterable[Sequence[Any]],
) -> str | None:
    """Why the columns of a part do not make a part, or None."""
    count = len(response_ids)
    if len(set(levels)) != len(levels) or not all(levels):
        return "levels must be distinct, non-empty answers"
    if len(rows) != count or any(len(column) != count for column in columns):
        return "every column must hold one entry per response id"
    width = len(rows[0])
    for row in rows:
        codes = row_codes(row)
        if codes is None or len(codes) != width or (codes and max(codes) > len(levels)):
            return f"a row must be {width} characters, each 0 or a level's code"
    indices = [extra.index for extra in extras]
    if indices != sorted(set(indices)) or (indices and indices[-1] >= count):
        return "extras must name distinct questionnaires of the part, in order"
    return None


_MOMENT = TypeAdapter(datetime)
_AS_PYDANTIC_WRITES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
"""ISO text that pydantic writes back unchanged: whole seconds and an offset in minutes,
other than UTC (which it writes `Z`)."""


def _moment_json(moment: str | datetime) -> Any:
    if (
        isinstance(moment, str)
        and not moment.endswith("+00:00")
        and _AS_PYDANTIC_WRITES.fullmatch(moment)
    ):
        return moment  # half a part's encoding time went to parsing and writing it back
    return _MOMENT.dump_python(
        datetime.fromisoformat(moment) if isinstance(moment, str) else moment, mode="json"
    )


def _columns_of(questionnaires: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The per-questionnaire columns of JSON-valued questionnaires (v1's or prepared)."""
    return {
        "response_ids": [q["response_id"] for q in questionnaires],
        "questionnaire_ids": [q["questionnaire_id"] for q in questionnaires],
        "survey_points": [q["survey_point"] for q in questionnaires],
        "collected_at": [_moment_json(q["collected_at"]) for q in questionnaires],
        "channels": [q.get("channel") for q in questionnaires],
        "groups": [q.get("group") for q in questionnaires],
    }


def _extras_of(questionnaires: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`BatchExtra` as JSON for every questionnaire with an optional field set."""
    extras: list[dict[str, Any]] = []
    for index, q in enumerate(questionnaires):
        # Most questionnaires hold none of the fields at all: one set operation says so.
        if q.keys().isdisjoint(_EXTRA_FIELD_SET) or not any(q.get(n) for n in EXTRA_FIELDS):
            continue
        extras.append(
            {
                "index": index,
                "dimension_ratings": q.get("dimension_ratings") or {},
                "opinions": [
                    {"unit_id": o.get("unit_id"), "text": o["text"]}
                    for o in q.get("opinions") or ()
                ],
                "recommended_key_targets": list(q.get("recommended_key_targets") or ()),
                "district_id": q.get("district_id"),
                "device": q.get("device"),
                "respondent_id": q.get("respondent_id"),
                "flags": [{"code": f["code"], "detail": f["detail"]} for f in q.get("flags") or ()],
            }
        )
    return extras


def _constructed(cls: type[ResponseRecorded], values: dict[str, Any]) -> ResponseRecorded:
    """What `model_construct` makes when every field is given, for a model without extras
    or private attributes."""
    made = cls.__new__(cls)
    object.__setattr__(made, "__dict__", values)
    object.__setattr__(made, "__pydantic_fields_set__", set(values))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made
