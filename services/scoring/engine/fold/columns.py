"""A `survey.batch.recorded` v2 payload (a part in columns: up to ~500 questionnaires, each
one row text of level codes) read straight from its decoded JSON, as `plain` reads a single
`survey.response.recorded` v3 and `batch` a v1 part.

A part is checked in bulk, column by column, by C calls over whole columns rather than
Python per questionnaire: the response ids joined and matched by one regular expression,
the rows joined and mapped to their codes by one `translate`, the types of a column as the
set of them. Anything the model would read otherwise, or refuse, returns None and the caller
parses the model for the whole part (a part is read whole or not at all), so a part is read
here only where the model accepts it, and to the same values
(tests/scoring/engine/test_fold_batch_plain.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from shared.contracts.survey import Channel
from shared.contracts.survey_batch import MAX_LEVELS, BatchExtra, BatchRecorded, row_codes

from .plain import DATETIME, UUID_PATTERN, flags_ok, optional_fields_ok, uuid_text

EVENT_TYPE = BatchRecorded.event_type
VERSION = BatchRecorded.schema_version
_UUIDS = re.compile(rf"{UUID_PATTERN}(?:,{UUID_PATTERN})*")
_DATETIMES = re.compile(rf"{DATETIME}(?:,{DATETIME})*")
_CHANNELS = frozenset([None, *(channel.value for channel in Channel)])
_TEXT_OR_NONE = frozenset([str, type(None)])
_EXTRA_FIELDS = frozenset(BatchExtra.model_fields)
_MISSING = object()


class Columns(NamedTuple):
    """What the fold reads of a part."""

    wave_id: str
    levels: list[str]
    response_ids: list[str]
    groups: list[str | None]
    points: list[str | None]
    codes: bytes
    """Every row's code bytes, row after row (0 not rated, k the part's `levels[k - 1]`)."""
    width: int
    """Codes per row: every row of a part has as many."""
    flagged: frozenset[int]
    """The indices of the questionnaires recorded with flags."""


def plain_columns(payload: Mapping[str, Any]) -> Columns | None:
    """The part's columns if it is in the plain form, else None (parse the model)."""
    get = payload.get
    wave_id: Any = get("wave_id")
    levels: Any = get("levels")
    response_ids: Any = get("response_ids")
    agency, part, parts = get("agency_id", _MISSING), get("part"), get("parts")
    if not (
        uuid_text(wave_id)
        and uuid_text(get("batch_id"))
        and (agency is None or uuid_text(agency))
        and type(part) is int
        and part >= 1
        and type(parts) is int
        and parts >= 1
        and _levels(levels)
        and type(response_ids) is list
        and response_ids
        and _uuids(response_ids)
    ):
        return None
    count = len(response_ids)
    columns: list[Any] = [get(name) for name in _COLUMNS]
    if not all(type(column) is list and len(column) == count for column in columns):
        return None
    questionnaire_ids, points, collected_at, channels, groups, rows = columns
    if not (
        _texts(questionnaire_ids)
        and _types(points) <= _TEXT_OR_NONE
        and _types(groups) <= _TEXT_OR_NONE
        and _datetimes(collected_at)
        and _channels(channels)
    ):
        return None
    codes = _codes(rows, len(levels))
    flagged = _flagged(get("extras", _MISSING), count)
    if codes is None or flagged is None:
        return None
    width = len(rows[0])
    return Columns(wave_id, levels, response_ids, groups, points, codes, width, flagged)


_COLUMNS = ("questionnaire_ids", "survey_points", "collected_at", "channels", "groups", "rows")


def _levels(levels: object) -> bool:
    """Distinct non-empty texts, at most `MAX_LEVELS`."""
    return (
        type(levels) is list
        and len(levels) <= MAX_LEVELS
        and _texts(levels)
        and all(levels)
        and len(set(levels)) == len(levels)
    )


def _texts(values: list[Any]) -> bool:
    return _types(values) <= {str}


def _types(values: list[Any]) -> set[type]:
    return set(map(type, values))


def _uuids(values: list[Any]) -> bool:
    """Every value canonical UUID text: joined, one match, and a length that leaves no room
    for a value holding two."""
    if not _texts(values):
        return False
    joined = ",".join(values)
    return len(joined) == 37 * len(values) - 1 and _UUIDS.fullmatch(joined) is not None


def _datetimes(values: list[Any]) -> bool:
    """Every value an ISO datetime with its offset (as `plain` reads one), that is a date."""
    if not _texts(values):
        return False
    joined = ",".join(values)
    if joined.count(",") != len(values) - 1 or _DATETIMES.fullmatch(joined) is None:
        return False
    try:
        for _ in map(datetime.fromisoformat, values):
            pass
    except ValueError:  # a month 13, an offset of 25 hours, …
        return False
    return True


def _channels(values: list[Any]) -> bool:
    try:
        return set(values) <= _CHANNELS
    except TypeError:  # a list or dict among them
        return False


def _codes(rows: list[Any], levels: int) -> bytes | None:
    """The rows' codes, row after row, if every row is a text of the first row's width and
    every code 0 or a level's."""
    if not _texts(rows) or len(set(map(len, rows))) != 1:
        return None
    codes = row_codes("".join(rows))
    if codes is None or (codes and max(codes) > levels):
        return None
    return codes


def _flagged(extras: object, count: int) -> frozenset[int] | None:
    """The indices whose extras carry flags, if the extras are in the plain form (few
    questionnaires have any, so each is checked in Python)."""
    if extras is _MISSING:
        return frozenset()
    if type(extras) is not list:
        return None
    flagged: list[int] = []
    last = -1
    for extra in extras:
        if type(extra) is not dict or not extra.keys() <= _EXTRA_FIELDS:
            return None
        index, flags, get = extra.get("index"), extra.get("flags", []), extra.get
        if not (type(index) is int and last < index < count and optional_fields_ok(get)):
            return None
        if flags != [] and not flags_ok(flags):
            return None
        if flags:
            flagged.append(index)
        last = index
    return frozenset(flagged)
