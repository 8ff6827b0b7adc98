"""Ranking order: how one run's unit scores become the published 名次 of a category.

Pure functions over the contract's `UnitScore`; the view handler stores what they return.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin, load_phrases_dict

from shared.contracts.scoring import UnitScore

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


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def merit(unit: UnitScore) -> tuple[Decimal, bool, Decimal, int]:
    """What decides a rank: score, then satisfaction rate (missing counts lowest), then the
    number of valid answers. Names only order units that share a rank."""
    score = _decimal(unit.score)
    assert score is not None, "unscored units have no merit"
    rate = _decimal(unit.satisfaction_rate)
    return (score, rate is not None, rate or Decimal(0), unit.valid_count)


def _display_order(unit: UnitScore) -> tuple[PinyinKey, str]:
    return (pinyin_key(unit.unit_name), str(unit.unit_id))


def rank_units(units: Iterable[UnitScore]) -> list[dict[str, Any]]:
    """Competition ranking (1, 2, 2, 4) over scored units, best first; units without a score
    (no valid answers) follow without a rank, in name order."""
    scored = [u for u in units if u.score is not None]
    unscored = [u for u in units if u.score is None]
    # Two stable sorts: names ascending first, then merit descending on top of that.
    scored.sort(key=_display_order)
    scored.sort(key=merit, reverse=True)
    unscored.sort(key=_display_order)
    entries: list[dict[str, Any]] = []
    previous: tuple[Decimal, bool, Decimal, int] | None = None
    rank = 0
    for position, unit in enumerate(scored, start=1):
        key = merit(unit)
        if key != previous:
            rank, previous = position, key
        entries.append(entry(unit, rank))
    entries.extend(entry(unit, None) for unit in unscored)
    return entries


def entry(unit: UnitScore, rank: int | None) -> dict[str, Any]:
    return {
        "rank": rank,
        "unit_id": str(unit.unit_id),
        "unit_name": unit.unit_name,
        "score": unit.score,
        "satisfaction_rate": unit.satisfaction_rate,
        "valid_count": unit.valid_count,
        "counts": dict(unit.counts),
        "result_digest": unit.result_digest,
    }


def by_category(results: Sequence[UnitScore]) -> dict[str, list[dict[str, Any]]]:
    """Each category's ranking, categories in pinyin order."""
    groups: dict[str, list[UnitScore]] = {}
    for unit in results:
        groups.setdefault(unit.category, []).append(unit)
    return {name: rank_units(groups[name]) for name in sorted(groups, key=category_order)}


def category_order(name: str) -> tuple[PinyinKey, str]:
    return (pinyin_key(name), name)
