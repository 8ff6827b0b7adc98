"""Dictionary (pinyin) order for Chinese names, for lists that are not ranked by score.

Ranks themselves are computed by scoring, as part of a round's results that replay verifies;
reporting only shows them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin, load_phrases_dict

# pypinyin's phrase dictionary reads these place names with the wrong heteronym (漯河 as
# "ta he"), which would put 漯河市… units under T. Readings as used by the places themselves.
PLACE_NAME_READINGS: dict[str, list[list[str]]] = {
    "漯河": [["luò"], ["hé"]],
    "召陵": [["shào"], ["líng"]],
    "单县": [["shàn"], ["xiàn"]],
    "长治": [["cháng"], ["zhì"]],
    "长葛": [["cháng"], ["gě"]],
    "浚县": [["xùn"], ["xiàn"]],
    "涡阳": [["guō"], ["yáng"]],
}
load_phrases_dict(PLACE_NAME_READINGS)

PinyinKey = tuple[tuple[str, int, str], ...]


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> PinyinKey:
    """Dictionary order for Chinese text: syllable, then tone, then the character itself
    (so two characters with one reading still compare deterministically). Latin letters
    and digits sort among the syllables by their own spelling."""
    # A callback returning a list splits non-Chinese runs into one item per character
    # (documented pypinyin behaviour; its type hints only admit str).
    split: Any = list
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=split)
    if len(syllables) != len(text):  # phrase handling merged characters; go one by one
        syllables = [_one_syllable(char) for char in text]
    return tuple(_syllable_key(char, syl) for char, syl in zip(text, syllables, strict=True))


def _one_syllable(char: str) -> str:
    found = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)
    return found[0] if found else char


def _syllable_key(char: str, syllable: str) -> tuple[str, int, str]:
    if len(syllable) > 1 and syllable[-1].isdigit() and syllable[:-1].isalpha():
        return (syllable[:-1], int(syllable[-1]), char)
    return (syllable.lower(), 0, char)
