"""A pydantic error in words a caller can act on, wherever one is answered (a request's
body or header, a row of a push or an import).

Pydantic words a few errors for its own use: a length limit placed on a text type of ours
(`Annotated[Line, Field(max_length=...)]`) is checked after our check, by its generic
length validator, which counts "items"; a choice among a hundred values lists them all; a
check of ours that raises `ValueError` has its sentence prefixed with "Value error, "."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LONG_CHOICE = 200
"""A choice among more values than a reason reads well with (an answer on any of the five
scales is one of over a hundred): said in words, the values left to the schema."""

BLANK = "must not be blank (spaces alone, full-width ones included, are blank)"
"""Text that is whitespace alone, refused where text is required: a model strips it to
nothing (`str_strip_whitespace`) before its length is checked, and "　" (the ideographic
space a Chinese input method types) is whitespace too."""

_LENGTH_WORDS = {"too_long": "at most", "too_short": "at least"}
_TOO_SHORT = ("too_short", "string_too_short")
"""A text too short, as pydantic says it: by its generic length check (a limit placed on a
text type of ours, `Annotated[Line, Field(min_length=1)]`) or its string one (`reason: Prose
= Field(min_length=1)`)."""


def reason_of(err: Mapping[str, Any]) -> str:
    # A check of ours raises ValueError with the sentence to show; pydantic prefixes it.
    reason = str(err.get("msg", "")).removeprefix("Value error, ")
    kind, given = err.get("type"), err.get("input")
    if kind == "literal_error" and len(reason) > LONG_CHOICE:
        return "not one of the accepted values (the request's schema lists them: /docs)"
    if kind in _TOO_SHORT and isinstance(given, str) and given and not given.strip():
        return BLANK  # stripped to nothing: "at least 1 character, not 3" misleads
    if kind in _LENGTH_WORDS and isinstance(given, str):
        context = err.get("ctx") or {}
        limit = context.get("max_length" if kind == "too_long" else "min_length")
        if isinstance(limit, int):
            unit = "character" if limit == 1 else "characters"
            return f"should have {_LENGTH_WORDS[kind]} {limit} {unit}, not {len(given)}"
    return reason


def first_problem(error: ValueError) -> str:
    """A decoding error in one line: pydantic's first problem, where and what (its full
    text runs over several lines, with a link); any other error's text on one line."""
    problems = getattr(error, "errors", None)
    found = problems() if callable(problems) else []
    if found:
        where = ".".join(str(part) for part in found[0].get("loc", ()))
        return f"{where}: {found[0]['msg']}" if where else str(found[0]["msg"])
    return " ".join(str(error).split())
