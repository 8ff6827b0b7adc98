"""Bounds on what an error body quotes back from the request.

An error that quotes the offending input must not be an amplifier: one 92 KB cell repeated on
a thousand rows once came back as a 93 MB dry-run report. Every quoted string is cut to
`QUOTE_LIMIT` characters (ending with the original length, so the caller knows what it sent),
reasons to `REASON_LIMIT`, and lists of problems to their first `LIST_LIMIT` entries with a
count of the rest. A report is then at most a few hundred bytes per problem listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

QUOTE_LIMIT = 200
REASON_LIMIT = 1000
LIST_LIMIT = 1000

T = TypeVar("T")


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text`, or its beginning, an ellipsis and how long it was, in `limit` characters at
    most (so clipping twice changes nothing)."""
    if len(text) <= limit:
        return text
    tail = f"… ({len(text)} characters)"
    return text[: max(limit - len(tail), 0)] + tail


def first(items: Sequence[T], limit: int = LIST_LIMIT) -> tuple[list[T], int]:
    """The first `limit` items and how many were left out."""
    return list(items[:limit]), max(len(items) - limit, 0)


def clip_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """One problem ({"field", "reason", ...} or an import issue) with every string bounded:
    the reason to REASON_LIMIT, anything else (field, value, column, context) to QUOTE_LIMIT."""
    return {key: _clip_field(key, value) for key, value in item.items()}


def _clip_field(key: str, value: Any) -> Any:
    if key == "reason" and isinstance(value, str):
        return clip(value, REASON_LIMIT)
    return bound(value)


def bound(value: Any) -> Any:
    """Strings clipped and lists cut to LIST_LIMIT, at any depth of JSON-like data."""
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, Mapping):
        return {bound(key): bound(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [bound(inner) for inner in value[:LIST_LIMIT]]
    return value


def problems(items: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The first LIST_LIMIT problems, each clipped, and how many were left out."""
    listed, omitted = first(items)
    return [clip_item(item) for item in listed], omitted


def error_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """The shared error shape {"error", "detail": [...]} with its detail bounded; a cut list
    says how many entries it left out in `detail_omitted`. Other keys pass unchanged."""
    detail, omitted = problems(body.get("detail") or [])
    # Every entry says its code, for a client that reads entries alone: its own, else the
    # body's (one problem of that kind).
    code = body.get("error")
    detail = [
        entry if not isinstance(entry, dict) or "code" in entry else entry | {"code": code}
        for entry in detail
    ]
    bounded = dict(body) | {"detail": detail}
    if omitted:
        bounded["detail_omitted"] = omitted
    return bounded
