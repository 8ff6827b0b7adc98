"""A moment without its offset (`2024-11-05T10:00:00`, as many offices' systems send local
time) is refused Chinese first, with the form to send (`shared.reasons.reason_of`)."""

from __future__ import annotations

import pytest
from pydantic import AwareDatetime, BaseModel, NaiveDatetime, ValidationError

from shared.reasons import reason_of
from shared.types import Moment


class _Collected(BaseModel):
    collected_at: Moment


class _Aware(BaseModel):
    collected_at: AwareDatetime


class _Naive(BaseModel):
    collected_at: NaiveDatetime


def _error(model: type[BaseModel], value: str) -> dict[str, object]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(f'{{"collected_at": "{value}"}}')
    (error,) = caught.value.errors()
    return dict(error)


@pytest.mark.parametrize("model", [_Collected, _Aware])
def test_a_moment_without_its_offset_says_to_send_one(model: type[BaseModel]) -> None:
    error = _error(model, "2024-11-05T10:00:00")
    assert error["type"] == "timezone_aware"  # machines still read pydantic's type
    assert reason_of(error) == (
        "须带时区, 如 2024-11-05T10:00:00+08:00 (Input should have timezone info)"
    )


def test_a_moment_with_an_offset_where_none_belongs_says_to_drop_it() -> None:
    error = _error(_Naive, "2024-11-05T10:00:00+08:00")
    assert error["type"] == "timezone_naive"
    assert reason_of(error) == (
        "不可带时区, 如 2024-11-05T10:00:00 (Input should not have timezone info)"
    )
