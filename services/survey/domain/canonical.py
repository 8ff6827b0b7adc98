"""Answers as their scale writes them, whatever an input method or an export added."""

from __future__ import annotations

import unicodedata
from typing import Any


def canonical_answer(value: Any) -> Any:
    """An answer as its scale writes it: NFKC (full-width ９５ is 95, an ideographic space a
    space), without the spaces around. What an input method or a spreadsheet's export adds
    to 满意 is not another answer: an upload's cells were always read stripped, so a push, a
    correction and a vote read answers the same way, and what is stored is the scale's own
    text. Anything else is left as sent, for the checks to refuse."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value


CANONICAL_IDS = "nfkc"
"""A wave's `setup["questionnaire_ids"]` when every questionnaire id it stores is canonical."""


def canonical_id(value: Any) -> Any:
    """A questionnaire id as the wave stores it: NFKC without the spaces around
    (`canonical_answer`), so `Ｑ－００１` and ` Q-001 ` are `Q-001`, and a re-push of a
    questionnaire typed in another width is the same questionnaire (its id derives from
    this text). An id that would read as blank is left as sent, for the checks to refuse."""
    found = canonical_answer(value)
    return found if found else value


def repeated_code(code: str, seen: dict[str, str], chinese: str, english: str) -> str | None:
    """Why `code` cannot be declared beside `seen` (each code declared before, by the text
    it reads as: `canonical_answer`), or None. Two codes that read alike — `YH-01` and
    `ＹＨ－０１` — would be one code to every push that types either (`code_lookup` leaves
    such a pair out, so neither is found), so the second is refused as a repeat, Chinese
    first (`chinese`: what repeats), the English after."""
    first = seen.get(canonical_answer(code))
    if first is None:
        return None
    if first == code:
        return f"{chinese} ({english})"
    return (
        f"{chinese}: “{code}”即“{first}”, 全角、半角或前后空格不同的编码是同一编码 "
        f"({english}: “{code}” reads as “{first}”)"
    )


def canonical_answers(q: dict[str, Any]) -> dict[str, Any]:
    """`q` with its overall answers (`ratings`, and a compact row as given) and dimension
    answers written as their scale writes them (`canonical_answer`)."""
    found = q | {
        "ratings": {unit: canonical_answer(a) for unit, a in q["ratings"].items()},
        "dimension_ratings": {
            unit: {code: canonical_answer(a) for code, a in values.items()}
            for unit, values in q["dimension_ratings"].items()
        },
    }
    if q.get("given_row") is not None:
        found["given_row"] = [canonical_answer(a) for a in q["given_row"]]
    return found


def code_lookup(codes: list[str]) -> dict[str, str]:
    """The wave's codes (its points', its groups') by the text they read as in NFKC without
    the spaces around (`canonical_answer`): ＹＨ－０１ is YH-01. Two codes that read alike
    are left out, so that neither is guessed."""
    found: dict[str, str] = {}
    alike: set[str] = set()
    for code in codes:
        key = canonical_answer(code)
        if key in found and found[key] != code:
            alike.add(key)
        found[key] = code
    return {key: code for key, code in found.items() if key not in alike}


def canonical_code(value: Any, codes: frozenset[str], lookup: dict[str, str]) -> Any:
    """`value` as the wave's own code: one of `codes` as is (the common case, one set
    lookup), or the code it reads as in NFKC stripped (`code_lookup`). Anything else is
    left as sent, for the checks to refuse."""
    if not isinstance(value, str) or value in codes:
        return value
    return lookup.get(canonical_answer(value), value)
