"""Pydantic's errors in words a caller can act on (`shared.reasons.reason_of`)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.reasons import BLANK, first_problem, reason_of
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


class _Message(BaseModel):
    position: int


def test_a_decoding_problem_reads_chinese_first_where_and_what() -> None:
    """`first_problem` (audit bundles, scoring's replay) says pydantic's first problem in
    the words `reason_of` gives an API caller, where it is first."""
    with pytest.raises(ValidationError) as not_json:
        _Message.model_validate_json(b'{"position": ')
    assert first_problem(not_json.value).startswith("不是有效的 JSON (Invalid JSON: EOF while")
    with pytest.raises(ValidationError) as not_int:
        _Message.model_validate({"position": "x"})
    assert first_problem(not_int.value) == (
        "position: 须为整数 (Input should be a valid integer, unable to parse string as an integer)"
    )
    assert first_problem(ValueError("two\n  lines")) == "two lines"
