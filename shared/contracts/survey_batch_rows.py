"""The row text of `survey.batch.recorded` v2 (`survey_batch.py`): each questionnaire's
overall answers as one character per wave unit, `0` where the unit was not rated, else the
character of the answer's code in `ROW_ALPHABET`, code k meaning the part's `levels[k - 1]`.
Encoded and counted in C (`bytes.translate`, `bytes.count`), without a Python string per
answer.

Apart from `survey_batch.py` for its size; it re-exports every name here, so
`from shared.contracts.survey_batch import row_chars` stays the way to name them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

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
