"""A document that does not have a scheme's shape (a key missing or unknown, a value of the
wrong type or out of range): pydantic's errors as (path in the document, reason), every one.

pydantic's locations also name the member of a union it tried (a component's `source`, as in
`components.0.survey.weight`, or `int` for a count that may be a mapping): those are not in
the document, so the path leaves them out (`components.0.weight`).

Reasons are worded as a request's are (`shared.reasons.reason_of`: Chinese first, pydantic's
English after; standard library only, so the offline verifier has it), with a hint where a
number was typed with a full-width point or comma, as a Chinese input method types them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from shared.reasons import reason_of

Problem = tuple[str, str]

FULL_WIDTH = ("。", "，", "．")
"""Marks a Chinese input method types where a decimal point was meant (`85。5`)."""
NUMBERS = frozenset({"decimal_parsing", "decimal_type", "int_parsing", "float_parsing"})

FIELD_NAMES = frozenset({"missing", "extra_forbidden"})
"""Error types whose location ends with a key that the document lacks or should not have."""


def shape_problems(exc: ValidationError, doc: Mapping[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    errors = exc.errors()
    for error in errors:
        if error["type"] == "too_short" and _within(error["loc"], errors):
            continue  # a list whose items failed counts as empty: the items' errors say why
        field = document_path(error["loc"], doc, error["type"] in FIELD_NAMES)
        reason = reason_of(error) + _full_width(error) + _yaml_word(error)
        if (field, reason) not in found:
            found.append((field, reason))
    return found


def _full_width(error: Any) -> str:
    given = error.get("input")
    if error["type"] not in NUMBERS or not isinstance(given, str):
        return ""
    marks = [mark for mark in FULL_WIDTH if mark in given]
    if not marks:
        return ""
    mark, meant = marks[0], given.strip()
    for m in FULL_WIDTH:
        meant = meant.replace(m, ".")
    return (
        f"; 其中的「{mark}」是全角标点, 小数点请写半角「.」, 如 {meant} "
        f"(the full-width 「{mark}」 is not a decimal point: write {meant})"
    )


YAML_1_1_WORDS = frozenset({"yes", "no", "on", "off"})
"""Words YAML 1.1 read as true/false; a scheme's YAML is read as 1.2, where they are text."""


def _yaml_word(error: Any) -> str:
    given = error.get("input")
    if error["type"] != "bool_type" or not isinstance(given, str):
        return ""
    if given.strip().lower() not in YAML_1_1_WORDS:
        return ""
    return (
        f"; 「{given}」在方案中是文本, 不是布尔值, 请写 true 或 false "
        f"({given!r} is text in a scheme, as in YAML 1.2 and JSON: write true or false)"
    )


def document_path(loc: Sequence[Any], doc: Any, ends_with_key: bool) -> str:
    """The dotted path of `loc` in `doc`, without the parts that name a union's member."""
    parts: list[str] = []
    node: Any = doc
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        in_list = isinstance(node, list | tuple) and isinstance(part, int)
        if (isinstance(node, Mapping) and part in node) or (in_list and 0 <= part < len(node)):
            node = node[part]
        elif isinstance(node, Mapping) and last and ends_with_key:
            node = None
        else:
            continue  # a union member pydantic tried, not a key of the document
        parts.append(str(part))
    return ".".join(parts) or "$"


def _within(loc: tuple[Any, ...], errors: Sequence[Any]) -> bool:
    """Whether another error lies under `loc`."""
    return any(len(e["loc"]) > len(loc) and tuple(e["loc"][: len(loc)]) == loc for e in errors)
