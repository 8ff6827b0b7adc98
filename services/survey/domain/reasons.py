"""The reasons a questionnaire's rows are refused with, as an agency's staff read them:
Chinese first, the English after it for a developer's search (shared/reasons.py). Fields and
codes are the checker's (`answers.py`); only the words are here, with how a value
or a moment is written into them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from shared.contracts.registry import CHINA
from shared.web.echo import clip

IN_FUTURE = "采集时间晚于当前时间 (collected in the future)"
NEEDS_POINT = "本次评议设有测评点, 须填写测评点 (the wave's survey points need one: survey_point)"
OTHER_CHANNEL = "本次评议不通过此渠道采集 (the wave does not collect through this channel)"
NEEDS_GROUP = "问卷模板要求填写受访群体 group (the template asks for the respondent group)"
NEEDS_DISTRICT = "问卷模板要求填写辖区 district_id (the template asks for the district)"
OTHER_DISTRICT = (
    "不是本次评议的辖区, 也不在其下级辖区之列 (not the wave's jurisdiction nor one below it)"
)
NEEDS_MEMBER = "代表评议须填写评议代表 respondent_id (a representative evaluation needs the member)"
NOT_MEMBER = "不是本次评议的代表名单成员 (not a member of the wave's panel)"
NOT_A_PANEL = (
    "本次评议不是代表评议, 不填写评议代表 respondent_id "
    "(the wave is not a representative evaluation: it takes no respondent_id)"
)
UNIT_NOT_IN_WAVE = "该单位不在本次评议之列 (unit is not evaluated in this wave)"
NO_RATING = "至少须有一项评价 (at least one rating is required)"
NO_DIMENSIONS = "问卷模板没有评价维度 (the template rates no dimensions)"
NOT_DIMENSION = "不是问卷模板的评价维度 (not a dimension of the template)"
NO_OPINIONS = "问卷模板不征求意见 (the template asks for no opinions)"
UNIT_TWICE = "单位重复列出 (unit listed twice)"
NO_RECOMMENDATIONS = (
    "问卷模板不征集重点评议对象推荐 (the template asks for no key-target recommendations)"
)


def office_time(moment: datetime) -> str:
    """A window's bound as an office writes it, in Beijing time to the second: a round's
    last day ends at `2026-06-30 23:59:59`, not `2026-06-30T23:59:59.999999+08:00`."""
    return f"{moment.astimezone(CHINA):%Y-%m-%d %H:%M:%S}"


def quoted(value: Any) -> str:
    """An answer as read, for a reason to quote: a text as it is, anything else (a number,
    a list) as its JSON; clipped, as an upload's cell is."""
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    return clip(text)


POINTS_NAMED = 20
"""A reason lists this many of the wave's points at most (a city's wave may have hundreds)."""


def named(items: list[str]) -> str:
    """The wave's points as a reason names them, as it names its groups: the agency sees
    what it should have sent (YH-01 where it typed ＹＨ－０１) without looking the wave up."""
    if len(items) <= POINTS_NAMED:
        return "、".join(items)
    return "、".join(items[:POINTS_NAMED]) + f"… (of {len(items)}: GET /waves/{{wave_id}})"
