"""Pydantic's errors in words a caller can act on (`shared.reasons.reason_of`)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.reasons import reason_of
from shared.types import Line


class _Reasoned(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    reason: Annotated[Line, Field(min_length=1, max_length=4)]


def _reason(value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        _Reasoned(reason=value)
    (error,) = caught.value.errors()
    return reason_of(error)


def test_spaces_only_read_as_blank_not_as_a_length() -> None:
    """ "   " is stripped to nothing: "should have at least 1 character, not 3" would send
    the caller looking for a length problem."""
    assert _reason("   ") == "must not be blank"
    assert _reason("\u3000 ") == "must not be blank"  # an ideographic space too


def test_lengths_are_said_in_characters() -> None:
    assert _reason("整改落实情况") == "should have at most 4 characters, not 6"
    assert _reason("") == "should have at least 1 character, not 0"
