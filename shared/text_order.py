"""Dictionary (pinyin) order for Chinese names (音序), the order a Chinese reader looks a name
up in: lists of units, waves, campaigns and jurisdictions are sorted so, not by code point
(which puts 上 before 代 before 第 with no meaning to anyone).

`pinyin_key` is the order; `pinyin_sort_text` writes it as text whose code-point order is
the same, for the view stores' sort column (SQLite and PostgreSQL both compare it by code
point). Ranks are not names: scoring computes them."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

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


@cache
def _reader() -> Callable[..., list[str]]:
    """pypinyin, loaded on first use: its dictionaries take a third of a second to import,
    which every process that opens a view store would otherwise pay at start."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    load_phrases_dict(PLACE_NAME_READINGS)

    def read(text: str, errors: Any = "default") -> list[str]:
        found: list[str] = lazy_pinyin(
            text, style=Style.TONE3, neutral_tone_with_five=True, errors=errors
        )
        return found

    return read


PinyinKey = tuple[tuple[str, int, str], ...]


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> PinyinKey:
    """Dictionary order for Chinese text: syllable, then tone, then the character itself
    (so two characters with one reading still compare deterministically). Latin letters
    and digits sort among the syllables by their own spelling."""
    # A callback returning a list splits non-Chinese runs into one item per character
    # (documented pypinyin behaviour; its type hints only admit str).
    split: Any = list
    syllables = _reader()(text, errors=split)
    if len(syllables) != len(text):  # phrase handling merged characters; go one by one
        syllables = [_one_syllable(char) for char in text]
    return tuple(_syllable_key(char, syl) for char, syl in zip(text, syllables, strict=True))


def _one_syllable(char: str) -> str:
    found = _reader()(char)
    return found[0] if found else char


_FIELD = "\x02"
_END = "\x01"
"""Below every character a name holds (control characters never reach a name): a syllable
that is a prefix of another sorts first, as in `pinyin_key`'s tuples, and so does a name
that is a prefix of another."""


def pinyin_sort_text(text: str) -> str:
    """`pinyin_key(text)` as text: for each character its syllable, its tone and itself,
    so that comparing two such texts by code point is comparing the keys."""
    return "".join(
        f"{syllable}{_FIELD}{tone}{char}{_END}" for syllable, tone, char in pinyin_key(text)
    )


def _syllable_key(char: str, syllable: str) -> tuple[str, int, str]:
    if len(syllable) > 1 and syllable[-1].isdigit() and syllable[:-1].isalpha():
        return (syllable[:-1], int(syllable[-1]), char)
    return (syllable.lower(), 0, char)
