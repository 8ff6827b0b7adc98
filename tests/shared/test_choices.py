"""`shared.web.choices`: a vocabulary named by code or by Chinese name, one table for a
JSON body and a spreadsheet cell alike, its codes an enum's (survey) or plain strings (the
registry's)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, BeforeValidator, ValidationError, WithJsonSchema

from shared.contracts.survey import CHANNEL_LABELS, Channel
from shared.reasons import reason_of
from shared.web.choices import Named

CHANNELS = Named(CHANNEL_LABELS)


class Body(BaseModel):
    channel: Annotated[
        Channel, BeforeValidator(CHANNELS.read), WithJsonSchema(CHANNELS.schema("渠道"))
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("网上", Channel.ONLINE),
        ("online", Channel.ONLINE),
        (" 纸质 问卷 ", Channel.PAPER),
        ("ＰＨＯＮＥ", Channel.PHONE),
        ("微信", None),
        ("", None),
    ],
)
def test_a_name_is_its_code_or_its_chinese_name(text: str, code: Channel | None) -> None:
    assert CHANNELS.of(text) == code


def test_a_body_stores_the_code_and_refuses_with_each_code_and_name() -> None:
    assert Body.model_validate({"channel": "网上"}).channel is Channel.ONLINE
    assert Body.model_validate_json('{"channel": "电话"}').channel is Channel.PHONE
    for wrong in ("微信", 3, None, "网上\x0b", "\tonline", "on\x00line", "online\x85"):
        with pytest.raises(ValidationError) as refused:
            Body.model_validate({"channel": wrong})
        (error,) = refused.value.errors()
        assert error["type"] == "literal_error"  # as the registry's choices answered
        assert reason_of(error) == (
            "须为以下之一: survey_point（测评点）、paper（纸质问卷）、online（网上）、"
            "service_hall_device（服务大厅评价器）、phone（电话） "
            "(should be one of these codes, or its Chinese name)"
        )


def test_the_schema_lists_the_codes_then_the_chinese_names() -> None:
    schema = Body.model_json_schema()["properties"]["channel"]
    assert schema["enum"] == [*(c.value for c in Channel), *CHANNEL_LABELS.values()]
    assert "online（网上）" in schema["description"]


LEVELS = Named({"county": "县", "zone": "开发区"})


def test_plain_string_codes_are_read_and_refused_alike() -> None:
    assert (LEVELS.of("开发区"), LEVELS.of("COUNTY"), LEVELS.of("乡")) == ("zone", "county", None)
    assert LEVELS.schema("级别")["enum"] == ["county", "zone", "县", "开发区"]
    assert LEVELS.refusal() == (
        "须为以下之一: county（县）、zone（开发区） "
        "(should be one of these codes, or its Chinese name)"
    )


def test_a_name_that_would_read_as_two_codes_is_refused_when_the_table_is_made() -> None:
    with pytest.raises(ValueError, match="names two codes"):
        Named({"county": "县", "zone": "County"})


def test_a_code_that_is_its_own_chinese_word_is_listed_once() -> None:
    """Inspection's 明察/暗访 are codes and names at once: `暗访（暗访）` and an enum naming
    each twice would only confuse the reader."""
    methods = Named({"明察": "明察", "暗访": "暗访", "online": "网上"})
    assert methods.listed == "明察、暗访、online（网上）"
    assert methods.schema("方式")["enum"] == ["明察", "暗访", "online", "网上"]
    assert methods.read("暗访") == "暗访"
