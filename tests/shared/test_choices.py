"""`shared.web.choices`: a vocabulary named by code or by Chinese name, one table for a
JSON body and a spreadsheet cell alike."""

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
    for wrong in ("微信", 3, None):
        with pytest.raises(ValidationError) as refused:
            Body.model_validate({"channel": wrong})
        (error,) = refused.value.errors()
        assert reason_of(error) == (
            "须为以下之一: survey_point（测评点）、paper（纸质问卷）、online（网上）、"
            "service_hall_device（服务大厅评价器）、phone（电话） "
            "(should be one of these codes, or its Chinese name)"
        )


def test_the_schema_lists_the_codes_then_the_chinese_names() -> None:
    schema = Body.model_json_schema()["properties"]["channel"]
    assert schema["enum"] == [*(c.value for c in Channel), *CHANNEL_LABELS.values()]
    assert "online（网上）" in schema["description"]
