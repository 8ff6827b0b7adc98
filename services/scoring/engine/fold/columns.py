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

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from shared.contracts.survey import Channel
from shared.contracts.survey_batch import MAX_LEVELS, ROW_ALPHABET, BatchExtra, BatchRecorded

from . import counting
from .plain import DATETIME, flags_ok, optional_fields_ok, uuid_text
from .tally import Codes

EVENT_TYPE = BatchRecorded.event_type
VERSION = BatchRecorded.schema_version
_DATETIME = re.compile(DATETIME.encode().replace(rb"\d", b"d"))
"""A datetime's shape (every digit made `d`) as `plain` reads one."""
_DIGITS_AS_D = bytes.maketrans(b"0123456789", b"d" * 10)
_UUID_CHARS = bytes(
    ord("x") if chr(byte) in "0123456789abcdef" else byte if byte == ord("-") else ord("?")
    for byte in range(256)
)
"""A lowercase hex digit -> `x`, a dash stays, anything else (an `x` too) -> `?`."""
_UUID_SHAPE = b"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
_CHANNELS = frozenset([None, *(channel.value for channel in Channel)])
_TEXT_OR_NONE = frozenset([str, type(None)])
_EXTRA_FIELDS = frozenset(BatchExtra.model_fields)
_MISSING = object()


class Columns(NamedTuple):
    """What the fold reads of a part."""

    wave_id: str
    levels: list[str]
    response_ids: Sequence[str]
    groups: Sequence[str | None]
    points: Sequence[str | None]
    codes: Codes
    """The rows' code bytes, a (questionnaires, width) matrix: every row of a part has one
    width; 0 not rated, k the part's `levels[k - 1]`."""
    flagged: frozenset[int]
    """The indices of the questionnaires recorded with flags."""
    distinct: bool = False
    """True where the reader found no response id twice (`stored.stored_columns`); else the fold
    checks."""
    in_defer: list[int] | None = None
    """The indices, ascending, of the response ids in the set the reader was given (the
    fold's `defer`); None: not looked up."""
    group_index: NameIndex | None = None
    """Each row's group as an index among the part's distinct groups, where the reader
    made it; None: the fold looks each name up."""
    point_index: NameIndex | None = None


NameIndex = tuple[bytes, list[str | None]]
"""(one byte a row: its index, the distinct values) of a column of names."""


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
        and levels_ok(levels)
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
        and _texts_or_none(points)
        and _texts_or_none(groups)
        and _datetimes(collected_at)
        and _channels(channels)
    ):
        return None
    codes = _codes(rows, len(levels))
    flagged = flagged_indices(get("extras", _MISSING), count)
    if codes is None or flagged is None:
        return None
    return Columns(wave_id, levels, response_ids, groups, points, codes, flagged)


_COLUMNS = ("questionnaire_ids", "survey_points", "collected_at", "channels", "groups", "rows")


def levels_ok(levels: object) -> bool:
    """Distinct non-empty texts, at most `MAX_LEVELS`."""
    return (
        type(levels) is list
        and len(levels) <= MAX_LEVELS
        and _texts(levels)
        and all(levels)
        and len(set(levels)) == len(levels)
    )


def _texts(values: list[Any]) -> bool:
    try:
        "".join(values)  # refuses anything but texts, in C
    except TypeError:
        return False
    return True


def _texts_or_none(values: list[Any]) -> bool:
    """Texts or None: the types of the distinct values (a part has few)."""
    if counting.texts_or_none(values):
        return True
    try:
        return set(map(type, set(values))) <= _TEXT_OR_NONE
    except TypeError:  # a list or dict among them
        return False


def _uuids(values: list[Any]) -> bool:
    """Every value canonical UUID text (lowercase, hyphenated), checked on the values
    joined: its shape (hex digits made `x`) is that of as many UUIDs (one `translate`, one
    comparison, no Python per value)."""
    try:
        joined = "".join(values).encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return False
    return joined.translate(_UUID_CHARS) == _UUID_SHAPE * len(values)


def _datetimes(values: list[Any]) -> bool:
    """Every value an ISO datetime with its offset (as `plain` reads one), that is a date:
    the values' shapes (digits made `d`) matched, once if they all have the first's, and
    every value parsed by `datetime.fromisoformat` (C, no Python per value); accepted in
    one compiled pass where `counting` can say."""
    if counting.datetimes(values):
        return True
    try:
        joined = ",".join(values).encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return False
    shapes = joined.translate(_DIGITS_AS_D)
    first = shapes[: len(values[0])]
    if shapes != b",".join([first] * len(values)):
        found = shapes.split(b",")
        if len(found) != len(values) or not all(map(_DATETIME.fullmatch, set(found))):
            return False
    elif b"," in first or not _DATETIME.fullmatch(first):
        return False
    try:
        for _ in map(datetime.fromisoformat, values):
            pass
    except ValueError:  # a month 13, an offset of 25 hours, …
        return False
    return True


def _channels(values: list[Any]) -> bool:
    if counting.members(values, _CHANNELS):
        return True
    try:
        return set(values) <= _CHANNELS
    except TypeError:  # a list or dict among them
        return False


def _codes(rows: list[Any], levels: int) -> Codes | None:
    """The rows' codes as a (questionnaires, width) matrix, if every row is a text of the
    first row's width and every code 0 or a level's: the rows joined by a separator that is
    no code, one `translate` that marks any character but a level's code, and the
    separators found where, and only where, rows of one width put them; in one compiled
    pass where `counting` can say."""
    fast = counting.row_codes(rows, _code_table(levels))
    if fast is not None:
        return np.frombuffer(fast, dtype=np.uint8).reshape(len(rows), len(rows[0]))
    try:
        raw = "\n".join(rows).encode("latin-1")
    except (TypeError, UnicodeEncodeError):
        return None
    count, width = len(rows), len(rows[0])
    codes = raw.translate(_code_table(levels))
    if _INVALID in codes or len(raw) != count * (width + 1) - 1:
        return None
    separators = bytes([_SEPARATOR]) * (count - 1)
    if codes.count(_SEPARATOR) != count - 1 or codes[width :: width + 1] != separators:
        return None
    matrix = np.frombuffer(codes + b"\n", dtype=np.uint8).reshape(count, width + 1)
    return matrix[:, :width]


_INVALID = 0xFF


@functools.cache
def _code_table(levels: int) -> bytes:
    """Row character -> its code, for a part of `levels` levels; `_INVALID` for a character
    that is no code of such a part."""
    table = bytearray([_INVALID]) * 256
    for code, char in enumerate(ROW_ALPHABET[: levels + 1]):
        table[ord(char)] = code
    table[ord("\n")] = _SEPARATOR
    return bytes(table)


_SEPARATOR = 0xFE


def flagged_indices(extras: object, count: int) -> frozenset[int] | None:
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
