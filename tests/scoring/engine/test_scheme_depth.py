"""A new scheme document nested deeper than the language allows is refused in one plain
reason at the place it goes too deep (validation said "Recursion error" under a path of
thousands of characters); a stored one still loads (services/scoring/engine/scheme)."""

from __future__ import annotations

from typing import Any

import pytest

from services.scoring.engine.scheme import MAX_DEPTH, Scheme, SchemeError
from tests.scoring.engine.schemes import survey_only


def _nested(levels: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"min_score": 90}
    for _ in range(levels):
        condition = {"any_of": [condition]}
    document: dict[str, Any] = dict(survey_only())
    document["lists"] = [{"code": "model", "name": "先进单位", "when": condition}]
    return document


def test_a_new_document_too_deep_is_refused_where_it_goes_too_deep() -> None:
    with pytest.raises(SchemeError) as refused:
        Scheme.from_new_document(_nested(40))
    assert refused.value.reason == (
        f"嵌套超过 {MAX_DEPTH} 层: 请把条件写得扁平些 "
        f"(nested deeper than {MAX_DEPTH} levels: write the conditions flatter)"
    )
    assert refused.value.field.startswith("lists.0.when.any_of.0.any_of.0.")
    assert len(refused.value.field.split(".")) == MAX_DEPTH + 1


def test_a_document_within_the_depth_and_a_stored_deep_one_load() -> None:
    assert Scheme.from_new_document(_nested(10)).lists[0].code == "model"
    assert Scheme.from_document(_nested(40)).lists[0].code == "model"
