"""Pydantic's errors in words a caller can act on (`shared.reasons.reason_of`)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.reasons import BLANK, reason_of
from shared.types import Line, Prose


class _Reasoned(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    reason: Annotated[Line, Field(min_length=1, max_length=4)]


class _Limited(BaseModel):
    """The limit written on the field itself: pydantic's string check, not its generic one."""

    model_config = ConfigDict(str_strip_whitespace=True)
    reason: Prose = Field(min_length=1, max_length=4)


def _reason(value: str, model: type[BaseModel] = _Reasoned) -> str:
    with pytest.raises(ValidationError) as caught:
        model(reason=value)
    (error,) = caught.value.errors()
    return reason_of(error)


@pytest.mark.parametrize("model", [_Reasoned, _Limited])
@pytest.mark.parametrize("blank", ["   ", "\u3000", "\u3000 ", " \t\u3000"])
def test_spaces_only_read_as_blank_not_as_a_length(model: type[BaseModel], blank: str) -> None:
    """ "   " is stripped to nothing: "should have at least 1 character, not 3" would send
    the caller looking for a length problem, and "String should have at least 1 character"
    (the ideographic space alone, a field's own limit) reads as if nothing was sent."""
    assert _reason(blank, model) == BLANK
    assert "blank" in BLANK and "_" not in BLANK


def test_lengths_are_said_in_characters() -> None:
    assert (
        _reason("整改落实情况")
        == "至多 4 个字符, 现为 6 个 (should have at most 4 characters, not 6)"
    )
    assert _reason("") == "至少 1 个字符, 现为 0 个 (should have at least 1 character, not 0)"
