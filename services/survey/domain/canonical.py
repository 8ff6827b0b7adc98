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
