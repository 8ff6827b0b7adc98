"""The survey vocabularies a request may name by code or by Chinese name (`shared.web.choices`):
a questionnaire's channel, in a JSON push and an uploaded sheet's 渠道 column alike, and a
wave's kind. What is stored and published is the code."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from shared.contracts.survey import CHANNEL_LABELS, WAVE_KIND_LABELS, Channel, WaveKind
from shared.web.choices import Named

CHANNELS = Named(CHANNEL_LABELS)
KINDS = Named(WAVE_KIND_LABELS)

ChannelIn = Annotated[
    Channel,
    BeforeValidator(CHANNELS.read),
    WithJsonSchema(CHANNELS.schema("采集渠道 (channel): a code or its Chinese name")),
]
KindIn = Annotated[
    WaveKind,
    BeforeValidator(KINDS.read),
    WithJsonSchema(KINDS.schema("评议方式 (kind): a code or its Chinese name")),
]
