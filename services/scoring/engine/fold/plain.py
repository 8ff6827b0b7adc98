"""A `survey.response.recorded` v3 payload read straight from its decoded JSON, for the
questionnaires that make up nearly all of a round's messages.

Building the pydantic model of an 80-rating questionnaire (the row as a tuple of 80 unions,
UUID and datetime objects, every optional field) costs more than folding it. A payload in
the plain form survey publishes — canonical lowercase UUID text, an ISO datetime with its
offset, every field of its JSON type — is read here with type checks only. Anything else
(another spelling a model would still accept, a missing or malformed field) returns None and
the caller parses the model as before, so a payload the model refuses is never accepted here,
and one it accepts is read to the same values (tests/scoring/engine/test_fold_plain.py).
Each questionnaire of a `survey.batch.recorded` part is read by the same checks
(`questionnaire`, from `batch.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from shared.contracts.survey import Channel, ResponseRecorded

VERSION = ResponseRecorded.schema_version
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DATETIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)"
"""The patterns of the spellings read plainly (also joined, a column at a time, by
`columns`)."""
_UUID = re.compile(UUID_PATTERN)
_DATETIME = re.compile(DATETIME)
_CHANNELS = frozenset(channel.value for channel in Channel)
_MISSING = object()
_EMPTY: list[Any] = []
_NONE: dict[str, Any] = {}
"""Defaults told apart from a value by identity: never changed, never handed out."""
_OPTIONAL_UUIDS = ("district_id", "respondent_id", "agency_id", "batch_id")
_OPTIONAL_TEXTS = ("group", "device")


class Recording(NamedTuple):
    """What the fold reads of a recorded questionnaire."""

    wave_id: str
    response_id: str
    row: list[Any]
    """The answers as decoded, one per unit; each still to be checked against the wave's
    levels by the caller (an answer it does not know sends the payload the model's way)."""
    group: str
    point: str
    flagged: bool


def plain_recording(payload: Mapping[str, Any]) -> Recording | None:
    """The payload's facts if it is in the plain form, else None (parse the model)."""
    wave_id = payload.get("wave_id")
    if type(wave_id) is not str or not _UUID.fullmatch(wave_id):
        return None
    return questionnaire(wave_id, payload.get)


def questionnaire(wave_id: str, get: Callable[..., Any]) -> Recording | None:
    """One questionnaire's facts, its fields read by `get` (a v3 payload's, or one of a
    batch part's questionnaires: the same fields, less the batch's), if every field is in
    the plain form, else None."""
    response_id, row = get("response_id"), get("row")
    point, flags = get("survey_point", _MISSING), get("flags", _EMPTY)
    if not (
        type(row) is list
        and type(response_id) is str
        and _UUID.fullmatch(response_id)
        and type(get("questionnaire_id")) is str
        and (point is None or type(point) is str)
        and plain_datetime(get("collected_at"))
        and (flags is _EMPTY or flags_ok(flags))
        and optional_fields_ok(get)
    ):
        return None
    group = get("group")
    return Recording(wave_id, response_id, row, group or "", point or "", bool(flags))


def optional_fields_ok(get: Callable[[str, Any], Any]) -> bool:
    """Every other field the model has is absent (its default) or well formed; the common
    case (absent, None or empty) is checked first, without a call."""
    for name in _OPTIONAL_UUIDS:
        value = get(name, None)
        if value is not None and not uuid_text(value):
            return False
    for name in _OPTIONAL_TEXTS:
        value = get(name, None)
        if value is not None and type(value) is not str:
            return False
    channel = get("channel", None)
    if channel is not None and not (type(channel) is str and channel in _CHANNELS):
        return False
    if get("ratings", _NONE) != {}:
        return False
    dimensions = get("dimension_ratings", _NONE)
    if dimensions != {} and not _dimension_ratings(dimensions):
        return False
    opinions = get("opinions", _EMPTY)
    if opinions != [] and not _opinions(opinions):
        return False
    targets = get("recommended_key_targets", _EMPTY)
    return targets == [] or _uuid_list(targets)


def uuid_text(value: object) -> bool:
    """Canonical UUID text (lowercase, hyphenated): the one spelling read plainly."""
    return type(value) is str and _UUID.fullmatch(value) is not None


def _uuid_or_none(value: object) -> bool:
    return value is None or uuid_text(value)


def plain_datetime(value: object) -> bool:
    """An ISO datetime text with its offset, of a real instant (what a model's datetime
    reads, in the one spelling read plainly)."""
    if type(value) is not str or _DATETIME.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:  # a month 13, an offset of 25 hours, …
        return False
    return True


def flags_ok(value: object) -> bool:
    return type(value) is list and all(_record(flag, ("code", "detail")) for flag in value)


def _record(value: object, keys: tuple[str, ...]) -> bool:
    """A dict of exactly these keys, each a text."""
    return (
        type(value) is dict
        and len(value) == len(keys)
        and all(type(value.get(key)) is str for key in keys)
    )


def _dimension_ratings(value: object) -> bool:
    return type(value) is dict and all(
        uuid_text(unit)
        and type(answers) is dict
        and all(type(k) is str and type(v) is str for k, v in answers.items())
        for unit, answers in value.items()
    )


def _opinions(value: object) -> bool:
    return type(value) is list and all(
        type(opinion) is dict
        and len(opinion) == 2
        and _uuid_or_none(opinion.get("unit_id", 0))
        and type(opinion.get("text")) is str
        for opinion in value
    )


def _uuid_list(value: object) -> bool:
    return type(value) is list and all(uuid_text(item) for item in value)
