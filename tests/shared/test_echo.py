"""What error bodies may quote back: strings clipped, lists cut, the rest counted."""

from __future__ import annotations

from shared.web.echo import LIST_LIMIT, QUOTE_LIMIT, REASON_LIMIT, clip, error_body


def test_clip_keeps_short_text_and_cuts_long_text_to_the_limit() -> None:
    assert clip("教育局") == "教育局"
    cut = clip("x" * 92_000)
    assert len(cut) == QUOTE_LIMIT and cut.endswith("… (92000 characters)")
    assert clip(cut) == cut  # a second pass (the shared handler) changes nothing


def test_an_error_body_bounds_its_detail() -> None:
    detail = [{"field": "f" * 5000, "reason": "r" * 5000, "context": {"value": "v" * 5000}}] * (
        LIST_LIMIT + 7
    )
    body = error_body({"error": "validation_failed", "detail": detail, "extra": 1})
    assert len(body["detail"]) == LIST_LIMIT and body["detail_omitted"] == 7
    first = body["detail"][0]
    assert len(first["field"]) == QUOTE_LIMIT and len(first["reason"]) == REASON_LIMIT
    assert len(first["context"]["value"]) == QUOTE_LIMIT
    assert body["extra"] == 1


def test_a_small_error_body_is_unchanged_but_for_each_entry_saying_its_code() -> None:
    body = {"error": "not_found", "detail": [{"field": "unit_id", "reason": "no such unit"}]}
    entry = {"field": "unit_id", "reason": "no such unit", "code": "not_found"}
    assert error_body(body) == {"error": "not_found", "detail": [entry]}
    own = {"field": "x", "reason": "r", "code": "its_own"}
    assert error_body({"error": "validation_failed", "detail": [own]})["detail"] == [own]
