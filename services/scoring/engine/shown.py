"""How two differing values of a round's results are said side by side, by `pingyi replay
--verify` (a stored run against its replay) and `pingyi audit verify` (a bundle's results
against their recomputation) alike. Here because the offline verifier may load the engine
and nothing else of the services."""

from __future__ import annotations

from typing import Any

from shared.canonical import canonical_json

RESTATED = ("explanation", "result_digest")
"""The fields of a unit's result that restate the others (its words, the digest of the
whole): named only when nothing else differs (an explanation edited alone), since a moved
rank changes both and the rank is what to read."""

SHOWN_LIMIT = 300
"""A value shown longer than this is cut (`shown_pair`)."""
_AROUND = 20
"""Characters shown before the first difference of two long values, and after the last."""


def shown(value: Any) -> str:
    return "—" if value is None else canonical_json(value).decode()


def shown_pair(old: Any, new: Any, limit: int = SHOWN_LIMIT) -> tuple[str, str]:
    """Two differing values as canonical JSON, for saying them side by side. Each longer
    than `limit` is cut; where both are values, each is shown from a little before where
    they first differ to a little past where they agree again, with … where cut, so that
    a one-word change in a long explanation (排第9名 / 排第8名) is seen, not two texts that
    read alike up to the cut."""
    a, b = shown(old), shown(new)
    if len(a) <= limit and len(b) <= limit:
        return a, b
    if old is None or new is None:
        return _cut(a, 0, len(a), limit), _cut(b, 0, len(b), limit)
    same_start = _common_prefix(a, b)
    same_end = _common_prefix(a[same_start:][::-1], b[same_start:][::-1])
    start = max(0, same_start - _AROUND)
    return (
        _cut(a, start, len(a) - same_end + _AROUND, limit),
        _cut(b, start, len(b) - same_end + _AROUND, limit),
    )


def _cut(text: str, start: int, end: int, limit: int) -> str:
    end = min(len(text), end, start + limit)
    head = "…" if start > 0 else ""
    tail = f"… ({len(text)} characters)" if end < len(text) else ""
    return head + text[start:end] + tail


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
